// `npm run bench -- pruefung` (issue 11 item 4): the compliance officer's desk at scale. A portfolio of
// BENCH_UNITS (default 10,000) units, about 50,000 devices, each with its device workflow, on one
// Temporal dev server, the worker running. (The demo's own few thousand workflows are not added: its
// fixed serials collide with the generated portfolio's in one database; they would add about 4 %.) Measured under 10 concurrent clients, next to a static asset of the same server
// in the same run (what the machine and the HTTP stack cost without our code): the obligation search
// (first page, one property's calibration deadlines, the overdue ones), target p95 <= 300 ms; and one
// obligation's history of at least BENCH_HISTORY_EVENTS (500) events rendered as the German timeline,
// one client, target p95 <= 500 ms. Reuses the `klarmeter_bench` database of the devices bench.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Client } from '@temporalio/client';
import { Op } from 'sequelize';
import type { Db } from '../../db';
import { DEVICE_WORKFLOW_TYPE, deviceWorkflowId } from '../../domain/contracts/device';
import { SEARCH_KEYS } from '../../domain/search-attributes';
import { ensureDeviceWorkflows } from '../../server/device-obligation';
import { temporalSettings } from '../../server/temporal';
import { deviceHealth } from '../../workflows/shared/device';
import { benchPortfolio, log, quietTemporalRuntime, startBenchEnvironment, startBenchWorker, timed, type BenchEnvironment } from './setup';
import { round } from './stats';
import { CLIENTS, WEB_PROCESSES, latencies, staticAssetPath, startBenchWeb } from './web';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const HISTORY_EVENTS = Number(process.env.BENCH_HISTORY_EVENTS ?? 500);
const SEARCH_TARGET_P95_MS = 300;
const HISTORY_TARGET_P95_MS = 500;
const POLL_MS = 2_000;
/** The machine counts as settled below this share of its cores busy, measured over SETTLE_WINDOW_MS. */
const SETTLED_BUSY_SHARE = 0.1;
const SETTLE_WINDOW_MS = 5_000;
const SETTLE_MAX_MS = 300_000;

async function deviceIdsOf(db: Db, organisationId: number): Promise<number[]> {
  const properties = await db.models.Property.findAll({ where: { organisationId }, attributes: ['id'], raw: true });
  const devices = await db.models.Device.findAll({
    where: { propertyId: { [Op.in]: properties.map((p) => p.id) } },
    attributes: ['id'],
    order: [['id', 'ASC']],
    raw: true,
  });
  return devices.map((d) => d.id);
}

/** Waits until `expected` device workflows have named their deadline (the search finds them by it). */
async function waitForPublishedDeadlines(client: Client, expected: number): Promise<void> {
  const query = `WorkflowType = '${DEVICE_WORKFLOW_TYPE}' AND ${SEARCH_KEYS.obligation} IS NOT NULL`;
  let logged = 0;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count >= expected) return;
    if (Date.now() - logged > 30_000) {
      log(`${count} of ${expected} device workflows have published their deadline (load ${loadavg()[0]!.toFixed(1)}) …`);
      logged = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Grows one device workflow's history to at least `events` events the way a radio device does:
 * health reports, each handled in its own workflow task. Returns the history's length.
 */
async function growHistory(client: Client, workflowId: string, events: number): Promise<number> {
  const handle = client.workflow.getHandle(workflowId);
  let length = (await handle.describe()).historyLength;
  for (let report = 0; length < events; report++) {
    const before = length;
    await handle.signal(deviceHealth, { batteryPercent: 90 + (report % 5), reportedStatus: 'ok' });
    while (length === before) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      length = (await handle.describe()).historyLength;
    }
  }
  return length;
}

/** Busy and total CPU time of the machine so far (Linux /proc/stat, all cores). */
function machineCpu(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3]! + ticks[4]!; // idle + iowait
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return { busy: total - idle, total };
}

/**
 * After tens of thousands of workflows have published their deadlines, the Temporal server and
 * PostgreSQL work through their backlog (visibility, timers, vacuum) for a while; the desk is
 * measured once the machine is idle, as a desk is used, not in the middle of a bulk import.
 * Returns the seconds waited.
 */
