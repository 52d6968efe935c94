// `npm run bench -- devices`: device-workflow starts per second against a no-op workflow on the same
// Temporal server (ratio), and p50/p95 of the dashboard and the device register under 10 concurrent
// clients next to a static asset of the same server in the same run (the reference: what the machine
// and the HTTP stack cost without our code), on a portfolio of BENCH_UNITS (default 10,000, about 50,000
// devices) units in its own database `klarmeter_bench`; a small signed-in page (/konto) is the second
// reference, the floor every page pays for session, Remix, React and the layout. Issue 14 item 8's
// target: p95 <= 100 ms.
// Quick run: `BENCH_UNITS=500 npm run bench -- devices`; pages only (skip the 2 x 50,000 workflow
// starts): `BENCH_WORKFLOW_STARTS=0 npm run bench -- devices`.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import type { Db } from '../../db';
import { temporalClient } from '../../server/temporal';
import { ensureDeviceWorkflows } from '../../server/device-obligation';
import { ensureWebBuild } from '../lib/build';
import { freePort } from '../lib/temporal';
import { benchPortfolio, log, startBenchEnvironment, timed } from './setup';
import { percentile, pool, round } from './stats';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const CONCURRENCY = 50;
const CLIENTS = 10;
const REQUESTS_PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 30);
const WARM_UP_PER_CLIENT = Number(process.env.BENCH_WARM_UP ?? 30);
const WORKFLOW_STARTS = process.env.BENCH_WORKFLOW_STARTS !== '0';

/** A fingerprinted script of the production build: served by express.static, no loader, no session. */
function staticAssetPath(): string {
  const assets = path.join(process.cwd(), 'build', 'client', 'assets');
  const script = readdirSync(assets).find((name) => name.endsWith('.js'));
  if (!script) throw new Error(`no script in ${assets} to use as the static reference`);
  return `/assets/${script}`;
}

async function loginCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: baseUrl },
    body: new URLSearchParams({ email, password }),
  });
  const cookie = response.headers.get('set-cookie');
  if (!cookie) throw new Error(`bench login failed (${response.status})`);
  return cookie.split(';')[0]!;
}

/**
 * p50/p95 under CLIENTS concurrent clients, and the CPU time of this process per request (server and
 * clients share it; the static reference shows that floor): on a shared machine the latencies move
 * with the neighbours' load, the CPU per request much less.
 */
async function latencies(url: string, cookie: string): Promise<{ p50: number; p95: number; requests: number; cpuMsPerRequest: number }> {
  const samples: number[] = [];
  const run = (requestsPerClient: number, sample: (ms: number) => void) =>
    pool(Array.from({ length: CLIENTS }), CLIENTS, async () => {
      for (let i = 0; i < requestsPerClient; i++) {
        const started = performance.now();
        const response = await fetch(url, { headers: { Cookie: cookie } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
        sample(performance.now() - started);
      }
    });
  // Unmeasured warm-up: a running server has compiled its code long ago. Measured cold, each page's
  // first few hundred requests also paid V8's optimising compiler (its threads count in this
  // process's CPU): 20-30 ms per request against 13 ms warm for the same pages.
  await run(WARM_UP_PER_CLIENT, () => undefined);
  const cpu = process.cpuUsage();
  await run(REQUESTS_PER_CLIENT, (ms) => samples.push(ms));
  samples.sort((a, b) => a - b);
  const used = process.cpuUsage(cpu);
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    requests: samples.length,
    cpuMsPerRequest: round((used.user + used.system) / 1000 / samples.length),
  };
}

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
  const { db, close } = await startBenchEnvironment();
  const taskQueue = 'klarmeter-bench';
  try {
    const { organisationId, propertyIds } = await benchPortfolio(db, UNITS);
    const deviceIds = (
      await db.models.Device.findAll({ where: { propertyId: propertyIds }, attributes: ['id'], order: [['id', 'ASC']], raw: true })
    ).map((d) => d.id);
    log(`${deviceIds.length} devices in ${propertyIds.length} properties`);

    const workflowStarts = WORKFLOW_STARTS ? await measureWorkflowStarts(db, deviceIds, taskQueue) : 'skipped (BENCH_WORKFLOW_STARTS=0)';

    // The register, served by the production build as users get it.
    ensureWebBuild(log);
    const manager = `bench-manager-${organisationId}@klarmeter.de`;
    const password = 'bench-password';
    await db.models.User.findOrCreate({
      where: { email: manager },
      defaults: { organisationId, email: manager, name: 'Bench Verwaltung', role: 'manager', passwordHash: await hash(password) },
    });
    process.env.NODE_ENV = 'production';
    const { startWebServer } = await import('../web');
    const web = await startWebServer({ port: await freePort() });
    // Clients and server share this process's event loop: on a loaded machine a long tick lets the
    // server's 5 s idle timeout close a socket the client has just picked for its next request
    // (ECONNRESET). Idle keep-alive sockets stay open longer than the client keeps them.
    web.server.keepAliveTimeout = 60_000;
    try {
      const cookie = await loginCookie(web.url, manager, password);
      const staticReference = await latencies(`${web.url}${staticAssetPath()}`, cookie);
      // The second reference: a small signed-in page (session, layout, one query, 13 KB): what every
      // page costs in Remix, React and our layout before its own content (the pages' floor).
      const smallPage = await latencies(`${web.url}/konto`, cookie);
      const dashboardAll = await latencies(`${web.url}/dashboard`, cookie);
      const dashboardOne = await latencies(`${web.url}/dashboard?property=${propertyIds[0]}`, cookie);
      const oneProperty = await latencies(`${web.url}/geraete?property=${propertyIds[0]}`, cookie);
      const firstPageOfAll = await latencies(`${web.url}/geraete`, cookie);
      return {
        units: UNITS,
        devices: deviceIds.length,
        workflowStarts,
        pages: {
          clients: CLIENTS,
          targetP95Ms: 100,
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
