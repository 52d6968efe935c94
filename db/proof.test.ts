// The delivery proof chain against the test run's PostgreSQL: idempotent appends, concurrent
// writers that cannot fork the chain, and tampering (changed or deleted events) that is named.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb } from './index';
import { appendProofEvent, proofEvents, verifyProofChain, type ProofEventInput } from './proof';
import { saveStatement } from './statements';
import { type StatementData } from '../domain/billing/statement';
import { createStatementFixture } from '../tests/support/statement-fixtures';

const db = createDb(inject('databaseUrl'));
// The insider: the tables' owner, who can disable the triggers (the application role cannot).
const owner = createDb(inject('ownerDatabaseUrl'));
let statement: StatementData;

beforeAll(async () => {
  const house = await createStatementFixture(db);
  const manager = house.org.managers[0];
  statement = await saveStatement(db, house.request, { userId: manager.id, email: manager.email, organisationId: manager.organisationId });
});

afterAll(async () => {
  await db.close();
  await owner.close();
});

const sha = 'a'.repeat(64);
const actor = { userId: null, name: 'system' };

function event(step: ProofEventInput['step'], idempotencyKey: string, version = 1): ProofEventInput {
  return {
    statementId: statement.stored!.id,
    version,
    step,
    idempotencyKey,
    actor,
    ip: '203.0.113.7',
    documentSha256: sha,
    details: { note: 'ä€' },
  };
}

/** Changes a stored row behind the trigger's back, as the tables' owner could. */
async function tamper(sql: string, replacements: Record<string, unknown>) {
  await owner.sequelize.transaction(async (transaction) => {
    await owner.sequelize.query('ALTER TABLE statement_proof_events DISABLE TRIGGER statement_proof_events_append_only', { transaction });
    await owner.sequelize.query(sql, { replacements, transaction });
    await owner.sequelize.query('ALTER TABLE statement_proof_events ENABLE TRIGGER statement_proof_events_append_only', { transaction });
  });
}

describe('proof chain', () => {
  test('appending the same step and key twice stores one event; the chain verifies', async () => {
    const first = await appendProofEvent(db, event('created', 'created'));
    const again = await appendProofEvent(db, event('created', 'created'));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false });
    expect(again.event.id).toBe(first.event.id);
    await appendProofEvent(db, event('approved', 'approval'));
    expect(await verifyProofChain(db, statement.stored!.id, 1)).toEqual({ ok: true, checked: 2 });
  });

  test('concurrent writers get consecutive numbers and one chain', async () => {
    await Promise.all(Array.from({ length: 6 }, (_, i) => appendProofEvent(db, event('opened', `unit-${i}`))));
    const events = await proofEvents(db, statement.stored!.id, 1);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await verifyProofChain(db, statement.stored!.id, 1)).ok).toBe(true);
  });

  test('the application cannot change or delete an event, nor can the owner while the trigger stands', async () => {
    const replacements = { id: statement.stored!.id };
    await expect(
      db.sequelize.query("UPDATE statement_proof_events SET actor = 'x' WHERE statement_id = :id", { replacements }),
    ).rejects.toThrow(/permission denied/);
    await expect(db.sequelize.query('DELETE FROM statement_proof_events WHERE statement_id = :id', { replacements })).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      owner.sequelize.query("UPDATE statement_proof_events SET actor = 'x' WHERE statement_id = :id", { replacements }),
    ).rejects.toThrow(/append-only/);
    await expect(owner.sequelize.query('DELETE FROM statement_proof_events WHERE statement_id = :id', { replacements })).rejects.toThrow(
      /append-only/,
    );
  });

  test('a changed event is named as the first broken link', async () => {
    const id = statement.stored!.id;
    await appendProofEvent(db, event('created', 'created', 2));
    await appendProofEvent(db, event('approved', 'approval', 2));
    await appendProofEvent(db, event('delivered', 'delivery', 2));
    await tamper("UPDATE statement_proof_events SET ip = '198.51.100.1' WHERE statement_id = :id AND version = 2 AND seq = 2", { id });
    expect(await verifyProofChain(db, id, 2)).toEqual({
      ok: false,
      checked: 3,
      brokenAt: { seq: 2, step: 'approved', reason: 'Inhalt nachträglich geändert' },
    });
  });

  test('a deleted event is detected by the gap it leaves', async () => {
    const id = statement.stored!.id;
    for (const [step, key] of [
      ['created', 'created'],
      ['approved', 'approval'],
      ['delivered', 'delivery'],
    ] as const)
      await appendProofEvent(db, event(step, key, 3));
    await tamper('DELETE FROM statement_proof_events WHERE statement_id = :id AND version = 3 AND seq = 2', { id });
    expect(await verifyProofChain(db, id, 3)).toMatchObject({
      ok: false,
      brokenAt: { seq: 3, step: 'delivered', reason: 'Ereignis Nr. 2 fehlt (gelöscht)' },
    });
  });

  test('deleting the newest event is detected against the chain head', async () => {
    const id = statement.stored!.id;
    for (const [step, key] of [
      ['created', 'created'],
      ['approved', 'approval'],
      ['delivered', 'delivery'],
    ] as const)
      await appendProofEvent(db, event(step, key, 4));
    expect(await verifyProofChain(db, id, 4)).toEqual({ ok: true, checked: 3 });
    await tamper('DELETE FROM statement_proof_events WHERE statement_id = :id AND version = 4 AND seq = 3', { id });
    expect(await verifyProofChain(db, id, 4)).toMatchObject({
      ok: false,
      checked: 2,
      brokenAt: { seq: 3, reason: 'Ereignis Nr. 3 fehlt (jüngstes Ereignis gelöscht)' },
    });
  });
});