async function machineSettled(): Promise<number> {
  const started = Date.now();
  for (;;) {
    const before = machineCpu();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_WINDOW_MS));
    const after = machineCpu();
    const share = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (share < SETTLED_BUSY_SHARE || Date.now() - started >= SETTLE_MAX_MS) return round((Date.now() - started) / 1_000);
    log(`the machine is still ${Math.round(share * 100)} % busy; waiting …`);
  }
}

/** With the worker running: every device's workflow started and its deadline published, one history grown. */
async function prepareWorkflows(environment: BenchEnvironment, deviceIds: number[], taskQueue: string) {
  const worker = await startBenchWorker(environment, taskQueue);
  const { client } = worker;
  try {
    const started = await timed(() => ensureDeviceWorkflows(client, deviceIds, { db: environment.db, taskQueue }));
    log(`workflows started in ${round(started.seconds)} s; waiting until every device workflow has named its deadline …`);
    const published = await timed(() => waitForPublishedDeadlines(client, started.result.ensured));
    const historyWorkflowId = deviceWorkflowId(deviceIds[0]!);
    log(`growing the history of ${historyWorkflowId} to ${HISTORY_EVENTS} events …`);
    const historyEvents = await growHistory(client, historyWorkflowId, HISTORY_EVENTS);
    return {
      deviceWorkflows: started.result.ensured,
      workflows: (await client.workflow.count()).count,
      startSeconds: round(started.seconds),
      publishedSeconds: round(published.seconds),
      historyWorkflowId,
      historyEvents,
    };
  } finally {
    await worker.stop();
  }
}

export async function benchPruefung() {
  quietTemporalRuntime();
  const environment = await startBenchEnvironment();
  const { db, close } = environment;
  const taskQueue = temporalSettings().taskQueue;
  try {
    const { organisationId, propertyIds } = await benchPortfolio(db, UNITS);
    const deviceIds = await deviceIdsOf(db, organisationId);
    log(`${deviceIds.length} devices; starting the worker and their workflows …`);
    const prepared = await prepareWorkflows(environment, deviceIds, taskQueue);
    // The desk reads visibility and histories only: measured without the worker, whose CPU would share this process.
    const web = await startBenchWeb(db, organisationId, 'compliance', environment.temporal);
    try {
      const settledSeconds = await machineSettled();
      log(`${prepared.workflows} workflows; measuring the search and the history page …`);
      const loadBefore = round(loadavg()[0]!, 2);
      const staticReference = await latencies(web, staticAssetPath());
      const firstPage = await latencies(web, '/pruefung');
      const oneProperty = await latencies(web, `/pruefung?kind=calibration&property=${propertyIds[0]}`);
      const overdue = await latencies(web, '/pruefung?overdue=1');
      const history = await latencies(web, `/pruefung/verlauf/${prepared.historyWorkflowId}`, 1);
      const searches = [firstPage, oneProperty, overdue];
      return {
        units: UNITS,
        deviceWorkflows: prepared.deviceWorkflows,
        workflowsOnServer: prepared.workflows,
        startSeconds: prepared.startSeconds,
        publishedSeconds: prepared.publishedSeconds,
        settledSeconds,
        loadAverage: { before: loadBefore, after: round(loadavg()[0]!, 2) },
        search: {
          clients: CLIENTS,
          webProcesses: WEB_PROCESSES,
          targetP95Ms: SEARCH_TARGET_P95_MS,
          staticReferenceMs: staticReference,
          firstPageMs: firstPage,
          onePropertyCalibrationMs: oneProperty,
          overdueMs: overdue,
          met: searches.every((s) => s.p95 <= SEARCH_TARGET_P95_MS),
        },
        history: {
          workflowId: prepared.historyWorkflowId,
          events: prepared.historyEvents,
          clients: 1,
          targetP95Ms: HISTORY_TARGET_P95_MS,
          pageMs: history,
          met: history.p95 <= HISTORY_TARGET_P95_MS,
        },
      };
    } finally {
      await web.close();
    }
  } finally {
    await close();
  }
}
