// The worker's start-up sweep against the demo seed: the seeded cases are rows only, the sweep
// starts their workflows, and running it again changes nothing. Also what else the one demo seed
// of this run must show (its users and serials are fixed, so the suite seeds it only here), among it
// the demo's heating statement (issue 10 item 7).
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verify } from '@node-rs/argon2';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../db/seed/demo';
import { DEMO_STATEMENT_PROPERTY, demoStatementPeriod } from '../db/seed/statement';
import { calendarDate } from '../domain/calendar';
import { addDays } from '../domain/dates';
import { POSTAL_DELIVERY_DAYS } from '../domain/statement-lifecycle';
import { appointmentWorkflowId } from '../domain/contracts/appointment';
import { ticketWorkflowId } from '../domain/contracts/ticket';
import { uniqueSuffix } from '../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';
import { testDb } from '../tests/support/web';
import { demoHistoryMonths, pendingDemoHistoryMonths } from '../scripts/lib/demo';
import { ensureOpenCaseWorkflows } from './case-sweep';
import { deliverDemoStatement, type DemoStatementOutcome } from './demo-statement';

const database = testDb();
const taskQueue = `case-sweep-${uniqueSuffix()}`;
// The demo statement's services start and drive its workflow on the configured task queue.
process.env.TEMPORAL_TASK_QUEUE = taskQueue;
let worker: RunningWorker;
let temporal: TestClient;

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue, db: database, workflowBundle: await bundleWorkflows() });
  temporal = await connectTestClient();
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await database.close();
});

let organisationId: number;
const today = calendarDate(new Date());

// Before the demo is seeded: a start never invents past monthly information for a real portfolio.
test('a database without the demo has no demo history to fill', async () => {
  expect(await pendingDemoHistoryMonths(database, today)).toEqual([]);
});

test('the demo cases get their workflows from the sweep, once', async () => {
  ({ organisationId } = await seedDemo(database, calendarDate(new Date())));
  const tickets = await database.models.Ticket.findAll({ where: { organisationId }, order: [['id', 'ASC']] });
  const appointments = await database.models.AppointmentRequest.findAll({ where: { organisationId } });
  expect(tickets.map((t) => t.subject)).toEqual(['Heizung im Bad bleibt kalt', 'Frage zur Abrechnung 2025', 'Rauchmelder piept']);
  expect(new Set(tickets.map((t) => t.createdBy)).size).toBe(3);
  expect(appointments).toHaveLength(1);

  const workflowIds = [...tickets.map((t) => ticketWorkflowId(t.id)), appointmentWorkflowId(appointments[0]!.id)];
  const describe = (id: string) => temporal.client.workflow.getHandle(id).describe();
  await expect(describe(workflowIds[0]!)).rejects.toThrow();

  const first = await ensureOpenCaseWorkflows({ db: database, taskQueue });
  expect(first.tickets).toBeGreaterThanOrEqual(3);
  expect(first.appointments).toBeGreaterThanOrEqual(1);
  const runs = await Promise.all(workflowIds.map(async (id) => (await describe(id)).runId));

  await ensureOpenCaseWorkflows({ db: database, taskQueue });
  const again = await Promise.all(
    workflowIds.map(async (id) => {
      const description = await describe(id);
      expect(description.status.name, id).toBe('RUNNING');
      return description.runId;
    }),
  );
  expect(again).toEqual(runs);
});

// Issue 12: all seed users shared one argon2 hash (and so one salt). Each has its own now, and each logs in.
test('no two seed users share an argon2 hash or salt', async () => {
  // Users with a password (the demo's invited tenants have none until they activate).
  const users = (await database.models.User.findAll({ where: { organisationId }, attributes: ['email', 'passwordHash'] })).flatMap((u) =>
    u.passwordHash ? [{ email: u.email, passwordHash: u.passwordHash }] : [],
  );
  expect(users.length).toBeGreaterThanOrEqual(7);
  expect(new Set(users.map((u) => u.passwordHash)).size).toBe(users.length);
  expect(new Set(users.map((u) => u.passwordHash.split('$')[4])).size).toBe(users.length);
  for (const user of users) expect(await verify(user.passwordHash, DEMO_PASSWORD), user.email).toBe(true);
});

