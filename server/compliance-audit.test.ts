// The audit chain's incremental check (issue 11): a page load walks only the entries after the
// furthest intact position, re-hashing that entry too; an edit after it, or of it, is found. The
// insider (the tables' owner, triggers off) works in a transaction that is rolled back: the log is
// shared with every test file.
import { afterAll, describe, expect, inject, test } from 'vitest';
import type { Transaction } from 'sequelize';
import { createDb } from '../db';
import { appendAudit, verifyAuditChainFrom } from '../db/audit';
import { auditChainState, recordAuditChainCheck } from './compliance-audit';
import { useTestEnvironment } from '../tests/support/web';

useTestEnvironment();
const db = createDb(inject('databaseUrl'));
const owner = createDb(inject('ownerDatabaseUrl'));

afterAll(async () => {
  await db.close();
  await owner.close();
});

const ROLLBACK = new Error('rollback');
async function inRolledBackTransaction(work: (transaction: Transaction) => Promise<void>) {
  await expect(
    owner.sequelize.transaction(async (transaction) => {
      await work(transaction);
      throw ROLLBACK;
    }),
  ).rejects.toBe(ROLLBACK);
}

describe('incremental audit chain check', () => {
  test('walks only what follows the verified position, and finds an edit after it or of it', async () => {
    await inRolledBackTransaction(async (transaction) => {
      const q = (sql: string, replacements: Record<string, unknown> = {}) => owner.sequelize.query(sql, { replacements, transaction });
      const append = (action: string) =>
        appendAudit(db, { organisationId: null, actorId: null, actor: 'pruefer@example.org', action, entity: 'session' }, transaction);
      for (const action of ['login', 'logout']) await append(action);
      const full = await verifyAuditChainFrom(db, null, transaction);
      expect(full.ok).toBe(true);
      const position = full.last!;

      for (const action of ['login', 'logout', 'login']) await append(action);
      const tail = await verifyAuditChainFrom(db, position, transaction);
      expect(tail).toMatchObject({ ok: true, checked: 3 });
      expect(tail.last!.id).toBeGreaterThan(position.id);

      await q('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await q("UPDATE audit_log SET actor = 'x@y.de' WHERE id = :id", { id: tail.last!.id });
      expect(await verifyAuditChainFrom(db, position, transaction)).toMatchObject({
        ok: false,
        brokenAt: { id: tail.last!.id, reason: 'Inhalt geändert' },
      });
      // The verified position itself edited: the walk cannot build on it.
      await q("UPDATE audit_log SET actor = 'x@y.de' WHERE id = :id", { id: position.id });
      expect(await verifyAuditChainFrom(db, position, transaction)).toMatchObject({
        ok: false,
        checked: 0,
        brokenAt: { id: position.id, reason: 'Inhalt geändert' },
      });
    });
  });

  test('the page resumes from the recorded checkpoint and names the last full check', async () => {
    const login = () =>
      appendAudit(db, { organisationId: null, actorId: null, actor: 'pruefer@example.org', action: 'login', entity: 'session' });
    await login();
    const full = await recordAuditChainCheck(db, { full: true });
    expect(full.ok).toBe(true);
    await login();
    const state = await auditChainState(db);
    expect(state.ok).toBe(true);
    // Test files run one after another: the walk resumed at the full check and verified only the new entry.
    expect(state.resumedFrom!.id).toBe(state.lastFullCheck!.id);
    expect(state.checked).toBe(1);
    expect(state.entries).toBe(full.entries + 1);
    // The next load resumes from where this one ended (this process's position).
    const again = await auditChainState(db);
    expect(again.resumedFrom!.id).toBeGreaterThanOrEqual(state.head!.id);
  });
});
