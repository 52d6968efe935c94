// A late objection accepted by the manager (BGB §556(3) S.6, issue 10): the version's letters went
// out long ago, so its workflow has ended with the last window. On a recipient's proof page the
// manager accepts the tenant's objection with a mandatory reason; its own workflow proves it in that
// recipient's chain (actor, server time, IP, reason), opens the objection's ticket and audits it.
// The verification finds the head anchored in that workflow, and the exported bundle still verifies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb, type User } from '../../db';
import type { StatementData } from '../../domain/billing/statement';
import { lateObjectionWorkflowId } from '../../domain/contracts/late-objection';
import { proofEvents, verifyProofChain } from '../../db/proof';
import { verifyStatementProof } from '../../server/proof-verification';
import { pdfRenderer } from '../../server/statements';
import { temporalClient } from '../../server/temporal';
import { deliveredStatement } from '../../tests/support/delivered-statement';
import { exportAndVerifyRecipient } from '../../tests/support/proof-cli';
import { asInsider, dropNewestEvent } from '../../tests/support/tamper';
import { eventually } from '../../tests/support/eventually';
import { recordHistory } from '../../tests/support/time-skipping';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { createStatementFixture } from '../../tests/support/statement-fixtures';
import { startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { action, loader } from './abrechnungen.$id_.nachweis_.$occupancyId';
import { loader as tenantStatementLoader } from './meine-abrechnungen.$id';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `late-objection-${uniqueSuffix()}`;
const dir = mkdtempSync(join(tmpdir(), 'klarmeter-late-'));

// Letters posted on a fixed day: received three days later, the window closed at the end of January
// 2026, long before any day this test runs on.
const DISPATCHED_ON = '2025-01-10';
const WINDOW_LAST_DAY = '2026-01-31';
const OBJECTION_RECEIVED_ON = '2026-02-20';

let worker: RunningWorker;
let statement: StatementData;
let manager: User;
let tenantA: User;
let recipient: { occupancyId: number; unitId: number; unitLabel: string; objectionDeadline: string };

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  const org = await createOrgFixture(database);
  tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  const tenantC = await createUserFixture(database, org.organisation.id, 'tenant');
  const house = await createStatementFixture(database, { tenantA, tenantC }, org);
  manager = org.managers[0]!;
  statement = await deliveredStatement(database, house, manager, { channel: 'post', dispatchedOn: DISPATCHED_ON });
  // The version's workflow proves "final" right after the delivery and ends: wait for it, so it cannot race the tests.
  await eventually(
    async () => {
      const row = await database.models.Statement.findByPk(statement.stored!.id, { attributes: ['status'], rejectOnEmpty: true });
      if (row.status !== 'final') throw new Error(`statement is ${row.status}, not yet final`);
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  const [row] = await database.sequelize.query<typeof recipient>(
    `SELECT r.occupancy_id AS "occupancyId", r.unit_id AS "unitId", u.label AS "unitLabel", r.objection_deadline::text AS "objectionDeadline"
       FROM statement_recipients r JOIN units u ON u.id = r.unit_id
      WHERE r.statement_id = :id ORDER BY r.occupancy_id LIMIT 1`,
    { replacements: { id: statement.stored!.id }, type: QueryTypes.SELECT },
  );
  recipient = row!;
}, 300_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pdfRenderer().close();
  await worker?.stop();
  await database.close();
});

const ref = () => ({ id: statement.stored!.id, version: statement.stored!.version });
const params = () => ({ id: String(statement.stored!.id), occupancyId: String(recipient.occupancyId) });
const path = () => `/abrechnungen/${statement.stored!.id}/nachweis/${recipient.occupancyId}`;

async function post(who: User, form: Record<string, string | string[]>) {
  return run(action, makeRequest(path(), { cookie: await cookieFor(who), form }), params(), { clientIp: '198.51.100.41' });
}

const valid = {
  intent: 'accept-late-objection',
  receivedOn: OBJECTION_RECEIVED_ON,
  positions: ['Heizkosten', 'Verbrauchswerte'],
  objection: 'Der Verbrauch im Wohnzimmer ist zu hoch angesetzt.',
  reason: 'Krankenhausaufenthalt vom 10.01. bis 15.02.2026 (Bescheinigung liegt vor).',
};

async function acceptances(): Promise<number> {
  const [row] = await database.sequelize.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM statement_late_objections WHERE occupancy_id = :occupancyId',
    { replacements: { occupancyId: recipient.occupancyId }, type: QueryTypes.SELECT },
  );
  return row!.n;
}

