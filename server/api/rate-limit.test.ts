// Rate limits per API token against the test run's PostgreSQL: a bucket of `limit` requests per
// minute per token, 429 problem+json with Retry-After beyond it, one token's burst leaves another
// untouched, and concurrent requests never get more than the bucket holds.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb } from '../../db/index';
import { ApiTokenInputError, authenticateApiToken, createApiToken } from '../api-tokens';
import { createOrgFixture, type OrgFixture } from '../../tests/support/fixtures';
import { handleApiRequest } from './v1';

const db = createDb(inject('databaseUrl'));
let org: OrgFixture;

beforeAll(async () => {
  org = await createOrgFixture(db);
});

afterAll(async () => {
  await db.close();
});

async function newToken(ratePerMinute: number | null) {
  const { id, token } = await createApiToken(org.managers[0]!, { name: `Limit ${ratePerMinute}`, scopes: ['read'], ratePerMinute }, { db });
  return { id, token };
}

function call(token: string) {
  return handleApiRequest(new Request('http://portal.test/api/v1/token', { headers: { Authorization: `Bearer ${token}` } }), { db });
}

describe('rate limits per token', () => {
  test('a burst of the limit passes; the next request is 429 with Retry-After, naming the token header', async () => {
    const limited = await newToken(3);
    const other = await newToken(3);
    // Three requests within a minute are the bucket: they pass whatever the machine's load.
    for (let i = 0; i < 3; i += 1) expect((await call(limited.token)).status).toBe(200);
    const refused = await call(limited.token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Content-Type')).toBe('application/problem+json');
    const retryAfter = Number(refused.headers.get('Retry-After'));
    // One request refills every 20 s; the wait is whole seconds up to that.
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(await refused.json()).toMatchObject({
      status: 429,
      errors: [{ field: 'header.authorization', detail: 'at most 3 requests per minute with this token' }],
    });
    // Another token of the same organisation has its own bucket.
    expect((await call(other.token)).status).toBe(200);

    // A minute later (moved back in the row rather than waited for) the bucket is full again.
    await db.sequelize.query(`UPDATE api_tokens SET rate_tat = rate_tat - interval '60 seconds' WHERE id = $1`, { bind: [limited.id] });
    for (let i = 0; i < 3; i += 1) expect((await call(limited.token)).status).toBe(200);
    expect((await call(limited.token)).status).toBe(429);
  });

  test('a refused request does not use up the bucket', async () => {
    const limited = await newToken(1);
    expect((await call(limited.token)).status).toBe(200);
    for (let i = 0; i < 5; i += 1) expect((await call(limited.token)).status).toBe(429);
    // Had the refusals counted, the bucket would be minutes behind; one minute refills it.
    await db.sequelize.query(`UPDATE api_tokens SET rate_tat = rate_tat - interval '60 seconds' WHERE id = $1`, { bind: [limited.id] });
    expect((await call(limited.token)).status).toBe(200);
  });

  test('a token without its own limit gets the configured default', async () => {
    const { token } = await newToken(null);
    const header = `Bearer ${token}`;
    const first = await authenticateApiToken(header, { db, defaultLimit: 2 });
    const second = await authenticateApiToken(header, { db, defaultLimit: 2 });
    const third = await authenticateApiToken(header, { db, defaultLimit: 2 });
    expect([first?.retryAfterSeconds, second?.retryAfterSeconds]).toEqual([null, null]);
    expect(third).toMatchObject({ limit: 2, principal: { organisationId: org.organisation.id } });
    expect(third?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  test('concurrent requests get no more than the bucket holds', async () => {
    const limited = await newToken(5);
    const started = Date.now();
    const statuses = await Promise.all(Array.from({ length: 15 }, async () => (await call(limited.token)).status));
    const elapsed = Date.now() - started;
    const passed = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // Five at once, plus one per 12 s the burst took (none unless the machine stalls).
    expect(passed).toBeGreaterThanOrEqual(5);
    expect(passed).toBeLessThanOrEqual(5 + Math.floor(elapsed / 12_000));
  });

  test('a manager’s limit outside 1 to 1,000,000 or not whole is refused by field', async () => {
    for (const ratePerMinute of [0, 1.5, 1_000_001, Number.NaN]) {
      const error = await createApiToken(org.managers[0]!, { name: 'X', scopes: ['read'], ratePerMinute }, { db }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiTokenInputError);
      expect((error as ApiTokenInputError).field).toBe('ratePerMinute');
    }
    const [row] = await db.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM api_tokens WHERE organisation_id = $1 AND name = 'X'`,
      {
        bind: [org.organisation.id],
        type: QueryTypes.SELECT,
      },
    );
    expect(row?.n).toBe(0);
  });
});
