// `npm start`'s supervision of its embedded services, with the real PostgreSQL binaries and the real
// Temporal dev server: each is killed with kill -9, comes back on its own data (a row committed and
// a workflow started before the crash are still there), and serves again. The limits are generous:
// crash recovery and the dev server's start take seconds on an idle machine, far more under load.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { superviseEmbeddedPostgres } from '../../scripts/lib/postgres';
import { Supervisor, type Service } from '../../scripts/lib/supervisor';
import { findTemporalCli, freePort, temporalDevServerSpec } from '../../scripts/lib/temporal';
import { eventually } from '../support/eventually';

const RECOVERY = { timeoutMs: 150_000, intervalMs: 500 };

const dir = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-embedded-'));
const events: string[] = [];
const supervisor = new Supervisor(path.join(dir, 'logs'), {
  onExit: (service, how) => events.push(`${service.name} exited ${how}`),
  onRestart: (service) => events.push(`${service.name} restarted`),
  onRestartFailed: (service, error) => events.push(`${service.name} failed: ${error.message}`),
});

afterAll(async () => {
  await supervisor.stopAll();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

/** Kills the service's process with SIGKILL and waits until the supervisor has started a new one. */
async function killAndAwaitRestart(service: Service): Promise<void> {
  const pid = service.pid;
  expect(pid).toBeDefined();
  process.kill(pid!, 'SIGKILL');
  await eventually(() => expect(events).toContain(`${service.name} exited SIGKILL`), RECOVERY);
  await eventually(() => {
    expect(service.restarts).toBe(1);
    expect(events).toContain(`${service.name} restarted`);
  }, RECOVERY);
  expect(service.pid).not.toBe(pid);
}

test('PostgreSQL killed with kill -9 is restarted on its data directory and answers again', async () => {
  const { url, service } = await superviseEmbeddedPostgres(supervisor, {
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    database: 'supervised',
  });
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query(sql)).rows as unknown[];
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await query(`CREATE TABLE kept (note text); INSERT INTO kept VALUES ('vor dem Absturz')`);

  await killAndAwaitRestart(service);

  // Answers again, after crash recovery, with what was committed before.
  expect(await eventually(() => query('SELECT note FROM kept'), RECOVERY)).toEqual([{ note: 'vor dem Absturz' }]);
  await query(`INSERT INTO kept VALUES ('nach dem Neustart')`);
  expect(await query('SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 2 }]);
}, 400_000);

test('the Temporal dev server killed with kill -9 is restarted on its database file and starts workflows again', async () => {
  const port = await freePort();
  const cli = await findTemporalCli();
  expect(cli, 'the Temporal CLI (PATH, TEMPORAL_CLI or the cache)').toBeTruthy();
  const service = await supervisor.start(temporalDevServerSpec({ cli: cli!, port, dbFile: path.join(dir, 'temporal.db') }));
  const withClient = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 5_000 });
    try {
      return await work(new Client({ connection }));
    } finally {
      await connection.close();
    }
  };
  // No worker polls this queue: the executions just stay open, which is what is checked.
  const start = (workflowId: string) =>
    withClient((client) => client.workflow.start('supervisionProbe', { workflowId, taskQueue: 'supervision-probe' }));
  await start('before-the-crash');

  await killAndAwaitRestart(service);

  const before = await eventually(() => withClient((client) => client.workflow.getHandle('before-the-crash').describe()), RECOVERY);
  expect(before.status.name).toBe('RUNNING');
  // A start whose answer the restart swallowed has still started it.
  const alreadyStarted = (error: unknown) => {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  };
  await eventually(() => start('after-the-restart').catch(alreadyStarted), RECOVERY);
  const after = await withClient((client) => client.workflow.getHandle('after-the-restart').describe());
  expect(after.status.name).toBe('RUNNING');
}, 400_000);
