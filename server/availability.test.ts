// Temporal and PostgreSQL away, for real: a Temporal dev server of the test's own that is started
// and then stopped, and a PostgreSQL port nobody listens on. The web's Temporal calls end within
// their deadlines, detail pages fall back to the database, and what cannot be answered is
// recognised as an outage and becomes the German 503 page.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { createDb } from '../db';
import { findTemporalCli, freePort, startTemporalDevServer, type DevServer } from '../scripts/lib/temporal';
import { unavailableResponse, unavailableService, RETRY_AFTER_SECONDS } from './availability';
import { configFrom, databaseTimeouts, temporalDeadlines } from './config';
import { queryLive, runUpdate } from './temporal';

let dir: string;
let server: DevServer | undefined;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-availability-'));
  const port = await freePort();
  server = await startTemporalDevServer({ cli: await findTemporalCli(() => undefined), port, dbFile: path.join(dir, 'temporal.db') });
  // Lazy, like the web's client (server/temporal.ts).
  connection = Connection.lazy({ address: `127.0.0.1:${port}` });
  client = new Client({ connection });
  // It was reachable: the first call connects.
  await client.workflowService.getSystemInfo({});
  await server.stop();
  server = undefined;
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function timed(work: () => Promise<unknown>): Promise<{ error?: unknown }> {
  try {
    await work();
    return {};
  } catch (error) {
    return { error };
  }
}

describe('Temporal stopped', () => {
  test('a detail page’s live status falls back to the database within its deadline', async () => {
    const started = Date.now();
    const live = await queryLive(
      'availability-probe',
      () => client.workflow.getHandle('availability-probe').query(defineQuery<string>('getStatus')),
      client,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(live).toMatchObject({ available: false, missing: false });
  });

  test('an update fails within 5 s and is recognised as a Temporal outage', async () => {
    const started = Date.now();
    const { error } = await timed(() => runUpdate(client, 'availability-probe', defineUpdate<void, [string]>('approve'), 'x', 'beendet'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(unavailableService(error)).toBe('temporal');
  });
});

describe('PostgreSQL away', () => {
  test('a connection to a port nobody listens on fails at once and is recognised as a database outage', async () => {
    const url = new URL(inject('databaseUrl'));
    url.port = String(await freePort());
    const dead = createDb(url.toString(), { timeouts: databaseTimeouts('service', configFrom({ NODE_ENV: 'test' })) });
    try {
      const started = Date.now();
      const { error } = await timed(() => dead.sequelize.query('SELECT 1'));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(unavailableService(error)).toBe('database');
    } finally {
      await dead.close();
    }
  });

  test('a statement timeout counts as an outage, a wrong statement does not', async () => {
    const settings = configFrom({ NODE_ENV: 'test', DB_STATEMENT_TIMEOUT_MS: '200' });
    const db = createDb(inject('databaseUrl'), { timeouts: databaseTimeouts('service', settings) });
    try {
      const slow = await timed(() => db.sequelize.query('SELECT pg_sleep(3)'));
      expect(unavailableService(slow.error)).toBe('database');
      const wrong = await timed(() => db.sequelize.query('SELECT * FROM no_such_table'));
      expect(wrong.error).toBeDefined();
      expect(unavailableService(wrong.error)).toBeNull();
    } finally {
      await db.close();
    }
  });
});

test('the 503 page is German, names the part that is away, and says when to retry', async () => {
  const response = unavailableResponse('temporal');
  expect(response.status).toBe(503);
  expect(response.headers.get('Retry-After')).toBe(String(RETRY_AFTER_SECONDS));
  const html = await response.text();
  expect(html).toContain('vorübergehend nicht erreichbar');
  expect(html).toContain('Die Vorgangssteuerung antwortet gerade nicht');
  expect(unavailableService(new Error('a bug'))).toBeNull();
});

test('the deadlines of the web’s Temporal calls are settings: documented defaults, a clear error naming a bad one', () => {
  expect(temporalDeadlines(configFrom({ NODE_ENV: 'test' }))).toEqual({
    reachableWithinMs: 2_000,
    updateMs: 20_000,
    queryMs: 2_000,
    outboxDeliveryMs: 5_000,
  });
  expect(temporalDeadlines(configFrom({ NODE_ENV: 'test', TEMPORAL_UPDATE_TIMEOUT_MS: '45000' })).updateMs).toBe(45_000);
  expect(() => configFrom({ NODE_ENV: 'test', TEMPORAL_QUERY_TIMEOUT_MS: '0' })).toThrow(/TEMPORAL_QUERY_TIMEOUT_MS/);
  expect(() => configFrom({ NODE_ENV: 'test', OUTBOX_DELIVERY_DEADLINE_MS: '5s' })).toThrow(/OUTBOX_DELIVERY_DEADLINE_MS/);
});
