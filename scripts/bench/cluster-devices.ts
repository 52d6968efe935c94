// `npm run bench -- cluster-devices` (issue 16 item 6): device workflows started against the
// production topology (`npm run cluster`: PostgreSQL, the Temporal server with SQL persistence and
// visibility, two workers, two web processes, HAProxy) on this machine. A portfolio of BENCH_UNITS
// (default 20,000, about 100,000 devices) in the cluster's app database; every device's workflow
// started with ensureDeviceWorkflows through the cluster's frontend and run by the cluster's two
// workers. Reports starts per second, the time until every device workflow has published its deadline
// (a visibility count), peak memory and CPU seconds of the cluster's processes and the load average.
// The cluster runs on ports of its own (below) from a temporary data directory, removed afterwards;
// the demo's device workflows are not started. Quick run: `BENCH_UNITS=500 npm run bench -- cluster-devices`.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEVICE_WORKFLOW_TYPE } from '../../domain/contracts/device';
import { SEARCH_KEYS } from '../../domain/search-attributes';
import { config } from '../../server/config';
import { ensureDeviceWorkflows } from '../../server/device-obligation';
import { Cluster, readClusterState } from '../lib/cluster';
import { residentMb } from './processes';
import { benchPortfolio, log, timed } from './setup';
import { round } from './stats';

const UNITS = Number(process.env.BENCH_UNITS ?? 20_000);
const CONCURRENCY = 50;
const POLL_MS = 2_000;
// Clear of `npm start` (3000, 7233, 54329), `npm run cluster` (3100, 7333, 54339) and the tests' free
// ports; Temporal's other services use the frontend's port +1…+10 and −300…−294.
const PORTS = { http: 3300, web: [3301, 3302], postgres: 54400, temporal: 7400 };

const load = () => round(loadavg()[0]!, 2);

/** The pid and its descendants, through every thread's children (Go and Node spawn from any thread). */
function processTree(pid: number): number[] {
  try {
    const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
    return [pid, ...children.flatMap(processTree)];
  } catch {
    return [];
  }
}

/**
 * CPU seconds of a process tree: each process's own time plus what its exited children left in
 * cutime/cstime (PostgreSQL's postmaster reaps its backends), so a backend that ends keeps counting.
 */
function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, member) => {
    try {
      // Fields 14–17 of /proc/<pid>/stat (utime, stime, cutime, cstime), after the command name.
      const fields = readFileSync(`/proc/${member}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return sum + [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i]), 0) / 100;
    } catch {
      return sum;
    }
  }, 0);
}

/** Proportional set size of a process tree: shared memory (PostgreSQL's buffers) counted once. */
function treePssMb(pid: number): number {
  return processTree(pid).reduce((sum, member) => {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${member}/smaps_rollup`, 'utf8'));
      return sum + (match ? Number(match[1]) / 1024 : 0);
    } catch {
      return sum;
    }
  }, 0);
}

const MEASURED_SERVICES = ['postgres', 'temporal', 'worker-1', 'worker-2'] as const;

/**
 * Peak memory (RSS; PostgreSQL as the PSS of all its processes) and CPU seconds of the cluster's
 * services while the measurement runs, sampled every second from the pids in cluster.json (a
 * restarted service is followed; its restarts are reported).
 */
function sampleServices(dataDir: string) {
  const pids = () => {
    const services = readClusterState(dataDir)?.services ?? {};
    return Object.fromEntries(MEASURED_SERVICES.map((name) => [name, services[name]?.pid ?? null]));
  };
  const memoryOf = (name: string, pid: number) => (name === 'postgres' ? treePssMb(pid) : (residentMb(pid) ?? 0));
  const cpuBefore = Object.fromEntries(Object.entries(pids()).map(([name, pid]) => [name, pid ? treeCpuSeconds(pid) : 0]));
  const peakMb: Record<string, number> = { bench: 0 };
  const sample = () => {
    for (const [name, pid] of Object.entries(pids())) if (pid) peakMb[name] = Math.max(peakMb[name] ?? 0, memoryOf(name, pid));
    peakMb.bench = Math.max(peakMb.bench!, process.memoryUsage().rss / 1024 / 1024);
  };
  sample();
  const timer = setInterval(sample, 1_000);
  return () => {
    clearInterval(timer);
    sample();
    const state = readClusterState(dataDir);
    return {
      peakMemoryMb: Object.fromEntries(Object.entries(peakMb).map(([name, mb]) => [name, round(mb)])),
      cpuSeconds: Object.fromEntries(
        Object.entries(pids()).map(([name, pid]) => [name, pid ? round(treeCpuSeconds(pid) - cpuBefore[name]!, 1) : null]),
      ),
      restarts: Object.fromEntries(Object.entries(state?.services ?? {}).map(([name, s]) => [name, s.restarts])),
    };
  };
}

