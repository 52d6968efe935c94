// GET /healthz: is each part this web process depends on reachable? Used by load balancers and
// `npm start`; each check has its own short deadline so one hanging part cannot stall the answer.
import { db } from './db';
import { temporalClient, temporalSettings } from './temporal';

/** A worker counts as alive when it polled the task queue this recently. */
export const WORKER_POLL_MAX_AGE_MS = 60_000;
const CHECK_TIMEOUT_MS = 3_000;
/** temporal.api.enums.v1.TaskQueueType (the proto package is not a direct dependency). */
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  detail?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: { database: CheckResult; temporal: CheckResult; worker: CheckResult };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function check(run: () => Promise<string | undefined>): Promise<CheckResult> {
  const started = performance.now();
  try {
    const detail = await withTimeout(run(), CHECK_TIMEOUT_MS);
    return { status: 'up', latencyMs: Math.round(performance.now() - started), ...(detail ? { detail } : {}) };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), detail: (error as Error).message.split('\n')[0] };
  }
}

function timestampMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  return Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

async function workerPollers(): Promise<string | undefined> {
  const client = temporalClient();
  const { taskQueue } = temporalSettings();
  const responses = await client.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
    Promise.all(
      [TASK_QUEUE_TYPE.workflow, TASK_QUEUE_TYPE.activity].map((taskQueueType) =>
        client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue }, taskQueueType }),
      ),
    ),
  );
  const now = Date.now();
  const fresh = responses.map((r) => (r.pollers ?? []).filter((p) => now - timestampMs(p.lastAccessTime) <= WORKER_POLL_MAX_AGE_MS).length);
  if (fresh.every((n) => n === 0))
    throw new Error(`no worker polled task queue "${taskQueue}" in the last ${WORKER_POLL_MAX_AGE_MS / 1000} s`);
  return `${fresh[0]} workflow / ${fresh[1]} activity pollers on "${taskQueue}"`;
}

export async function healthReport(): Promise<HealthReport> {
  const [database, temporalCheck] = await Promise.all([
    check(async () => {
      await db().sequelize.query('SELECT 1');
      return undefined;
    }),
    check(async () => {
      const client = temporalClient();
      await client.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => client.workflowService.getSystemInfo({}));
      return undefined;
    }),
  ]);
  const worker: CheckResult =
    temporalCheck.status === 'up' ? await check(workerPollers) : { status: 'down', latencyMs: 0, detail: 'Temporal unreachable' };
  const checks = { database, temporal: temporalCheck, worker };
  const ok = Object.values(checks).every((c) => c.status === 'up');
  return { status: ok ? 'ok' : 'unavailable', checks };
}