// Issue 14: a well-run portfolio as in the brochure, a few real problems, not a tenth of it in red.
test('the demo: most devices green, a handful yellow and red', async () => {
  const rows = await database.sequelize.query<{ light: string | null; n: number }>(
    `SELECT d.light, count(*)::int AS n FROM devices d JOIN properties p ON p.id = d.property_id
      WHERE p.organisation_id = :organisationId AND d.removed_at IS NULL GROUP BY d.light`,
    { replacements: { organisationId }, type: QueryTypes.SELECT },
  );
  const count = (light: string) => rows.find((r) => r.light === light)?.n ?? 0;
  const total = rows.reduce((sum, r) => sum + r.n, 0);
  expect(total).toBeGreaterThan(1500);
  expect(count('red')).toBeGreaterThanOrEqual(1);
  expect(count('yellow')).toBeGreaterThanOrEqual(1);
  // "A handful": at most 1.5 % red and 4 % yellow (the demo had 135 of 1,993 red).
  expect(count('red') / total).toBeLessThanOrEqual(0.015);
  expect(count('yellow') / total).toBeLessThanOrEqual(0.04);
});

// Issue 14 item 7: a first start stopped before its year of monthly information was complete; the
// next start fills only the months without a completed run.
test('the demo history months still to fill are those without a completed monthly run', async () => {
  const months = demoHistoryMonths(today);
  expect(months.length).toBeGreaterThan(2);
  const [done, running] = [months[0]!, months[1]!];
  const suffix = uniqueSuffix();
  await database.models.MonthlyRun.bulkCreate([
    { month: `${done}-01`, workflowId: `demo-history-test-${suffix}-done`, status: 'completed' },
    { month: `${running}-01`, workflowId: `demo-history-test-${suffix}-running`, status: 'running' },
  ]);
  const pending = await pendingDemoHistoryMonths(database, today);
  expect(pending).not.toContain(done);
  expect(pending.every((month) => months.includes(month))).toBe(true);
  // Other tests of this run may have completed runs for some months; the running one counts only if so.
  const completedElsewhere = await database.models.MonthlyRun.count({ where: { month: `${running}-01`, status: 'completed' } });
  expect(pending.includes(running)).toBe(completedElsewhere === 0);
});

interface RecipientRow {
  occupancyId: number;
  unitId: number;
  tenantName: string;
  channel: 'portal' | 'post';
  userId: number | null;
  activeAccount: boolean;
  dispatchedOn: string | null;
  receivedOn: string;
  openedAt: Date | null;
  email: string | null;
}

const recipientsOf = (statementId: number) =>
  database.sequelize.query<RecipientRow>(
    `SELECT r.occupancy_id AS "occupancyId", r.unit_id AS "unitId", r.tenant_name AS "tenantName", r.channel, r.user_id AS "userId",
            (u.id IS NOT NULL AND u.password_hash IS NOT NULL) AS "activeAccount", u.email,
            r.dispatched_on::text AS "dispatchedOn", r.received_on::text AS "receivedOn", r.opened_at AS "openedAt"
       FROM statement_recipients r JOIN tenancies t ON t.id = r.tenancy_id LEFT JOIN users u ON u.id = t.user_id
      WHERE r.statement_id = :statementId ORDER BY r.occupancy_id`,
    { replacements: { statementId }, type: QueryTypes.SELECT },
  );

const evidenceCounts = (statementId: number) =>
  database.sequelize.query<{ events: number; documents: number }>(
    `SELECT (SELECT count(*)::int FROM statement_proof_events WHERE statement_id = :statementId) AS events,
            (SELECT count(*)::int FROM documents WHERE statement_id = :statementId) AS documents`,
    { replacements: { statementId }, type: QueryTypes.SELECT },
  );

