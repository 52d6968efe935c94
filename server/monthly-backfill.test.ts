// Issue 14 item 7: past months' monthly information through the same workflow the Schedule starts,
// one month after the other, idempotently. Temporal's time-skipping test server with the real
// activities against the test run's PostgreSQL.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { addMonthsTo } from '../domain/monthly';
import { uniqueSuffix } from '../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture, type MonthlyFixture } from '../tests/support/monthly-fixtures';
import { startTimeSkipping, type TimeSkipping } from '../tests/support/time-skipping';
import { backfillMonthlyInformation, backfillWorkflowId, monthsBefore } from './monthly-backfill';

const db = createDb(inject('databaseUrl'));
let ts: TimeSkipping;
let f: MonthlyFixture;

beforeAll(async () => {
  ts = await startTimeSkipping({ db });
  f = await createMonthlyFixture(db);
}, 120_000);

afterAll(async () => {
  await ts?.stop();
  await db.close();
});

const months = [addMonthsTo(FIXTURE_MONTH, -1), FIXTURE_MONTH];

const runsOf = (prefix: string) =>
  db.sequelize.query<{ month: string; workflowId: string; status: string; startedAt: Date; finishedAt: Date | null }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, workflow_id AS "workflowId", status, started_at AS "startedAt", finished_at AS "finishedAt"
       FROM monthly_runs WHERE workflow_id LIKE :prefix ORDER BY started_at, id`,
    { replacements: { prefix: `${prefix}-%` }, type: QueryTypes.SELECT },
  );

const informed = () =>
  db.sequelize.query<{ month: string; units: number; published: Date }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, count(*)::int AS units, max(published_at) AS published FROM monthly_information
      WHERE property_id IN (:ids) GROUP BY month ORDER BY month`,
    { replacements: { ids: [f.property.id, f.secondProperty.id] }, type: QueryTypes.SELECT },
  );

describe('the months to backfill', () => {
  test('the given number before a month, oldest first, none before the readings begin', () => {
    const year = monthsBefore('2026-10', 11, '2025-01');
    expect(year).toHaveLength(11);
    expect([year[0], year.at(-1)]).toEqual(['2025-11', '2026-09']);
    expect(monthsBefore('2025-05', 11, '2025-01')).toEqual(['2025-01', '2025-02', '2025-03', '2025-04']);
    expect(monthsBefore('2025-01', 11, '2025-01')).toEqual([]);
  });
});

describe('backfilling past months', () => {
  test('each month through the monthly run, one after the other; a second backfill starts nothing', async () => {
    const prefix = `monthly-backfill-test-${uniqueSuffix()}`;
    const options = { client: ts.client, taskQueue: ts.taskQueue, organisationIds: [f.organisation.id], workflowIdPrefix: prefix };
    expect(await backfillMonthlyInformation(months, options)).toBe(2);

    const runs = await runsOf(prefix);
    expect(runs.map((r) => [r.month, r.workflowId, r.status])).toEqual(months.map((m) => [m, backfillWorkflowId(m, prefix), 'completed']));
    // The second month's run started only after the first had finished.
    expect(runs[0]!.finishedAt!.getTime()).toBeLessThanOrEqual(runs[1]!.startedAt.getTime());

    const [units] = await db.sequelize.query<{ count: number }>('SELECT count(*)::int AS count FROM units WHERE property_id IN (:ids)', {
      replacements: { ids: [f.property.id, f.secondProperty.id] },
      type: QueryTypes.SELECT,
    });
    const before = await informed();
    expect(before.map((m) => [m.month, m.units])).toEqual(months.map((m) => [m, units!.count]));

    expect(await backfillMonthlyInformation(months, options)).toBe(0);
    expect(await runsOf(prefix)).toEqual(runs);
    expect(await informed()).toEqual(before);
  }, 180_000);
});
