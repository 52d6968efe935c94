// The statement lifecycle on Temporal's time-skipping test server, with the real activities against
// the test run's PostgreSQL (real proof events, real PDFs): statements whose delivery deadline is
// months ahead, and the clock moved to each reminder, the deadline and the end of the objection window.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createDb, type User } from '../db';
import { saveStatement } from '../db/statements';
import { type StatementData } from '../domain/billing/statement';
import { proofEvents, verifyProofChain } from '../db/proof';
import { storedRecipientChain } from '../db/recipient-chains';
import { createActivities } from '../activities';
import { createMailer } from '../server/mail';
import {
  documentManifestSha256,
  sortManifest,
  type DeliveryNoticeInput,
  type DocumentManifestEntry,
  type ProofStepInput,
} from '../server/statement-obligation';
import { statementAddressees } from '../server/statement-documents';
import { loadStatement } from '../db/statements';
import {
  approve,
  correctReceiptDate,
  deliver,
  fileStatementObjection,
  lifecyclePanel,
  lifecycleStatus,
  recordOpening,
  startStatementLifecycle,
} from '../server/statement-lifecycle';
import { pendingWork, relayOutbox } from '../server/outbox';
import { startPending } from '../server/temporal';
import { verifyStatementProof } from '../server/proof-verification';
import type { SessionUser } from '../server/session';
import { tenantStatements } from '../server/statements';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../tests/support/fixtures';
import { createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';
import { useTestEnvironment } from '../tests/support/web';
import { recordHistory, startTimeSkipping, type TimeSkipping } from '../tests/support/time-skipping';
import { eventually, sleep } from '../tests/support/eventually';
import { addDays, addMonths } from '../domain/dates';
import { berlinDateOf } from '../domain/business-hours';
import { deliveryDeadline } from '../domain/statement-deadlines';
import { endOfGermanDayMs } from '../domain/statement-lifecycle';
import { statementWorkflowId, type LifecycleActor, type StatementLifecycleStatus } from '../domain/contracts/statement';
import { recipientWorkflowId } from '../domain/contracts/statement-recipient';
import { getRecipientStatus } from './shared/statement-recipient';

// The approval renders and stores every PDF, encrypted: the activities need the app's environment (DOCUMENT_KEY).
useTestEnvironment();
const db = createDb(inject('databaseUrl'));
let ts: TimeSkipping;
let house: StatementFixture;
let tenantA: User;
let tenantC: User;
/** Delivery attempts that recorded their proof and then crashed, per statement version. */
const crashedDeliveries = new Set<string>();
/** Delivery notices held back per statement version: its delivery's update answers once released. */
const heldNotices = new Map<string, { reached: () => void; released: Promise<void> }>();
const DAY = 86_400_000;

// One test server for the file: every statement's period is chosen from the server's clock, so the
// jumps of earlier tests do not matter.
beforeAll(async () => {
  const activities = createActivities({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }) });
  // Failure injection: the first delivery of each version crashes after its proof committed, so the
  // retry must find the stored event instead of writing a second one.
  const recordStatementStep = async (input: ProofStepInput) => {
    const proven = await activities.recordStatementStep(input);
    const key = `${input.statementId}-${input.version}`;
    if (input.step === 'delivered' && !crashedDeliveries.has(key)) {
      crashedDeliveries.add(key);
      throw new Error('worker crashed after the delivery was recorded');
    }
    return proven;
  };
  const sendDeliveryNotice = async (input: DeliveryNoticeInput) => {
    const held = heldNotices.get(`${input.statementId}-${input.version}`);
    if (held) {
      held.reached();
      await held.released;
    }
    return activities.sendDeliveryNotice(input);
  };
  ts = await startTimeSkipping({ db, activities: { ...activities, recordStatementStep, sendDeliveryNotice } });
}, 60_000);

afterAll(async () => {
  await ts?.stop();
  await db.close();
});

const options = () => ({ db, client: ts.client, taskQueue: ts.taskQueue });