// Issue 10 item 7: last year's statement saved, approved (PDFs rendered) and delivered through the
// manager's services on real Temporal and PostgreSQL: tenants with an active portal account get it in
// the portal, the others by letter (receipt = dispatch + 3 days), the demo tenant has opened hers, and
// running the step again (a restart) creates nothing.
describe('the demo heating statement', () => {
  let first: DemoStatementOutcome;

  test('last year, delivered in the portal to tenants with an account and by post to the others; the demo tenant opened it', async () => {
    const lines: string[] = [];
    first = await deliverDemoStatement({ today, log: (line) => lines.push(line), pollMs: 250 });
    if (!first.done) throw new Error(`not done: ${first.reason}`);
    expect(first.created).toBe(true);
    expect(first.steps).toEqual(['saved', 'approved', 'delivered', 'opened']);

    const property = await database.models.Property.findOne({
      where: { organisationId, name: DEMO_STATEMENT_PROPERTY },
      rejectOnEmpty: true,
    });
    const period = demoStatementPeriod(today);
    const statements = await database.models.Statement.findAll({ where: { propertyId: property.id, periodStart: period.start } });
    expect(statements.map((s) => [s.id, s.version, s.periodEnd, s.status])).toEqual([[first.statementId, 1, period.end, 'delivered']]);

    const recipients = await recipientsOf(first.statementId);
    const tenantEmail = DEMO_LOGINS.find((l) => l.role === 'tenant')!.email;
    // The demo tenant moved in during the period: she gets hers in the portal, her predecessor a letter.
    const tenantUnit = recipients.find((r) => r.email === tenantEmail)?.unitId;
    expect(recipients.filter((r) => r.unitId === tenantUnit).map((r) => r.channel)).toEqual(['post', 'portal']);
    for (const r of recipients) {
      expect(r.channel, r.tenantName).toBe(r.activeAccount ? 'portal' : 'post');
      if (r.channel === 'post') {
        expect(r.dispatchedOn, r.tenantName).not.toBeNull();
        expect(r.receivedOn, r.tenantName).toBe(addDays(r.dispatchedOn!, POSTAL_DELIVERY_DAYS));
        expect(r.userId).toBeNull();
      } else expect(r.dispatchedOn).toBeNull();
    }
    const portal = recipients.filter((r) => r.channel === 'portal');
    expect(portal.length).toBeGreaterThanOrEqual(3);
    expect(recipients.filter((r) => r.channel === 'post').length).toBeGreaterThan(40);
    expect(first.recipients).toEqual({ portal: portal.length, post: recipients.length - portal.length });
    // Only the demo tenant has opened hers: the statement page shows zugestellt, geöffnet and per Post.
    expect(recipients.filter((r) => r.openedAt !== null).map((r) => r.email)).toEqual([tenantEmail]);
    expect(lines.at(-1)).toContain(`${portal.length} recipients in the portal`);
  }, 900_000);

  test('a second run (a restart) creates no statement, document or proof event', async () => {
    if (!first?.done) throw new Error('the first run did not finish');
    const [before] = await evidenceCounts(first.statementId);
    const recipients = await recipientsOf(first.statementId);
    const again = await deliverDemoStatement({ today, pollMs: 250 });
    expect(again).toEqual({ ...first, created: false, steps: [] });
    const property = await database.models.Property.findOne({
      where: { organisationId, name: DEMO_STATEMENT_PROPERTY },
      rejectOnEmpty: true,
    });
    expect(await database.models.Statement.count({ where: { propertyId: property.id } })).toBe(1);
    expect((await evidenceCounts(first.statementId))[0]).toEqual(before);
    expect(await recipientsOf(first.statementId)).toEqual(recipients);
  }, 300_000);
});
