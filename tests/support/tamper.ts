// What a database insider would do to a proof (issue 10): as the tables' owner, with the append-only
// triggers disabled, edit rows and recompute hashes with the (public) hash rule. Used by the tamper
// tests of the verification.
import type { Db } from '../../db';
import { canonicalJson, sha256 } from '../../db/audit';
import { proofEvents } from '../../db/proof';
import { saveStatement } from '../../db/statements';
import type { LifecycleActor } from '../../domain/contracts/statement';
import { approve, deliver, startStatementLifecycle, type LifecycleOptions } from '../../server/statement-lifecycle';
import { createActivities } from '../../activities';
import { createMailer } from '../../server/mail';
import { createPdfRenderer } from '../../server/pdf';
import { createOrgFixture, createUserFixture } from './fixtures';
import { createStatementFixture, type StatementFixture } from './statement-fixtures';
import { startTimeSkipping, type TimeSkipping } from './time-skipping';

export type InsiderQuery = (sql: string, replacements?: Record<string, unknown>) => Promise<unknown>;

/** Runs SQL as the insider: the tables' owner or a superuser, with the table's triggers off. */
export async function asInsider(database: Db, table: string, work: (q: InsiderQuery) => Promise<void>): Promise<void> {
  await database.sequelize.transaction(async (transaction) => {
    const q = (sql: string, replacements: Record<string, unknown> = {}) => database.sequelize.query(sql, { replacements, transaction });
    await q(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    await work(q);
    await q(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
  });
}

/** Recomputes every hash of a version's chain from event `from` on; returns the new last hash. */
export async function rehashFrom(db: Db, owner: Db, ref: { id: number; version: number }, from: number): Promise<string> {
  const events = await proofEvents(db, ref.id, ref.version);
  let prev = events[from - 2]!.hash;
  await asInsider(owner, 'statement_proof_events', async (q) => {
    for (const event of events.slice(from - 1)) {
      const { id, hash: _hash, ...fields } = event.get({ plain: true });
      const hash = sha256(canonicalJson({ ...fields, prevHash: prev, at: new Date(fields.at).toISOString() }));
      await q('UPDATE statement_proof_events SET prev_hash = :prev, hash = :hash WHERE id = :id', { prev, hash, id });
      prev = hash;
    }
  });
  return prev;
}

/** Drops a version's newest event and its signed head, and moves the unsigned head back to the one before. */
export async function dropNewestEvent(db: Db, owner: Db, ref: { id: number; version: number }): Promise<{ seq: number }> {
  const events = await proofEvents(db, ref.id, ref.version);
  const newest = events.at(-1)!;
  const before = events.at(-2)!;
  await asInsider(owner, 'statement_proof_events', (q) =>
    q('DELETE FROM statement_proof_events WHERE id = :id', { id: newest.id }).then(() => undefined),
  );
  await asInsider(owner, 'statement_proof_head_log', (q) =>
    q('DELETE FROM statement_proof_head_log WHERE statement_id = :id AND version = :version AND seq = :seq', {
      ...ref,
      seq: newest.seq,
    }).then(() => undefined),
  );
  await owner.sequelize.query(
    'UPDATE statement_proof_heads SET last_seq = :seq, last_hash = :hash WHERE statement_id = :id AND version = :version',
    { replacements: { ...ref, seq: before.seq, hash: before.hash } },
  );
  return { seq: newest.seq };
}

/** A version created, approved and delivered in the portal: its chain and its workflow's history. */
export async function deliverVersion(
  house: StatementFixture,
  options: LifecycleOptions & { db: Db },
): Promise<{ id: number; version: number }> {
  const m = house.org.managers[0]!;
  const actor: LifecycleActor = { userId: m.id, name: m.email, role: 'manager', ip: '198.51.100.7' };
  const saved = await saveStatement(options.db, house.request, { userId: m.id, email: m.email, organisationId: m.organisationId });
  const ref = { id: saved.stored!.id, version: saved.stored!.version };
  await startStatementLifecycle(ref.id, actor, options);
  const approved = await approve(ref, actor, options);
  if (!approved.ok) throw new Error(`approval refused: ${approved.message}`);
  const delivered = await deliver(ref, { actor, channel: 'portal' }, options);
  if (!delivered.ok) throw new Error(`delivery refused: ${delivered.message}`);
  return ref;
}

export interface ProofStack {
  house: StatementFixture;
  ts: TimeSkipping;
  /** What the lifecycle services need to reach this stack's workflows. */
  options(): LifecycleOptions & { db: Db };
  stop(): Promise<void>;
}

/**
 * A house whose statements are proven on Temporal's time-skipping test server with the real
 * activities (PDFs included), against `db` (a handle that signs heads).
 */
export async function startProofStack(db: Db): Promise<ProofStack> {
  const renderer = createPdfRenderer();
  const org = await createOrgFixture(db);
  const tenantA = await createUserFixture(db, org.organisation.id, 'tenant');
  const house = await createStatementFixture(db, { tenantA }, org);
  const ts = await startTimeSkipping({
    db,
    activities: createActivities({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }), pdfRenderer: renderer }),
  });
  return {
    house,
    ts,
    options: () => ({ db, client: ts.client, taskQueue: ts.taskQueue }),
    async stop() {
      await ts.stop();
      await renderer.close();
    },
  };
}
