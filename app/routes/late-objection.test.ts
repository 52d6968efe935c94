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
import { recipientWorkflowIdPrefix } from '../../domain/contracts/statement-recipient';
import { proofEvents, verifyProofChain } from '../../db/proof';
import { anchoredHeads, verifyStatementProof } from '../../server/proof-verification';
import { storedRecipientChain } from '../../db/recipient-chains';
import { recipientChainId } from '../../server/proof/recipient-chain-check';
import { pdfRenderer } from '../../server/statements';
import { temporalClient } from '../../server/temporal';
import { deliveredStatement } from '../../tests/support/delivered-statement';
import { exportAndVerifyRecipient } from '../../tests/support/proof-cli';
import { asInsider, dropNewestEvent } from '../../tests/support/tamper';
import { eventually } from '../../tests/support/eventually';
import { recordHistory } from '../../tests/support/time-skipping';
import { createOrgFixture, createUserFixture, sessionUserOf, uniqueSuffix } from '../../tests/support/fixtures';
import { personalDataEntries } from '../../server/data-export';
import { createStatementFixture } from '../../tests/support/statement-fixtures';
import { startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { action, loader } from './abrechnungen.$id_.nachweis_.$occupancyId';
import { action as tenantStatementAction, loader as tenantStatementLoader } from './meine-abrechnungen.$id';

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
let tenantC: User;
let recipient: { occupancyId: number; unitId: number; unitLabel: string; objectionDeadline: string };

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  const org = await createOrgFixture(database);
  tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  tenantC = await createUserFixture(database, org.organisation.id, 'tenant');
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
    expect(page.lateObjection).toEqual({ canAccept: true, accepted: null, pending: false, requested: null });
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
    // That workflow also appended the tenant's own chain, and anchors its new head: the acceptance is its newest line.
    const chain = { statementId: ref().id, version: ref().version, occupancyId: recipient.occupancyId };
    const stored = await storedRecipientChain(database, chain);
    expect(JSON.parse(stored.lines.at(-1)!.line)).toMatchObject({ kind: 'objection-accepted-late', source: { seq: accepted[0]!.seq } });
    const anchored = await anchoredHeads(temporalClient(), lateObjectionWorkflowId(chain.statementId, chain.version, chain.occupancyId));
    expect(anchored!.map((h) => JSON.parse(h.head))).toContainEqual(
      expect.objectContaining({ chain: recipientChainId(chain), seq: stored.lines.length, sha256: stored.lines.at(-1)!.sha256 }),
    );

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
});

