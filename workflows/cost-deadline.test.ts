// The cost-data deadline ("Abgabefrist") on Temporal's time-skipping test server with the real
// activities and PostgreSQL: reminders before the deadline, one escalation when it is missed, and
// the saved statement for the period that closes it.
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { createDb } from '../db';
import { addDays, addMonths, addYears } from '../domain/dates';
import { costDeadlineWorkflowId } from '../domain/contracts/cost-deadline';
import { costDeadlineDueAt, ensureCostDeadlines, previousCalendarYear } from '../server/cost-deadlines';
import type { SessionUser } from '../server/session';
import { saveStatementDraft } from '../server/statement-lifecycle';
import { settleOutbox as settle } from '../tests/support/outbox-settle';
import { sessionUserOf } from '../tests/support/fixtures';
import { createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';
import { recordHistory, timeSkippingPerTest, type TimeSkipping } from '../tests/support/time-skipping';
import { costDeadlineStatus } from './shared/cost-deadline';
import { SA } from './shared/search-attributes';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
process.env.DATABASE_URL ??= inject('databaseUrl');

const db = createDb(inject('databaseUrl'));
const DAY = 86_400_000;
const HOUR = 3_600_000;

afterAll(async () => {
  await db.close();
});

let ts: TimeSkipping;
const server = timeSkippingPerTest({ db });
beforeEach(() => {
  ts = server.current;
});

let house: StatementFixture;
let manager: SessionUser;
beforeAll(async () => {
  house = await createStatementFixture(db);
  manager = sessionUserOf(house.org.managers[0]);
});

const ofKind = async (propertyId: number, periodEnd: string, kind: string) =>
  (await db.models.Notification.findAll({ where: { kind } })).filter((n) =>
    n.dedupeKey?.startsWith(`${costDeadlineWorkflowId(propertyId, periodEnd)}:`),
  );

const settleOutbox = () => settle(db, ts.client, ts.taskQueue);
/** What the workflow publishes for the desk's "überfällig" (read from the execution, not from visibility). */
const overdueOf = async (handle: WorkflowHandle) => (await handle.describe()).typedSearchAttributes.get(SA.overdue);

describe('the cost-data deadline', () => {
  test('reminds before the deadline and escalates once when it is missed', async () => {
    // A period whose costs fall due about 20 days after the server's clock. Month-end clamping may
    // move the due date a few days, so every step is measured from the actual due date, not "today".
    const end = addMonths(new Date((await ts.now()) + 20 * DAY).toISOString().slice(0, 10), -3);
    const period = { start: addDays(addYears(end, -1), 1), end };
    const options = { db, client: ts.client, taskQueue: ts.taskQueue, propertyIds: [house.property.id] };
    expect(await ensureCostDeadlines(period, options)).toBe(1);
    await settleOutbox();
    const handle = ts.client.workflow.getHandle(costDeadlineWorkflowId(house.property.id, end));
    const dueAt = (await handle.query(costDeadlineStatus)).dueAt;
    expect(dueAt).toBe(addMonths(end, 3));
    const dueMs = Date.parse(`${dueAt}T00:00:00Z`);
    const skipTo = async (atMs: number) => ts.skip(atMs - (await ts.now()));
    await ts.skip('1 hour');
    const managers = house.org.managers.length;
    const reminders = () => ofKind(house.property.id, end, 'cost-deadline-reminder');
    const escalations = () => ofKind(house.property.id, end, 'cost-deadline-escalation');
    expect(await reminders()).toHaveLength(managers); // the 30-day point had passed
    expect(await overdueOf(handle)).toBe(false);
    await skipTo(dueMs - 7 * DAY - HOUR);
    expect(await reminders()).toHaveLength(managers);
    await skipTo(dueMs - 7 * DAY + HOUR);
    expect(await reminders()).toHaveLength(2 * managers); // 7 days before
    await skipTo(dueMs - HOUR);
    expect(await escalations()).toHaveLength(0);
    expect(await overdueOf(handle)).toBe(false);
    await skipTo(dueMs + HOUR);
    expect(await escalations()).toHaveLength(managers);
    expect(await overdueOf(handle)).toBe(true);
    await ts.skip('30 days');
    expect(await escalations()).toHaveLength(managers);
    expect(await handle.query(costDeadlineStatus)).toMatchObject({ state: 'escalated', escalated: true, statementId: null });
    // Starting again (another sweep) keeps the one running obligation.
    await ensureCostDeadlines(period, options);
    await settleOutbox();
    await ts.skip('1 minute');
    expect(await escalations()).toHaveLength(managers);
    await recordHistory(handle, 'reminders-escalation');
    await ts.terminate(handle);
  });

  test('a missed deadline escalates once; saving the statement closes it', async () => {
    const { period } = house.request;
    const options = { db, client: ts.client, taskQueue: ts.taskQueue };
    // The organisation's own deadline (settings page): 5 months instead of the default 3.
    await db.sequelize.query(
      `INSERT INTO statement_lifecycle_settings (organisation_id, cost_deadline_months) VALUES (:id, 5)
       ON CONFLICT (organisation_id) DO UPDATE SET cost_deadline_months = 5`,
      { replacements: { id: house.org.organisation.id } },
    );
    await ensureCostDeadlines(period, { ...options, propertyIds: [house.property.id] });
    await settleOutbox();
    const handle = ts.client.workflow.getHandle(costDeadlineWorkflowId(house.property.id, period.end));
    expect((await handle.query(costDeadlineStatus)).dueAt).toBe(addMonths(period.end, 5));
    await ts.skip('1 hour');
    expect((await handle.query(costDeadlineStatus)).dueAt).toBe(addMonths(period.end, 5));
    const managers = house.org.managers.length;
    // Long past (the fixture period is 2025): no reminders, the escalation at once.
    expect(await ofKind(house.property.id, period.end, 'cost-deadline-reminder')).toHaveLength(0);
    expect(await ofKind(house.property.id, period.end, 'cost-deadline-escalation')).toHaveLength(managers);
    expect(await overdueOf(handle)).toBe(true);
    await ts.skip('10 days');
    expect(await ofKind(house.property.id, period.end, 'cost-deadline-escalation')).toHaveLength(managers);

    const statementId = await saveStatementDraft(manager, house.request, undefined, options);
    await settleOutbox();
    expect(await handle.result()).toMatchObject({ state: 'entered', statementId, escalated: true });
    // Done, so no longer overdue: cleared before the result was recorded.
    expect(await overdueOf(handle)).toBe(false);
    await recordHistory(handle, 'escalation-then-statement');

    // An obligation started after the statement was saved closes at once, telling nobody.
    const fresh = await createStatementFixture(db);
    await saveStatementDraft(
      { ...manager, id: fresh.org.managers[0]!.id, organisationId: fresh.org.organisation.id, email: fresh.org.managers[0]!.email },
      fresh.request,
      undefined,
      options,
    );
    await settleOutbox();
    await ensureCostDeadlines(period, { ...options, propertyIds: [fresh.property.id] });
    await settleOutbox();
    const late = ts.client.workflow.getHandle(costDeadlineWorkflowId(fresh.property.id, period.end));
    expect(await late.result()).toMatchObject({ state: 'entered', escalated: false });
    expect(await ofKind(fresh.property.id, period.end, 'cost-deadline-escalation')).toHaveLength(0);
  });
});

test('the start-up sweep covers the previous calendar year', () => {
  expect(previousCalendarYear('2026-11-30')).toEqual({ start: '2025-01-01', end: '2025-12-31' });
  expect(costDeadlineDueAt('2025-12-31')).toBe('2026-03-31');
});