/** Moves the server's clock to `ms`, firing every timer before it. */
async function skipTo(ms: number): Promise<void> {
  const now = await ts.now();
  if (ms > now) await ts.skip(ms - now);
}

/**
 * A twelve-month period that ended about nine months before the server's today: its delivery
 * deadline (the end of the twelfth month after) lies three to four months ahead, past every reminder.
 */
async function periodDueAhead(): Promise<{ start: string; end: string }> {
  const today = berlinDateOf(await ts.now());
  const end = addDays(addMonths(`${today.slice(0, 7)}-01`, -8), -1);
  return { start: addDays(addMonths(end, -12), 1), end };
}

function sessionUser(user: User): SessionUser {
  return { id: user.id, organisationId: user.organisationId, organisationName: '', email: user.email, name: user.name, role: user.role };
}

function actor(user: User, extra: Partial<LifecycleActor> = {}): LifecycleActor {
  return { userId: user.id, name: user.email, role: user.role, ip: '203.0.113.9', ...extra };
}

async function newStatement(period: { start: string; end: string }, correctionReason?: string): Promise<StatementData> {
  const manager = house.org.managers[0]!;
  return saveStatement(
    db,
    { ...house.request, period, ...(correctionReason && { correctionReason }) },
    { userId: manager.id, email: manager.email, organisationId: manager.organisationId },
  );
}

async function started(statement?: StatementData) {
  const saved = statement ?? (await newStatement(await periodDueAhead()));
  const ref = { id: saved.stored!.id, version: saved.stored!.version };
  await startStatementLifecycle(ref.id, actor(house.org.managers[0]!), options());
  await ts.skip('1 minute');
  return { saved, ref };
}

async function statusOf(ref: { id: number; version: number }): Promise<StatementLifecycleStatus> {
  const result = await lifecycleStatus(ref, options());
  if (!result.available) throw new Error(result.reason);
  return result.status;
}

async function steps(ref: { id: number; version: number }): Promise<string[]> {
  return (await proofEvents(db, ref.id, ref.version)).map((e) => e.step);
}

/** The version's tenants (occupancies with a tenancy): who it is delivered to. The period decides who they are. */
async function tenantsOf(ref: { id: number }): Promise<Array<{ unitId: number; userId: number | null }>> {
  return db.sequelize.query(
    `SELECT o.unit_id AS "unitId", t.user_id AS "userId" FROM statement_occupancies o JOIN tenancies t ON t.id = o.tenancy_id
      WHERE o.statement_id = :id`,
    { replacements: { id: ref.id }, type: QueryTypes.SELECT },
  );
}

/** Each recipient's own workflow as its row names it. */
async function recipientWorkflows(ref: { id: number; version: number }) {
  return db.sequelize.query<{ occupancyId: number; workflowId: string | null }>(
    `SELECT occupancy_id AS "occupancyId", workflow_id AS "workflowId" FROM statement_recipients
      WHERE statement_id = :id AND version = :version ORDER BY occupancy_id`,
    { replacements: ref, type: QueryTypes.SELECT },
  );
}

async function recipientState(workflowId: string | null) {
  return (await ts.client.workflow.getHandle(workflowId!).query(getRecipientStatus)).state;
}

async function dbStatus(id: number) {
  return (await db.models.Statement.findByPk(id, { rejectOnEmpty: true })).status;
}

/** The stored PDFs of a version as the manifest lists them. */
async function storedManifest(ref: { id: number; version: number }): Promise<DocumentManifestEntry[]> {
  const rows = await db.models.Document.findAll({ where: { kind: 'statement', statementId: ref.id, version: ref.version } });
  return sortManifest(rows.map((d) => ({ unitId: d.unitId!, occupancyKey: d.occupancyKey, documentId: d.id, sha256: d.sha256 })));
}

function objection(ref: { id: number; version: number }, unitId: number, key: string) {
  return {
    statement: { ...ref, propertyId: house.property.id, organisationId: house.org.organisation.id },
    unitId,
    positions: ['Heizung: Verbrauchsanteil'],
    reason: 'Der Zählerstand zum 31.12. ist zu hoch.',
    idempotencyKey: key,
  };
}

