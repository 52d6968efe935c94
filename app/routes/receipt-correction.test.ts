// A letter's receipt date corrected per recipient (issue 10): on the recipient's proof page a
// manager names the new date and a reason; the version's workflow proves it in that recipient's
// chain (actor, server time, IP, reason), moves its window and §556(3) check, and the audit log
// keeps it. The recipient's evidence bundle still verifies with `proof verify` afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../../db';
import type { StatementData } from '../../domain/billing/statement';
import { addDays } from '../../domain/dates';
import { objectionDeadline } from '../../domain/statement-deadlines';
import { proofEvents } from '../../db/proof';
import { lifecycleStatus } from '../../server/statement-lifecycle';
import { pdfRenderer } from '../../server/statements';
import { deliveredStatement } from '../../tests/support/delivered-statement';
import { exportAndVerifyRecipient } from '../../tests/support/proof-cli';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { createStatementFixture } from '../../tests/support/statement-fixtures';
import { startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { action, loader } from './abrechnungen.$id_.nachweis_.$occupancyId';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `receipt-correction-${uniqueSuffix()}`;
const dir = mkdtempSync(join(tmpdir(), 'klarmeter-receipt-'));

let worker: RunningWorker;
let statement: StatementData;
let manager: User;
let tenantA: User;
/** A tenant without an account: delivered by letter, received dispatch + 3 days. */
let letter: { occupancyId: number; unitLabel: string; dispatchedOn: string; receivedOn: string; deliveryDeadline: string };

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  const org = await createOrgFixture(database);
  tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  const tenantC = await createUserFixture(database, org.organisation.id, 'tenant');
  const house = await createStatementFixture(database, { tenantA, tenantC }, org);
  manager = org.managers[0]!;
  statement = await deliveredStatement(database, house, manager);
  const [row] = await database.sequelize.query<typeof letter>(
    `SELECT r.occupancy_id AS "occupancyId", u.label AS "unitLabel", r.dispatched_on::text AS "dispatchedOn",
            r.received_on::text AS "receivedOn", r.delivery_deadline::text AS "deliveryDeadline"
       FROM statement_recipients r JOIN units u ON u.id = r.unit_id
      WHERE r.statement_id = :id AND r.channel = 'post' ORDER BY r.occupancy_id LIMIT 1`,
    { replacements: { id: statement.stored!.id }, type: QueryTypes.SELECT },
  );
  letter = row!;
}, 300_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pdfRenderer().close();
  await worker?.stop();
  await database.close();
});

const params = () => ({ id: String(statement.stored!.id), occupancyId: String(letter.occupancyId) });
const path = () => `/abrechnungen/${statement.stored!.id}/nachweis/${letter.occupancyId}`;

async function post(who: User, form: Record<string, string>) {
  return run(action, makeRequest(path(), { cookie: await cookieFor(who), form }), params(), { clientIp: '198.51.100.23' });
}

async function recipientRow() {
  const [row] = await database.sequelize.query<{ receivedOn: string; deadlineMissed: boolean; objectionDeadline: string }>(
    `SELECT received_on::text AS "receivedOn", deadline_missed AS "deadlineMissed", objection_deadline::text AS "objectionDeadline"
       FROM statement_recipients WHERE occupancy_id = :occupancyId`,
    { replacements: { occupancyId: letter.occupancyId }, type: QueryTypes.SELECT },
  );
  return row!;
}

describe('receipt date per recipient', () => {
  test('a missing reason or a date before the dispatch is refused naming the field; nothing is proven', async () => {
    const before = (await proofEvents(database, statement.stored!.id, statement.stored!.version)).length;
    const noReason = dataOf(await post(manager, { receivedOn: addDays(letter.dispatchedOn, 5), reason: '  ' }));
    expect(noReason).toMatchObject({ ok: false, errors: { reason: expect.stringMatching(/^Grund der Berichtigung: bitte angeben/) } });
    const early = dataOf(await post(manager, { receivedOn: addDays(letter.dispatchedOn, -1), reason: 'Rückschein' }));
    expect(early).toMatchObject({ ok: false, errors: { receivedOn: expect.stringMatching(/^Zugangsdatum: darf nicht vor dem Versand/) } });
    expect(early).toMatchObject({ values: { reason: 'Rückschein' } });
    expect((await proofEvents(database, statement.stored!.id, statement.stored!.version)).length).toBe(before);
    // Tenants do not correct receipt dates.
    expect((await post(tenantA, { receivedOn: addDays(letter.dispatchedOn, 5), reason: 'x' })).kind).toBe('response');
  }, 120_000);

  test('a receipt after the §556(3) deadline: proven with reason and IP, window moved, "Frist versäumt", audited, the bundle verifies', async () => {
    const receivedOn = addDays(letter.deliveryDeadline, 2);
    const reason = 'Laut Sendungsverfolgung erst nach der Frist zugestellt.';
    const outcome = dataOf(await post(manager, { receivedOn, reason }));
    expect(outcome).toMatchObject({ ok: true, message: expect.stringMatching(/Frist versäumt/) });

    const deadline = objectionDeadline(receivedOn, 'end-of-month');
    expect(await recipientRow()).toEqual({ receivedOn, deadlineMissed: true, objectionDeadline: deadline });
    // The workflow's own record of the recipient moved too (its objection check and the version's end use it).
    const live = await lifecycleStatus({ id: statement.stored!.id, version: statement.stored!.version });
    expect(live.available && live.status.recipients?.find((r) => r.occupancyId === letter.occupancyId)).toMatchObject({
      receivedOn,
      deadlineMissed: true,
      objectionDeadline: deadline,
    });

    const events = await proofEvents(database, statement.stored!.id, statement.stored!.version);
    const corrected = events.filter((e) => e.step === 'receipt_corrected');
    expect(corrected).toHaveLength(1);
    expect(corrected[0]).toMatchObject({
      actor: manager.email,
      ip: '198.51.100.23',
      details: { occupancyId: letter.occupancyId, previous: letter.receivedOn, receivedOn, reason, deadlineMissed: true },
    });
    const [audit] = await database.sequelize.query<{ actor: string; ip: string; details: Record<string, unknown> }>(
      `SELECT actor, ip, details FROM audit_log WHERE action = 'statement_receipt_corrected' AND entity_id = :id`,
      { replacements: { id: String(statement.stored!.id) }, type: QueryTypes.SELECT },
    );
    expect(audit).toMatchObject({ actor: manager.email, ip: '198.51.100.23', details: { occupancyId: letter.occupancyId, reason } });

    // The recipient's page: the new facts, the correction in its timeline, a valid bundle.
    const page = dataOf(await run(loader, makeRequest(path(), { cookie: await cookieFor(manager) }), params()));
    expect(page).toMatchObject({ receivedOn, deadlineMissed: true, objectionDeadline: deadline, verification: { valid: true } });
    expect(page.timeline.at(-1)).toMatchObject({ kind: 'receipt-corrected', ip: '198.51.100.23', note: expect.stringContaining(reason) });

    // Exported and checked offline: the chain still verifies, the correction its newest line.
    const out = join(dir, 'bundle');
    const newest = await exportAndVerifyRecipient({
      documentNumber: statement.stored!.documentNumber,
      unitLabel: letter.unitLabel,
      occupancyId: letter.occupancyId,
      out,
    });
    expect(newest).toMatchObject({ kind: 'receipt-corrected', details: { reason, receivedOn } });
  }, 300_000);
});
