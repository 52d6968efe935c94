// `npm run bench -- devices`: device-workflow starts per second against a no-op workflow on the same
// Temporal server (ratio), and p50/p95 of the dashboard and the device register under 10 concurrent
// clients next to a static asset of the same server in the same run (the reference: what the machine
// and the HTTP stack cost without our code), on a portfolio of BENCH_UNITS (default 10,000, about 50,000
// devices) units in its own database `klarmeter_bench`; a small signed-in page (/konto) is the second
// reference, the floor every page pays for session, Remix, React and the layout. The pages are served
// by BENCH_WEB_PROCESSES web processes (default 2, as `npm run cluster` runs them). Issue 14 item 8's
// target: p95 <= 100 ms.
// Quick run: `BENCH_UNITS=500 npm run bench -- devices`; pages only (skip the 2 x 50,000 workflow
// starts): `BENCH_WORKFLOW_STARTS=0 npm run bench -- devices`.
import { loadavg } from 'node:os';
import type { Db } from '../../db';
import { temporalClient } from '../../server/temporal';
import { ensureDeviceWorkflows } from '../../server/device-obligation';
import { benchPortfolio, log, startBenchEnvironment, timed } from './setup';
import { pool, round } from './stats';
import { CLIENTS, WEB_PROCESSES, latencies, staticAssetPath, startBenchWeb } from './web';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const PAGE_TARGET_P95_MS = 100;
const CONCURRENCY = 50;
const WORKFLOW_STARTS = process.env.BENCH_WORKFLOW_STARTS !== '0';

async function measureWorkflowStarts(db: Db, deviceIds: number[], taskQueue: string) {
  const client = temporalClient();
  log('starting no-op workflows …');
  const noop = await timed(() =>
    pool(deviceIds, CONCURRENCY, async (id) => {
      // A workflow type nobody polls for: the start itself is what is measured.
      await client.workflow.start('noop', { workflowId: `noop-${id}`, taskQueue: `${taskQueue}-noop`, args: [] });
    }),
  );
  log('starting device workflows …');
  const devices = await timed(() => ensureDeviceWorkflows(client, deviceIds, { concurrency: CONCURRENCY, taskQueue, db }));
  const noopRate = deviceIds.length / noop.seconds;
  const deviceRate = devices.result.ensured / devices.seconds;

  return {
    concurrency: CONCURRENCY,
    noopPerSecond: round(noopRate),
    devicePerSecond: round(deviceRate),
    ratio: round(deviceRate / noopRate, 3),
  };
}

export async function benchDevices() {
  const { db, temporal, close } = await startBenchEnvironment();
  const taskQueue = 'klarmeter-bench';
  try {
    const { organisationId, propertyIds } = await benchPortfolio(db, UNITS);
    const deviceIds = (
      await db.models.Device.findAll({ where: { propertyId: propertyIds }, attributes: ['id'], order: [['id', 'ASC']], raw: true })
    ).map((d) => d.id);
    log(`${deviceIds.length} devices in ${propertyIds.length} properties`);

    const workflowStarts = WORKFLOW_STARTS ? await measureWorkflowStarts(db, deviceIds, taskQueue) : 'skipped (BENCH_WORKFLOW_STARTS=0)';

    // The register, served by the production build as users get it.
    const web = await startBenchWeb(db, organisationId, 'manager', temporal);
    try {
      const loadBefore = round(loadavg()[0]!, 2);
      const staticReference = await latencies(web, staticAssetPath());
      // The second reference: a small signed-in page (session, layout, one query, 13 KB): what every
      // page costs in Remix, React and our layout before its own content (the pages' floor).
      const smallPage = await latencies(web, '/konto');
      const dashboardAll = await latencies(web, '/dashboard');
      const dashboardOne = await latencies(web, `/dashboard?property=${propertyIds[0]}`);
      const oneProperty = await latencies(web, `/geraete?property=${propertyIds[0]}`);
      const firstPageOfAll = await latencies(web, '/geraete');
      return {
        units: UNITS,
        devices: deviceIds.length,
        workflowStarts,
        pages: {
          clients: CLIENTS,
          webProcesses: WEB_PROCESSES,
          loadAverage: { before: loadBefore, after: round(loadavg()[0]!, 2) },
          targetP95Ms: PAGE_TARGET_P95_MS,
          met: [dashboardAll, dashboardOne, oneProperty, firstPageOfAll].every((page) => page.p95 <= PAGE_TARGET_P95_MS),
          staticReferenceMs: staticReference,
          smallPageReferenceMs: smallPage,
          dashboard: { portfolioMs: dashboardAll, onePropertyMs: dashboardOne },
          register: { onePropertyMs: oneProperty, firstPageOfAllMs: firstPageOfAll },
        },
      };
    } finally {
      await web.close();
    }
  } finally {
    await close();
  }
}