/** The tenant's objection to its flat's statement, with a fresh form token. */
function objectAs(tenant: User, ref: { id: number; version: number }, unitId: number) {
  return fileStatementObjection(sessionUser(tenant), objection(ref, unitId, `obj-${uniqueSuffix()}`), undefined, options());
}

beforeAll(async () => {
  const org = await createOrgFixture(db);
  tenantA = await createUserFixture(db, org.organisation.id, 'tenant');
  tenantC = await createUserFixture(db, org.organisation.id, 'tenant');
  house = await createStatementFixture(db, { tenantA, tenantC }, org);
});

describe('statement lifecycle', () => {
  test('the delivery deadline reminds the managers 60, 30 and 7 days ahead and escalates once when missed; a correction supersedes', async () => {
    const period = await periodDueAhead();
    const { saved, ref } = await started(await newStatement(period));
    const manager = house.org.managers[0]!;
    const dueMs = endOfGermanDayMs(deliveryDeadline(period.end));
    const status = await statusOf(ref);
    expect(status).toMatchObject({ state: 'draft', deliveryDueAt: new Date(dueMs).toISOString(), deliveryDeadlineMissed: false });
    const notes = async () =>
      (
        await db.models.Notification.findAll({ where: { userId: manager.id, link: `/abrechnungen/${ref.id}` }, order: [['id', 'ASC']] })
      ).map((n) => n.kind);

    await skipTo(dueMs - 60 * DAY - 60_000);
    expect(await notes()).toEqual([]);
    await skipTo(dueMs - 60 * DAY + 60_000);
    expect(await notes()).toEqual(['statement-reminder']);
    await skipTo(dueMs - 60_000);
    expect(await notes()).toEqual(['statement-reminder', 'statement-reminder', 'statement-reminder']);
    expect((await statusOf(ref)).deliveryDeadlineMissed).toBe(false);
    await skipTo(dueMs + 30 * DAY);
    expect(await notes()).toEqual(['statement-reminder', 'statement-reminder', 'statement-reminder', 'statement-escalation']);
    expect(await statusOf(ref)).toMatchObject({ deliveryDeadlineMissed: true, state: 'draft' });
    expect((await statusOf(ref)).remindersSent).toHaveLength(3);

    // A correction of the same period supersedes this version: its workflow ends, the new one starts over.
    const v2saved = await newStatement(period, 'Zählerstand berichtigt');
    const { ref: v2 } = await started(v2saved);
    expect(v2saved.stored!.version).toBe(saved.stored!.version + 1);
    const handle = ts.client.workflow.getHandle(statementWorkflowId(ref.id, ref.version));
    expect((await handle.result()).state).toBe('superseded');
    expect(await steps(ref)).toEqual(['created', 'corrected']);
    expect(await dbStatus(ref.id)).toBe('superseded');
    expect(await steps(v2)).toEqual(['created']);
    await recordHistory(handle, 'reminders-escalation-superseded');
  });

  test('post: every tenant gets the letter, received three days after dispatch; one receipt date for all is refused', async () => {
    const { ref } = await started();
    const manager = house.org.managers[0]!;
    await approve(ref, actor(manager), options());
    const sent = await deliver(ref, { actor: actor(manager), channel: 'post', dispatchedOn: '2026-11-02' }, options());
    expect(sent).toMatchObject({
      ok: true,
      result: { delivery: { channel: 'post', dispatchedOn: '2026-11-02', receivedOn: '2026-11-05' }, objectionDeadline: '2027-11-30' },
    });
    // Every tenant got the letter, the ones with an account too: each recipient has the receipt date.
    const { recipients } = await statusOf(ref);
    const tenants = await tenantsOf(ref);
    expect(recipients).toHaveLength(tenants.length);
    expect(new Set(recipients!.map((r) => `${r.channel} ${r.dispatchedOn} ${r.receivedOn} ${r.objectionDeadline}`))).toEqual(
      new Set(['post 2026-11-02 2026-11-05 2027-11-30']),
    );
    // The receipt is per tenant now: one date for everybody is refused.
    const corrected = await correctReceiptDate(ref, actor(manager), '2026-11-09', options());
    expect(corrected).toMatchObject({ ok: false, message: expect.stringMatching(/je Mieter zugestellt/) });
    expect(await steps(ref)).toEqual(['created', 'approved', ...Array(tenants.length).fill('delivered'), 'delivered']);
    await ts.terminate(ts.client.workflow.getHandle(statementWorkflowId(ref.id, ref.version)));
  });

  test('a delivered version stays valid for its tenants until its correction is delivered', async () => {
    const period = await periodDueAhead();
    const { ref } = await started(await newStatement(period));
    const manager = house.org.managers[0]!;
    await approve(ref, actor(manager), options());
    expect((await deliver(ref, { actor: actor(manager), channel: 'portal' }, options())).ok).toBe(true);

    const { ref: v2 } = await started(await newStatement(period, 'Heizkosten berichtigt'));
    // A correction in draft (and approved) does not replace what the tenants have.
    expect(await dbStatus(ref.id)).toBe('delivered');
    expect((await approve(v2, actor(manager), options())).ok).toBe(true);
    await ts.skip('1 minute');
    expect(await dbStatus(ref.id)).toBe('delivered');

    expect((await deliver(v2, { actor: actor(manager), channel: 'portal' }, options())).ok).toBe(true);
    const handle = ts.client.workflow.getHandle(statementWorkflowId(ref.id, ref.version));
    expect((await handle.result()).state).toBe('superseded');
    expect(await dbStatus(ref.id)).toBe('superseded');
    // Each tenant's own workflow of v1 ended with it: superseded while its window ran.
    const own = await recipientWorkflows(ref);
    expect(own.length).toBeGreaterThan(0);
    for (const { workflowId } of own) expect((await ts.client.workflow.getHandle(workflowId!).result()).state).toBe('superseded');
    // …and its stored chain says so: the supersession is each tenant's last line.
    for (const { occupancyId } of own) {
      const { lines } = await storedRecipientChain(db, { statementId: ref.id, version: ref.version, occupancyId });
      expect(lines.map((l) => JSON.parse(l.line).kind)).toEqual(['created', 'approved', 'delivered', 'superseded']);
    }
    await recordHistory(ts.client.workflow.getHandle(own[0]!.workflowId!), 'delivered-superseded');
    expect((await steps(ref)).at(-1)).toBe('corrected');
    // The tenants keep the version they received, marked superseded, beside the new one.
    const mine = (await tenantStatements(sessionUser(tenantC))).filter((r) => r.id === ref.id || r.id === v2.id);
    expect(mine.map((r) => [r.version, r.status, r.documentNumber])).toEqual([
      [v2.version, 'delivered', mine[0]!.documentNumber],
      [ref.version, 'superseded', mine[0]!.documentNumber],
    ]);
  }, 60_000);

  test('a tenant cannot object before delivery', async () => {
    const { ref } = await started();
    await approve(ref, actor(house.org.managers[0]!), options());
    const early = await objectAs(tenantA, ref, house.units.a.id);
    expect(early).toMatchObject({ ok: false, message: expect.stringMatching(/erst nach der Zustellung/) });
    await ts.terminate(ts.client.workflow.getHandle(statementWorkflowId(ref.id, ref.version)));
  });

  test('per recipient: the portal only for tenants with an account, letters for the others, each with its own receipt, window and opening', async () => {
    // The exact-day rule makes the window end on the receipt's date a year later: a letter's ends three days after the portal's.
    await db.sequelize.query(
      `INSERT INTO statement_lifecycle_settings (organisation_id, objection_deadline_mode) VALUES (:id, 'exact-day')
       ON CONFLICT (organisation_id) DO UPDATE SET objection_deadline_mode = 'exact-day'`,
      { replacements: { id: house.org.organisation.id } },
    );
    try {
      const { ref } = await started();
      const manager = house.org.managers[0]!;
      await approve(ref, actor(manager), options());
      const today = berlinDateOf(await ts.now());
      expect((await deliver(ref, { actor: actor(manager), channel: 'portal' }, options())).ok).toBe(true);
      const status = await statusOf(ref);
      const recipients = status.recipients!;
      // Every tenant of the period; only A's new tenant and C have an account.
      const n = (await tenantsOf(ref)).length;
      expect(n).toBeGreaterThanOrEqual(4);
      expect(recipients).toHaveLength(n);
      const portal = recipients.filter((r) => r.channel === 'portal');
      expect(portal.map((r) => r.userId).sort()).toEqual([tenantA.id, tenantC.id].sort());
      expect(new Set(portal.map((r) => `${r.receivedOn} ${r.objectionDeadline}`))).toEqual(new Set([`${today} ${addMonths(today, 12)}`]));
      const letters = recipients.filter((r) => r.channel === 'post');
      const arrives = addDays(today, 3);
      expect(new Set(letters.map((r) => `${r.userId} ${r.dispatchedOn} ${r.receivedOn} ${r.objectionDeadline}`))).toEqual(
        new Set([`null ${today} ${arrives} ${addMonths(arrives, 12)}`]),
      );
      expect(recipients.every((r) => !r.deadlineMissed)).toBe(true);
      expect(status.objectionDeadline).toBe(addMonths(arrives, 12));

      const page = () => lifecyclePanel(sessionUser(manager), { ...ref, status: 'delivered', propertyId: house.property.id }, options());
      const before = await page();
      expect(before.recipientSummary).toBe(`${n} Empfänger: 2 zugestellt, ${n - 2} per Post unterwegs`);
      expect(before.recipients.find((r) => r.userId === tenantC.id)).toMatchObject({ unitId: house.units.c.id, channel: 'portal' });

      // Each tenant got its own workflow, named on its row: the web sends that tenant's messages there.
      await ts.skip('1 minute');
      const own = await recipientWorkflows(ref);
      expect(own).toEqual(
        recipients
          .map((r) => ({ occupancyId: r.occupancyId, workflowId: recipientWorkflowId(ref.id, ref.version, r.occupancyId) }))
          .sort((a, b) => a.occupancyId - b.occupancyId),
      );
      const workflowOf = (userId: number) =>
        recipientWorkflowId(ref.id, ref.version, recipients.find((r) => r.userId === userId)!.occupancyId);

      await recordOpening(ref, actor(tenantA), house.units.a.id, 'download', undefined, options());
      await ts.skip('1 minute');
      expect((await statusOf(ref)).state).toBe('delivered');
      // A's own workflow proved the opening, naming A's recipient.
      expect(await recipientState(workflowOf(tenantA.id))).toBe('opened');
      expect(await recipientState(workflowOf(tenantC.id))).toBe('delivered');
      const [opening] = (await proofEvents(db, ref.id, ref.version)).filter((e) => e.step === 'opened');
      expect(opening!.details).toMatchObject({
        unitId: house.units.a.id,
        occupancyId: recipients.find((r) => r.userId === tenantA.id)!.occupancyId,
      });
      const filed = await objectAs(tenantA, ref, house.units.a.id);
      expect(filed.ok).toBe(true);
      expect((await page()).recipientSummary).toBe(`${n} Empfänger: 1 zugestellt, ${n - 2} per Post unterwegs, 1 Einspruch`);
      // Each delivery is proven with the recipient's channel and dates.
      const delivered = (await proofEvents(db, ref.id, ref.version)).filter((e) => e.step === 'delivered' && e.details.occupancyId);
      expect(delivered.map((e) => e.details.channel).sort()).toEqual(['portal', 'portal', ...Array(n - 2).fill('post')]);
      expect(delivered.every((e) => e.ip === '203.0.113.9' && e.actor === manager.email)).toBe(true);
      // The creation carries its IP like every other step.
      expect((await proofEvents(db, ref.id, ref.version))[0]).toMatchObject({ step: 'created', ip: '203.0.113.9' });

      // After the portal tenants' window, before the letters': C's objection is refused with C's own deadline; the version runs on.
      await skipTo(endOfGermanDayMs(addMonths(today, 12)) + DAY);
      const late = await objectAs(tenantC, ref, house.units.c.id);
      expect(late).toMatchObject({ ok: false, message: expect.stringMatching(/Einspruchsfrist .*abgelaufen/) });
      expect(await dbStatus(ref.id)).toBe('delivered');
      // C's window has closed; C's workflow waits for the version's end.
      expect(await recipientState(workflowOf(tenantC.id))).toBe('final');
      await skipTo(endOfGermanDayMs(addMonths(arrives, 12)) + DAY);
      expect(await dbStatus(ref.id)).toBe('final');
      for (const { workflowId } of own) expect((await ts.client.workflow.getHandle(workflowId!).result()).state).toBe('final');
      // Each tenant's own stored chain: A's holds A's opening and objection, C's neither; each ends with the window.
      const kinds = async (userId: number | null) => {
        const occupancyId = userId === null ? letters[0]!.occupancyId : recipients.find((r) => r.userId === userId)!.occupancyId;
        const { lines } = await storedRecipientChain(db, { statementId: ref.id, version: ref.version, occupancyId });
        return lines.map((l) => JSON.parse(l.line).kind as string);
      };
      expect(await kinds(tenantA.id)).toEqual(['created', 'approved', 'delivered', 'opened', 'objection', 'window-closed']);
      expect(await kinds(tenantC.id)).toEqual(['created', 'approved', 'delivered', 'window-closed']);
      expect(await kinds(null)).toEqual(['created', 'approved', 'delivered', 'window-closed']);
      await recordHistory(ts.client.workflow.getHandle(workflowOf(tenantA.id)), 'delivered-opened-objection-final');
      await recordHistory(ts.client.workflow.getHandle(statementWorkflowId(ref.id, ref.version)), 'per-recipient-workflows-final');
    } finally {
      await db.sequelize.query('DELETE FROM statement_lifecycle_settings WHERE organisation_id = :id', {
        replacements: { id: house.org.organisation.id },
      });
    }
  }, 120_000);

  test("an opening between the delivery and the start of the tenant's own workflow is proven by that workflow, once", async () => {
    const { ref } = await started();
    const manager = house.org.managers[0]!;
    await approve(ref, actor(manager), options());
    // The delivery is held at its notice: every recipient's row is written and the statement is
    // delivered for its tenants, but the version's workflow has not started their workflows yet.
    let reached!: () => void;
    let release!: () => void;
    const atNotice = new Promise<void>((resolve) => (reached = resolve));
    heldNotices.set(`${ref.id}-${ref.version}`, { reached, released: new Promise<void>((resolve) => (release = resolve)) });
    const delivering = deliver(ref, { actor: actor(manager), channel: 'portal' }, options());
    try {
      await atNotice;
      expect(await dbStatus(ref.id)).toBe('delivered');
      // A's row names A's own workflow already, which does not run yet.
      const [own] = await db.sequelize.query<{ occupancyId: number; workflowId: string }>(
        `SELECT occupancy_id AS "occupancyId", workflow_id AS "workflowId" FROM statement_recipients
          WHERE statement_id = :id AND version = :version AND user_id = :userId`,
        { replacements: { ...ref, userId: tenantA.id }, type: QueryTypes.SELECT },
      );
      expect(own!.workflowId).toBe(recipientWorkflowId(ref.id, ref.version, own!.occupancyId));
      await expect(ts.client.workflow.getHandle(own!.workflowId).describe()).rejects.toThrow(WorkflowNotFoundError);
      // A verification meanwhile finds nothing amiss in the tenants' workflows: still to be started, they anchored nothing yet.
      const { findings } = await verifyStatementProof(db, ts.client, ref);
      expect(findings.filter((f) => f.message.includes('-recipient-'))).toEqual([]);

      // The opening waits in the outbox for A's workflow instead of going to the version's.
      await recordOpening(ref, actor(tenantA), house.units.a.id, 'view', undefined, options());
      expect((await pendingWork([own!.workflowId], db)).has(own!.workflowId)).toBe(true);
      // An objection (synchronous: nothing to queue) waits for the start too.
      let answered = false;
      const objecting = objectAs(tenantA, ref, house.units.a.id).finally(() => (answered = true));
      await sleep(500);
      expect(answered).toBe(false);

      release();
      expect((await delivering).ok).toBe(true);
      expect(await objecting).toMatchObject({ ok: true });
      // The relay (every worker runs one) signals the opening once A's workflow runs.
      await eventually(
        async () => {
          await relayOutbox({ db, client: ts.client, taskQueue: ts.taskQueue });
          expect((await pendingWork([own!.workflowId], db)).size).toBe(0);
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      await ts.skip('1 minute');
      expect(await recipientState(own!.workflowId)).toBe('opened');
      // Opened again, now straight to A's workflow: the same key, so still one opening in the proof.
      await recordOpening(ref, actor(tenantA), house.units.a.id, 'download', undefined, options());
      await ts.skip('1 minute');
      const openings = (await proofEvents(db, ref.id, ref.version)).filter((e) => e.step === 'opened');
      expect(openings).toHaveLength(1);
      // Proven by A's own workflow: only it names the recipient (the version's names the flat).
      expect(openings[0]!.details).toMatchObject({ unitId: house.units.a.id, occupancyId: own!.occupancyId });
      expect((await statusOf(ref)).openedAt).toBeNull();
    } finally {
      release();
      await delivering;
      heldNotices.delete(`${ref.id}-${ref.version}`);
    }
    // A named workflow is waited for while the version's runs (it starts them), not once that has ended.
    const versionId = statementWorkflowId(ref.id, ref.version);
    const neverStarted = recipientWorkflowId(ref.id, ref.version, 0);
    expect(await startPending(ts.client, neverStarted, versionId)).toBe(true);
    await ts.terminate(ts.client.workflow.getHandle(versionId));
    expect(await startPending(ts.client, neverStarted, versionId)).toBe(false);
  }, 120_000);

  // Last: it moves the clock by more than a year.
  test('draft → approved → delivered → opened → objection → final, every step proven once', async () => {
    const { ref } = await started();
    const manager = house.org.managers[0]!;
    expect(await steps(ref)).toEqual(['created']);

    const byOwner = await approve(ref, actor(house.org.owner), options());
    expect(byOwner).toEqual({ ok: false, message: 'Freigeben dürfen die Verwaltung und von ihr beauftragte Eigentümer.' });
    const tooEarly = await deliver(ref, { actor: actor(manager), channel: 'portal' }, options());
    expect(tooEarly.ok).toBe(false);

    expect(await approve(ref, actor(house.org.owner, { delegated: true }), options())).toMatchObject({
      ok: true,
      result: { state: 'approved' },
    });
    expect((await approve(ref, actor(manager), options())).ok).toBe(false);
    expect(await dbStatus(ref.id)).toBe('approved');

    // The approval rendered and stored every unit's (and occupancy's) PDF; the proof refers to their manifest.
    const statement = (await loadStatement(db, ref.id))!;
    const manifest = await storedManifest(ref);
    expect(manifest.map((d) => [d.unitId, d.occupancyKey])).toEqual(
      sortManifest(statementAddressees(statement).map((a) => ({ ...a, documentId: 0, sha256: '' }))).map((a) => [a.unitId, a.occupancyKey]),
    );
    expect(new Set(manifest.filter((d) => d.occupancyKey === null).map((d) => d.unitId))).toEqual(
      new Set(statement.units.map((u) => u.unitId)),
    );
    const manifestSha256 = documentManifestSha256(manifest);
    const [created, approved] = await proofEvents(db, ref.id, ref.version);
    expect(created!.documentSha256).toBe(statement.stored!.engineInputSha256);
    expect(approved!.documentSha256).toBe(manifestSha256);
    expect(approved!.details.documents).toEqual(manifest);

    const delivered = await deliver(ref, { actor: actor(manager), channel: 'portal' }, options());
    expect(delivered).toMatchObject({ ok: true, result: { state: 'delivered', delivery: { channel: 'portal' } } });
    expect(crashedDeliveries.has(`${ref.id}-${ref.version}`)).toBe(true);
    expect(await dbStatus(ref.id)).toBe('delivered');
    await ts.skip('1 minute');
    const notices = await db.models.Mail.findAll({ where: { toAddress: [tenantA.email, tenantC.email] } });
    expect(
      notices.filter((m) => m.subject.includes('Portal bereit') && m.dedupeKey?.startsWith(statementWorkflowId(ref.id, ref.version))),
    ).toHaveLength(2);

    await recordOpening(ref, actor(tenantA), house.units.a.id, 'view', undefined, options());
    await recordOpening(ref, actor(tenantA), house.units.a.id, 'download', 'b'.repeat(64), options());
    await ts.skip('1 minute');
    // The opening is tenant A's: the version stays delivered, A's recipient is opened.
    const opened = await statusOf(ref);
    expect(opened.state).toBe('delivered');
    const panel = await lifecyclePanel(sessionUser(manager), { ...ref, status: 'delivered', propertyId: house.property.id }, options());
    expect(panel.recipients.filter((r) => r.state === 'opened').map((r) => r.userId)).toEqual([tenantA.id]);

    const filed = await objectAs(tenantA, ref, house.units.a.id);
    expect(filed.ok).toBe(true);
    const stored = await db.models.Objection.findAll({ where: { statementId: ref.id, version: ref.version } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.ticketId).not.toBeNull();
    const ticket = await db.models.Ticket.findByPk(stored[0]!.ticketId!, { rejectOnEmpty: true });
    expect(ticket).toMatchObject({
      category: 'statement_objection',
      linkedKind: 'statement',
      linkedId: ref.id,
      linkedVersion: ref.version,
    });
    // Titled with the document number, the version disputed and the flat.
    const { documentNumber } = await db.models.Statement.findByPk(ref.id, { rejectOnEmpty: true });
    expect(ticket.subject).toBe(`Einspruch ${documentNumber} v${ref.version} · ${house.units.a.label}`);

    // The objection window: until the end of the twelfth month after receipt (German time).
    const windowEnd = Date.parse(opened.objectionWindowEndsAt!);
    expect(opened.objectionDeadline).toBe(berlinDateOf(windowEnd - 1));
    await skipTo(windowEnd - DAY);
    expect(await dbStatus(ref.id)).not.toBe('final');
    await skipTo(windowEnd + DAY);
    expect(await dbStatus(ref.id)).toBe('final');
    const n = (await tenantsOf(ref)).length;
    expect(await steps(ref)).toEqual([
      'created',
      'approved',
      ...Array(n).fill('delivered'),
      'delivered',
      'opened',
      'objection_filed',
      'final',
    ]);
    expect(await verifyProofChain(db, ref.id, ref.version)).toEqual({ ok: true, checked: n + 6 });
    // From approval on every step refers to the manifest; the first opening (a view) too.
    expect((await proofEvents(db, ref.id, ref.version)).slice(1).map((e) => e.documentSha256)).toEqual(Array(n + 5).fill(manifestSha256));
    // The stored PDFs were reused, not rendered again.
    expect(await storedManifest(ref)).toEqual(manifest);

    const late = await objectAs(tenantA, ref, house.units.a.id);
    expect(late.ok).toBe(false);
    expect(late.ok === false && late.message).toMatch(/Einspruchsfrist .*abgelaufen/);
    const handle = ts.client.workflow.getHandle(statementWorkflowId(ref.id, ref.version));
    expect((await handle.result()).state).toBe('final');
    await recordHistory(handle, 'approved-delivered-opened-objection-final');
  }, 120_000);
});