describe('late objection accepted by the manager', () => {
  test('the window has closed and the version has ended; the page offers the acceptance to the manager only', async () => {
    expect(recipient.objectionDeadline).toBe(WINDOW_LAST_DAY);
    const row = await database.models.Statement.findByPk(statement.stored!.id, { attributes: ['status'], rejectOnEmpty: true });
    expect(row.status).toBe('final');
    const page = dataOf(await run(loader, makeRequest(path(), { cookie: await cookieFor(manager) }), params()));
    expect(page.lateObjection).toEqual({ canAccept: true, accepted: null, pending: false });
  }, 120_000);

  test('a missing reason, a day inside the window or no position is refused naming the field; nothing is proven', async () => {
    const before = (await proofEvents(database, ref().id, ref().version)).length;
    const noReason = dataOf(await post(manager, { ...valid, reason: '  ' }));
    expect(noReason).toMatchObject({
      form: 'late-objection',
      ok: false,
      errors: { reason: expect.stringMatching(/^Warum hat der Mieter die Verspätung nicht zu vertreten\?: bitte angeben/) },
      values: { objection: valid.objection },
    });
    const inWindow = dataOf(await post(manager, { ...valid, receivedOn: WINDOW_LAST_DAY, positions: [] }));
    expect(inWindow).toMatchObject({
      ok: false,
      errors: {
        receivedOn: expect.stringMatching(/^Einspruch eingegangen am: liegt in der Einspruchsfrist/),
        positions: expect.stringMatching(/^Beanstandete Positionen:/),
      },
    });
    expect((await proofEvents(database, ref().id, ref().version)).length).toBe(before);
    expect(await acceptances()).toBe(0);
    // Tenants do not accept objections.
    expect((await post(tenantA, valid)).kind).toBe('response');
  }, 120_000);

  test('accepted: proven with reason and IP by its own workflow, ticket and audit, anchored, the bundle verifies', async () => {
    const outcome = dataOf(await post(manager, valid));
    expect(outcome).toMatchObject({ form: 'late-objection', ok: true, message: expect.stringMatching(/angenommen.*Vorgang Nr\. \d+/) });

    const events = await proofEvents(database, ref().id, ref().version);
    const accepted = events.filter((e) => e.step === 'objection_accepted_late');
    expect(accepted).toHaveLength(1);
    expect(events.at(-1)!.step).toBe('objection_accepted_late');
    expect(accepted[0]).toMatchObject({
      actor: manager.email,
      actorId: manager.id,
      ip: '198.51.100.41',
      details: {
        occupancyId: recipient.occupancyId,
        receivedOn: OBJECTION_RECEIVED_ON,
        objectionDeadline: WINDOW_LAST_DAY,
        positions: valid.positions,
        reason: `Mieter hat die Verspätung nicht zu vertreten: ${valid.reason}`,
      },
    });

    const workflowId = lateObjectionWorkflowId(ref().id, ref().version, recipient.occupancyId);
    const [row] = await database.sequelize.query<{ workflowId: string; ticketId: number; proofSeq: number }>(
      `SELECT workflow_id AS "workflowId", ticket_id AS "ticketId", proof_seq AS "proofSeq" FROM statement_late_objections
        WHERE occupancy_id = :occupancyId`,
      { replacements: { occupancyId: recipient.occupancyId }, type: QueryTypes.SELECT },
    );
    expect(row).toMatchObject({ workflowId, proofSeq: accepted[0]!.seq });
    // With RECORD_HISTORIES=1 this run's history is the replay test's sample of the workflow type.
    await recordHistory(temporalClient().workflow.getHandle(workflowId), 'accepted');
    const ticket = await database.models.Ticket.findByPk(row!.ticketId, { rejectOnEmpty: true });
    expect(ticket).toMatchObject({
      category: 'statement_objection',
      unitId: recipient.unitId,
      linkedKind: 'statement',
      linkedId: ref().id,
      linkedVersion: ref().version,
    });
    expect(ticket.subject).toContain(statement.stored!.documentNumber);
    expect(ticket.subject).toContain(recipient.unitLabel);
    const [audit] = await database.sequelize.query<{ actor: string; ip: string; details: Record<string, unknown> }>(
      `SELECT actor, ip, details FROM audit_log WHERE action = 'statement_late_objection_accepted' AND entity_id = :id`,
      { replacements: { id: String(ref().id) }, type: QueryTypes.SELECT },
    );
    expect(audit).toMatchObject({ actor: manager.email, ip: '198.51.100.41', details: { occupancyId: recipient.occupancyId } });

    // The nightly check finds the new head anchored in the acceptance's workflow: nothing to report.
    const verification = await verifyStatementProof(database, temporalClient(), ref());
    expect(verification).toMatchObject({ ok: true, findings: [], anchoredSeq: accepted[0]!.seq });

    // The page: accepted, no second form, the event in the timeline, a valid bundle.
    const page = dataOf(await run(loader, makeRequest(path(), { cookie: await cookieFor(manager) }), params()));
    expect(page.lateObjection).toMatchObject({
      canAccept: false,
      accepted: { receivedOn: OBJECTION_RECEIVED_ON, ticketId: row!.ticketId },
    });
    expect(page.verification).toMatchObject({ valid: true });
    expect(page.timeline.at(-1)).toMatchObject({
      kind: 'objection-accepted-late',
      ip: '198.51.100.41',
      note: expect.stringContaining(valid.reason),
    });
    const again = dataOf(await post(manager, valid));
    expect(again).toMatchObject({ ok: false, message: expect.stringMatching(/bereits/) });
    expect(await acceptances()).toBe(1);

    // Exported and checked offline: the chain still verifies, the acceptance its newest line.
    const out = join(dir, 'bundle');
    const newest = await exportAndVerifyRecipient({
      documentNumber: statement.stored!.documentNumber,
      unitLabel: recipient.unitLabel,
      occupancyId: recipient.occupancyId,
      out,
    });
    expect(newest).toMatchObject({ kind: 'objection-accepted-late', details: { receivedOn: OBJECTION_RECEIVED_ON } });
  }, 300_000);

  test("the tenant's statement page links its own delivery proof; another recipient's proof is not found for it", async () => {
    const rows = await database.sequelize.query<{ occupancyId: number; unitId: number; own: boolean }>(
      `SELECT r.occupancy_id AS "occupancyId", r.unit_id AS "unitId", (t.user_id IS NOT DISTINCT FROM :userId) AS own
         FROM statement_recipients r JOIN tenancies t ON t.id = r.tenancy_id WHERE r.statement_id = :id ORDER BY r.occupancy_id`,
      { replacements: { id: ref().id, userId: tenantA.id }, type: QueryTypes.SELECT },
    );
    const mine = rows.find((r) => r.own)!;
    const other = rows.find((r) => !r.own)!;
    const page = dataOf(
      await run(
        tenantStatementLoader,
        makeRequest(`/meine-abrechnungen/${ref().id}?einheit=${mine.unitId}`, { cookie: await cookieFor(tenantA) }),
        { id: String(ref().id) },
      ),
    );
    expect(page.proofHref).toBe(`/abrechnungen/${ref().id}/nachweis/${mine.occupancyId}`);
    const cookie = await cookieFor(tenantA);
    const own = await run(loader, makeRequest(page.proofHref!, { cookie }), {
      id: String(ref().id),
      occupancyId: String(mine.occupancyId),
    });
    expect(dataOf(own)).toMatchObject({ occupancyId: mine.occupancyId, verification: { valid: true } });
    const foreign = await run(loader, makeRequest(`/abrechnungen/${ref().id}/nachweis/${other.occupancyId}`, { cookie }), {
      id: String(ref().id),
      occupancyId: String(other.occupancyId),
    });
    expect(foreign).toMatchObject({ kind: 'response', status: 404 });
  }, 120_000);

  test("an insider who deletes the acceptance's event and row and moves the head back is found by the acceptance's workflow", async () => {
    // Last in this file: it leaves the proof broken.
    const owner = createDb(inject('ownerDatabaseUrl'));
    try {
      const { seq } = await dropNewestEvent(database, owner, ref());
      await asInsider(owner, 'statement_late_objections', (q) =>
        q('DELETE FROM statement_late_objections WHERE occupancy_id = :occupancyId', recipient).then(() => undefined),
      );
      // Neither the chain nor the database names the acceptance any more: only Temporal knows its workflow.
      expect((await verifyProofChain(database, ref().id, ref().version)).ok).toBe(true);
      expect(await acceptances()).toBe(0);
      const verdict = await verifyStatementProof(database, temporalClient(), ref());
      expect(verdict.findings).toEqual([
        { problem: 'anchor-mismatch', message: `Ereignis Nr. ${seq} fehlt, ist aber im Workflow verankert (gelöscht?)` },
      ]);
    } finally {
      await owner.close();
    }
  }, 120_000);
});