describe("the tenant's own late objection through the portal", () => {
  let mine: { occupancyId: number; unitId: number; unitLabel: string };
  const tenantPath = () => `/meine-abrechnungen/${ref().id}?einheit=${mine.unitId}`;
  const tenantPage = async (who: User) =>
    run(tenantStatementLoader, makeRequest(tenantPath(), { cookie: await cookieFor(who) }), { id: String(ref().id) });
  const send = async (who: User, form: Record<string, string | string[]>) =>
    run(
      tenantStatementAction,
      makeRequest(tenantPath(), { cookie: await cookieFor(who), form: { intent: 'late-objection-request', ...form } }),
      { id: String(ref().id) },
      {
        clientIp: '203.0.113.77',
      },
    );
  const requestRows = () =>
    database.sequelize.query<{ ticketId: number; positions: string[]; reason: string; ip: string }>(
      'SELECT ticket_id AS "ticketId", positions, reason, ip FROM statement_late_objection_requests WHERE occupancy_id = :occupancyId',
      { replacements: mine, type: QueryTypes.SELECT },
    );
  const own = {
    positions: ['Warmwasserkosten'],
    objection: 'Der Warmwasserverbrauch ist doppelt so hoch wie im Vorjahr.',
    reason: 'Ich war vom 05.01. bis 28.02.2026 im Ausland und konnte meine Post nicht lesen.',
  };

  beforeAll(async () => {
    const [row] = await database.sequelize.query<typeof mine>(
      `SELECT r.occupancy_id AS "occupancyId", r.unit_id AS "unitId", u.label AS "unitLabel"
         FROM statement_recipients r JOIN tenancies t ON t.id = r.tenancy_id JOIN units u ON u.id = r.unit_id
        WHERE r.statement_id = :id AND t.user_id = :userId`,
      { replacements: { id: ref().id, userId: tenantC.id }, type: QueryTypes.SELECT },
    );
    mine = row!;
  });

  test('after the window the tenant sends it with the reason for the delay; errors name the field; once only', async () => {
    const before = dataOf(await tenantPage(tenantC));
    expect(before).toMatchObject({ canObject: false, lateObjection: { canRequest: true, request: null, accepted: null } });

    const incomplete = dataOf(await send(tenantC, { objection: own.objection, reason: ' ' }));
    expect(incomplete).toMatchObject({
      form: 'late-request',
      ok: false,
      errors: {
        positions: expect.stringMatching(/^Beanstandete Positionen:/),
        reason: expect.stringMatching(/^Warum konnten Sie die Frist nicht einhalten\?: bitte angeben/),
      },
      values: { objection: own.objection },
    });
    expect(await requestRows()).toEqual([]);
    // Another tenant of the house does not reach this flat's statement at all.
    expect(await send(tenantA, own)).toMatchObject({ kind: 'response', status: 404 });

    const sent = dataOf(await send(tenantC, own));
    expect(sent).toMatchObject({ form: 'late-request', ok: true, message: expect.stringMatching(/Vorgang Nr\. \d+/) });
    const [row] = await requestRows();
    expect(row).toMatchObject({ positions: own.positions, reason: own.reason, ip: '203.0.113.77' });
    const ticket = await database.models.Ticket.findByPk(row!.ticketId, { rejectOnEmpty: true });
    expect(ticket).toMatchObject({ category: 'statement_objection', unitId: mine.unitId, createdBy: tenantC.id, linkedId: ref().id });
    expect(ticket.subject).toContain(statement.stored!.documentNumber);
    expect(ticket.subject).toContain(mine.unitLabel);
    const [audit] = await database.sequelize.query<{ actor: string; ip: string }>(
      `SELECT actor, ip FROM audit_log WHERE action = 'statement_late_objection_requested' AND entity_id = :id`,
      { replacements: { id: String(ref().id) }, type: QueryTypes.SELECT },
    );
    expect(audit).toEqual({ actor: tenantC.email, ip: '203.0.113.77' });

    expect(dataOf(await send(tenantC, own))).toMatchObject({ ok: false, message: expect.stringMatching(/bereits eingegangen/) });
    expect(await requestRows()).toHaveLength(1);
    expect(dataOf(await tenantPage(tenantC)).lateObjection).toMatchObject({ canRequest: false, request: { ticketId: row!.ticketId } });
    // The tenant's data export (Art. 15 DSGVO) names it among its objections.
    const exported = (await personalDataEntries(sessionUserOf(tenantC), undefined)).find((e) => e.name === 'einsprueche.json')!;
    expect(JSON.parse(new TextDecoder().decode(exported.bytes))).toEqual([
      expect.objectContaining({ statementId: ref().id, positions: own.positions, reason: own.objection, delayReason: own.reason }),
    ]);
  }, 120_000);

  test("the manager finds it on the recipient's proof page, accepts it, and the acceptance continues the tenant's case", async () => {
    const [request] = await requestRows();
    const proofParams = { id: String(ref().id), occupancyId: String(mine.occupancyId) };
    const proofPath = `/abrechnungen/${ref().id}/nachweis/${mine.occupancyId}`;
    const page = dataOf(await run(loader, makeRequest(proofPath, { cookie: await cookieFor(manager) }), proofParams));
    expect(page.lateObjection).toMatchObject({
      canAccept: true,
      requested: { positions: own.positions, objection: own.objection, reason: own.reason, ticketId: request!.ticketId },
    });
    const tickets = await database.models.Ticket.count({ where: { linkedKind: 'statement', linkedId: ref().id } });
    const accepted = dataOf(
      await run(
        action,
        makeRequest(proofPath, {
          cookie: await cookieFor(manager),
          form: {
            intent: 'accept-late-objection',
            receivedOn: page.lateObjection.requested!.receivedOn,
            positions: own.positions,
            objection: own.objection,
            reason: own.reason,
          },
        }),
        proofParams,
        { clientIp: '198.51.100.41' },
      ),
    );
    expect(accepted).toMatchObject({ ok: true, message: expect.stringContaining(`Vorgang Nr. ${request!.ticketId}`) });
    expect(await database.models.Ticket.count({ where: { linkedKind: 'statement', linkedId: ref().id } })).toBe(tickets);
    expect(dataOf(await tenantPage(tenantC)).lateObjection).toMatchObject({
      canRequest: false,
      accepted: { receivedOn: page.lateObjection.requested!.receivedOn },
    });
  }, 120_000);
});

describe('tampering with an accepted late objection', () => {
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
        // The accepting tenant's own chain, appended by the acceptance's workflow, still names the dropped event.
        {
          problem: 'chain-broken',
          message: expect.stringMatching(
            new RegExp(
              `^Kette ${recipientWorkflowIdPrefix(ref().id, ref().version)}\\d+: Zeile Nr\\. \\d+ passt nicht zu Ereignis Nr\\. ${seq} `,
            ),
          ),
        },
        { problem: 'anchor-mismatch', message: `Ereignis Nr. ${seq} fehlt, ist aber im Workflow verankert (gelöscht?)` },
      ]);
    } finally {
      await owner.close();
    }
  }, 120_000);
});
