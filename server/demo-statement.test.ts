// Issue 10 item 7: the demo's heating statement of last year, saved, approved (PDFs rendered) and
// delivered through the manager's services on real Temporal and PostgreSQL: tenants with an active
// portal account get it in the portal, the others by letter (receipt = dispatch + 3 days), the demo
// tenant has opened hers, and running the step again creates nothing.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_LOGINS } from '../db/seed/demo';
import { DEMO_STATEMENT_PROPERTY, demoStatementPeriod } from '../db/seed/statement';
import { calendarDate } from '../domain/calendar';
import { addDays } from '../domain/dates';
import { POSTAL_DELIVERY_DAYS } from '../domain/statement-lifecycle';
import { seededDemo } from '../tests/support/demo-seed';
import { uniqueSuffix } from '../tests/support/fixtures';
import { bundleWorkflows, startTestWorker, type RunningWorker } from '../tests/support/temporal';
import { testDb } from '../tests/support/web';
import { deliverDemoStatement, type DemoStatementOutcome } from './demo-statement';
import { pdfRenderer } from './statements';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `demo-statement-${uniqueSuffix()}`;
let worker: RunningWorker;
let organisationId: number;
const today = calendarDate(new Date());

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database, workflowBundle: await bundleWorkflows() });
  ({ organisationId } = await seededDemo(database));
}, 300_000);

afterAll(async () => {
  await pdfRenderer().close();
  await worker?.stop();
  await database.close();
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