/** Device workflows whose first task has run: they publish their deadline's kind as KlarObligation. */
const PUBLISHED = `WorkflowType = '${DEVICE_WORKFLOW_TYPE}' AND ${SEARCH_KEYS.obligation} IS NOT NULL`;

/** Polls the visibility store until `expected` device workflows have published their deadline. */
async function waitForPublishedDeadlines(client: Client, expected: number, since: number, onCount: (count: number) => void): Promise<void> {
  let logged = 0;
  for (;;) {
    const { count } = await client.workflow.count(PUBLISHED);
    onCount(count);
    if (count >= expected) return;
    if (Date.now() - logged > 30_000) {
      log(`${count} of ${expected} published after ${round((Date.now() - since) / 1000)} s (load ${load()}) …`);
      logged = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function benchClusterDevices() {
  const loadAtStart = load();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'klarmeter-bench-cluster-'));
  const cluster = new Cluster({
    dataDir,
    httpPort: PORTS.http,
    webPorts: PORTS.web,
    workers: 2,
    postgresPort: PORTS.postgres,
    temporalPort: PORTS.temporal,
    namespace: config().TEMPORAL_NAMESPACE,
    taskQueue: config().TEMPORAL_TASK_QUEUE,
    demoWorkflows: false,
    log: (line) => log(`cluster: ${line}`),
  });
  // What an interrupted run had measured (a long run stopped at a deadline still reports).
  let measuredSoFar: (() => Record<string, unknown>) | undefined;
  // Ctrl-C or a deadline's kill: the cluster's services run in process groups of their own and
  // would outlive this process.
  const interrupt = (signal: NodeJS.Signals) => {
    if (measuredSoFar) console.log(JSON.stringify({ interrupted: signal, ...measuredSoFar() }, null, 2));
    log(`${signal}: stopping the cluster (load ${load()}) …`);
    void cluster.stop().finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let connection: Connection | undefined;
  try {
    const { startSeconds } = await cluster.start();
    log(`cluster up in ${startSeconds} s (data in ${dataDir})`);
    const db = cluster.ownerDatabase;
    const seeded = await timed(() => benchPortfolio(db, UNITS));
    const deviceIds = (
      await db.models.Device.findAll({
        where: { propertyId: seeded.result.propertyIds },
        attributes: ['id'],
        order: [['id', 'ASC']],
        raw: true,
      })
    ).map((d) => d.id);
    log(`${deviceIds.length} devices in ${seeded.result.propertyIds.length} properties (seeded in ${round(seeded.seconds)} s)`);

    connection = await Connection.connect({ address: cluster.temporalAddress });
    const client = new Client({ connection, namespace: cluster.options.namespace });
    const loadBefore = load();
    const startedAt = new Date();
    const services = sampleServices(dataDir);
    const progress = { started: false, published: 0 };
    measuredSoFar = () => ({
      units: UNITS,
      devices: deviceIds.length,
      startedAt: startedAt.toISOString(),
      secondsSinceFirstStart: round((Date.now() - startedAt.getTime()) / 1000),
      ...progress,
      ...services(),
      loadAverage: { beforeStarts: loadBefore, end: load() },
    });
    log(`starting ${deviceIds.length} device workflows (load ${loadBefore}) …`);
    const starts = await timed(() =>
      ensureDeviceWorkflows(client, deviceIds, { concurrency: CONCURRENCY, taskQueue: cluster.options.taskQueue, db }),
    );
    const { ensured } = starts.result;
    progress.started = true;
    const loadAfterStarts = load();
    const publishedDuringStarts = (await client.workflow.count(PUBLISHED)).count;
    log(
      `${ensured} started in ${round(starts.seconds)} s, ${publishedDuringStarts} published (load ${loadAfterStarts}); waiting for the rest …`,
    );
    const published = await timed(() =>
      waitForPublishedDeadlines(client, ensured, startedAt.getTime(), (count) => (progress.published = count)),
    );
    const used = services();
    const total = starts.seconds + published.seconds;
    return {
      units: UNITS,
      properties: seeded.result.propertyIds.length,
      devices: deviceIds.length,
      cluster: { workers: 2, startSeconds, seedSeconds: round(seeded.seconds) },
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      starts: { concurrency: CONCURRENCY, ensured, seconds: round(starts.seconds), perSecond: round(ensured / starts.seconds) },
      published: {
        duringStarts: publishedDuringStarts,
        afterStartsSeconds: round(published.seconds),
        perSecondAfterStarts: round((ensured - publishedDuringStarts) / published.seconds),
        fromFirstStartSeconds: round(total),
        perSecondFromFirstStart: round(ensured / total),
      },
      ...used,
      loadAverage: { benchStart: loadAtStart, beforeStarts: loadBefore, afterStarts: loadAfterStarts, end: load() },
    };
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await connection?.close();
    log('stopping the cluster …');
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
