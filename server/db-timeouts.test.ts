// The database limits from server/config.ts on a real PostgreSQL: a statement that runs too long, a
// lock that is held too long and a pool with no free connection each fail within their limit with an
// error that says which limit it was, instead of holding the request.
import { afterAll, describe, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { ConfigError, configFrom, databaseTimeouts } from './config';

const settings = configFrom({
  NODE_ENV: 'test',
  DB_STATEMENT_TIMEOUT_MS: '300',
  DB_LOCK_TIMEOUT_MS: '200',
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '2500',
  DB_POOL_ACQUIRE_TIMEOUT_MS: '1000',
});
const db = createDb(inject('databaseUrl'), { poolMax: 2, timeouts: databaseTimeouts('service', settings) });

afterAll(() => db.close());

async function elapsed(work: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { ms: Date.now() - started, error };
}

describe('database timeouts', () => {
  test('the documented defaults, larger limits for maintenance, and a clear error for bad values', () => {
    const defaults = configFrom({ NODE_ENV: 'test' });
    expect(databaseTimeouts('service', defaults)).toEqual({
      statementMs: 15_000,
      lockMs: 5_000,
      idleInTransactionMs: 60_000,
      acquireMs: 5_000,
      connectMs: 5_000,
    });
    expect(databaseTimeouts('maintenance', defaults)).toMatchObject({ statementMs: 600_000, lockMs: 60_000 });
    expect(() => configFrom({ NODE_ENV: 'test', DB_STATEMENT_TIMEOUT_MS: '15s' })).toThrow(ConfigError);
    expect(() => configFrom({ NODE_ENV: 'test', DB_STATEMENT_TIMEOUT_MS: '15s' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
    expect(() => configFrom({ NODE_ENV: 'test', DB_LOCK_TIMEOUT_MS: '-1' })).toThrow(/DB_LOCK_TIMEOUT_MS/);
  });

  test('a statement longer than statement_timeout is cancelled by the server within the limit', async () => {
    const { ms, error } = await elapsed(() => db.sequelize.query('SELECT pg_sleep(5)'));
    expect(String(error)).toMatch(/canceling statement due to statement timeout/);
    expect(ms).toBeLessThan(2_000);
    // The connection is usable again afterwards.
    const [rows] = await db.sequelize.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  test('waiting for a lock longer than lock_timeout fails, the holder keeps its lock', async () => {
    // An advisory lock: a heavyweight lock like a row's or table's, without needing a table of our own.
    const key = 160_000 + (process.pid % 10_000);
    const holder = await db.sequelize.transaction();
    try {
      await db.sequelize.query('SELECT pg_advisory_xact_lock(:key)', { replacements: { key }, transaction: holder });
      const { ms, error } = await elapsed(() => db.sequelize.query('SELECT pg_advisory_xact_lock(:key)', { replacements: { key } }));
      expect(String(error)).toMatch(/canceling statement due to lock timeout/);
      expect(ms).toBeLessThan(2_000);
      const [rows] = await db.sequelize.query('SELECT 3 AS three', { transaction: holder });
      expect(rows).toEqual([{ three: 3 }]);
    } finally {
      await holder.rollback();
    }
  });

  test('with every pooled connection busy, acquiring one fails after the acquire timeout', async () => {
    const first = await db.sequelize.transaction();
    const second = await db.sequelize.transaction();
    try {
      const { ms, error } = await elapsed(() => db.sequelize.query('SELECT 1'));
      expect((error as Error).name).toBe('SequelizeConnectionAcquireTimeoutError');
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(2_500);
    } finally {
      await first.rollback();
      await second.rollback();
    }
  });

  test('a transaction left idle is ended by the server', async () => {
    const idle = await db.sequelize.transaction();
    await db.sequelize.query('SELECT 1', { transaction: idle });
    // Twice the limit: the server ends the session on its own timer, however loaded the machine is.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const { error } = await elapsed(() => db.sequelize.query('SELECT 1', { transaction: idle }));
    // The server closed the session; its connection is discarded and the pool opens a new one.
    expect(String(error)).toMatch(/idle-in-transaction|not queryable|Connection terminated/i);
    await idle.rollback().catch(() => undefined);
    const [rows] = await db.sequelize.query('SELECT 2 AS two');
    expect(rows).toEqual([{ two: 2 }]);
  });
});
