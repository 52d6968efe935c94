// /healthz against the run's real PostgreSQL and Temporal: 503 until a worker polls the task
// queue, 200 while one does. Anonymous callers get the status only; details go to this machine and
// to managers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { uniqueSuffix } from '../../tests/support/fixtures';
import { eventually } from '../../tests/support/eventually';
import { closeWebResources, cookieFor, createWebFixture, makeRequest, testDb, useTestEnvironment } from '../../tests/support/web';
import type { HealthReport } from '../../server/health';

// TASK_QUEUE is read when temporal.server loads: a queue of our own keeps other files' workers out.
const taskQueue = `healthz-${uniqueSuffix()}`;
let healthz: typeof import('./healthz').loader;

beforeAll(async () => {
  useTestEnvironment();
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  ({ loader: healthz } = await import('./healthz'));
});

afterAll(closeWebResources);

/** As an operator on the host sees it (a loopback client gets the details). */
async function check(): Promise<{ status: number; body: HealthReport }> {
  const response = await healthz({ request: makeRequest('/healthz'), params: {}, context: { clientIp: '127.0.0.1' } });
  return { status: response.status, body: (await response.json()) as HealthReport };
}

async function checkAs(clientIp: string, cookie?: string): Promise<{ status: number; body: unknown }> {
  const response = await healthz({ request: makeRequest('/healthz', { cookie }), params: {}, context: { clientIp } });
  return { status: response.status, body: await response.json() };
}

test('anonymous callers from elsewhere get the status only; managers and the host get the details', async () => {
  const f = await createWebFixture(testDb());
  const anonymous = await checkAs('203.0.113.9');
  expect(anonymous).toEqual({ status: 503, body: { status: 'unavailable' } });
  expect(await checkAs('203.0.113.9', await cookieFor(f.tenant))).toEqual(anonymous);
  expect(await checkAs('203.0.113.9', await cookieFor(f.owner))).toEqual(anonymous);
  for (const view of [await checkAs('203.0.113.9', await cookieFor(f.manager)), await checkAs('::1'), await checkAs('::ffff:127.0.0.1')]) {
    expect(view.body).toMatchObject({ status: 'unavailable', checks: { database: { status: 'up' }, worker: { status: 'down' } } });
  }
});

test('503 naming the worker when nobody polls the task queue', async () => {
  const { status, body } = await check();
  expect(status).toBe(503);
  expect(body.status).toBe('unavailable');
  expect(body.checks.database.status).toBe('up');
  expect(body.checks.temporal.status).toBe('up');
  expect(body.checks.worker).toMatchObject({ status: 'down' });
  expect(body.checks.worker.detail).toContain(taskQueue);
});

test('200 while a worker polls the task queue', async () => {
  if (Runtime._instance === undefined) Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  // An activity-only worker polls without a workflow bundle: enough to prove the check.
  const worker = await Worker.create({ connection, taskQueue, activities: { noop: async () => undefined } });
  try {
    await worker.runUntil(
      eventually(
        async () => {
          const { status, body } = await check();
          expect(body.checks.worker.status).toBe('up');
          expect(status).toBe(200);
          expect(body.status).toBe('ok');
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      ),
    );
  } finally {
    await connection.close();
  }
});
