// The delivery proof of a statement version: an append-only chain of events (created, approved,
// delivered, opened, objection, corrected, final). Each event's hash covers its content and its
// predecessor's hash; seq numbers each version's events 1, 2, 3 … so a deleted event leaves a gap.
import { QueryTypes, type Transaction } from 'sequelize';
import { LIVE_CHANNEL, type Db } from './index';
import { GENESIS_HASH, canonicalJson, sha256 } from './audit';
import type { ProofEvent } from './models/proof-event';
import type { ProofStep } from '../domain/statement-lifecycle';
import { statementWorkflowId } from '../domain/contracts/statement';
import { headText, type SignedHeadRow } from './heads';

export interface ProofActor {
  userId: number | null;
  /** E-mail or a system name ("system"): what the proof shows as the actor. */
  name: string;
}

export interface ProofEventInput {
  statementId: number;
  version: number;
  step: ProofStep;
  /** With step, identifies the event: appending it again returns the stored one (retried activities). */
  idempotencyKey: string;
  actor: ProofActor;
  ip?: string | null;
  documentSha256: string;
  details?: Record<string, unknown>;
}

interface HashedFields {
  statementId: number;
  version: number;
  seq: number;
  step: string;
  idempotencyKey: string;
  at: Date;
  actorId: number | null;
  actor: string;
  ip: string | null;
  documentSha256: string;
  details: Record<string, unknown>;
  prevHash: string;
}

function eventHash(fields: HashedFields): string {
  return sha256(canonicalJson({ ...fields, at: fields.at.toISOString() }));
}

export interface AppendedProof {
  event: ProofEvent;
  /** False when the event was already stored (a retry). */
  created: boolean;
  /** The signed head naming this event (null without a signer). */
  head: SignedHeadRow | null;
}

/** The signed head stored for the version's event `seq`. */
async function storedHead(db: Db, where: { statementId: number; version: number }, seq: number, transaction: Transaction) {
  const [row] = await db.sequelize.query<SignedHeadRow>(
    `SELECT seq, hash AS sha256, head, signature, key_fingerprint AS "keyFingerprint" FROM statement_proof_head_log
      WHERE statement_id = :statementId AND version = :version AND seq = :seq`,
    { replacements: { ...where, seq }, type: QueryTypes.SELECT, transaction },
  );
  return row ?? null;
}

/**
 * Appends an event to the version's chain, serialised per version by an advisory lock so two
 * writers cannot fork it; tells open pages after commit (NOTIFY with the property for scoping).
 */
export async function appendProofEvent(db: Db, input: ProofEventInput, outer?: Transaction): Promise<AppendedProof> {
  const { ProofEvent: Events, Statement } = db.models;
  const write = async (transaction: Transaction): Promise<AppendedProof> => {
    await db.sequelize.query(`SELECT pg_advisory_xact_lock(hashtextextended('statement-proof:' || :statementId || ':' || :version, 0))`, {
      replacements: { statementId: input.statementId, version: input.version },
      type: QueryTypes.SELECT,
      transaction,
    });
    const where = { statementId: input.statementId, version: input.version };
    const existing = await Events.findOne({ where: { ...where, step: input.step, idempotencyKey: input.idempotencyKey }, transaction });
    if (existing) return { event: existing, created: false, head: await storedHead(db, where, existing.seq, transaction) };
    const statement = await Statement.findByPk(input.statementId, { attributes: ['id', 'propertyId'], transaction, rejectOnEmpty: true });
    const last = await Events.findOne({ where, order: [['seq', 'DESC']], attributes: ['seq', 'hash'], transaction });
    const fields: HashedFields = {
      ...where,
      seq: (last?.seq ?? 0) + 1,
      step: input.step,
      idempotencyKey: input.idempotencyKey,
      at: new Date(),
      actorId: input.actor.userId,
      actor: input.actor.name,
      ip: input.ip ?? null,
      documentSha256: input.documentSha256,
      details: input.details ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const event = await Events.create({ ...fields, step: input.step, hash: eventHash(fields) }, { transaction });
    await db.sequelize.query(
      `INSERT INTO statement_proof_heads (statement_id, version, last_seq, last_hash) VALUES (:statementId, :version, :seq, :hash)
       ON CONFLICT (statement_id, version) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_hash = EXCLUDED.last_hash`,
      { replacements: { ...where, seq: fields.seq, hash: event.hash }, transaction },
    );
    let head: SignedHeadRow | null = null;
    if (db.headSigner) {
      // Signed outside the database; the head (and, through the activity's result, the workflow's history) keeps it.
      const text = headText(statementWorkflowId(input.statementId, input.version), fields.seq, event.hash, new Date());
      head = { seq: fields.seq, sha256: event.hash, head: text, ...db.headSigner(text) };
      await db.sequelize.query(
        `INSERT INTO statement_proof_head_log (statement_id, version, seq, hash, head, signature, key_fingerprint)
         VALUES (:statementId, :version, :seq, :sha256, :head, :signature, :keyFingerprint)`,
        { replacements: { ...where, ...head }, transaction },
      );
    }
    await db.notify(
      LIVE_CHANNEL,
      { type: 'statement', statementId: input.statementId, version: input.version, step: input.step, propertyId: statement.propertyId },
      transaction,
    );
    return { event, created: true, head };
  };
  return outer ? write(outer) : db.sequelize.transaction(write);
}

/** The version's events in chain order. */
export async function proofEvents(db: Db, statementId: number, version: number): Promise<ProofEvent[]> {
  return db.models.ProofEvent.findAll({
    where: { statementId, version },
    order: [
      ['seq', 'ASC'],
      ['id', 'ASC'],
    ],
  });
}

export interface ProofVerdict {
  ok: boolean;
  checked: number;
  /** The first event that does not hold, with the reason in German for the proof page. */
  brokenAt?: { seq: number; step: string; reason: string };
}

/** Recomputes the version's chain from its first event and names the first broken link. */
export async function verifyProofChain(db: Db, statementId: number, version: number): Promise<ProofVerdict> {
  const rows = await proofEvents(db, statementId, version);
  const [head] = await db.sequelize.query<{ last_seq: number; last_hash: string }>(
    'SELECT last_seq, last_hash FROM statement_proof_heads WHERE statement_id = :statementId AND version = :version',
    { replacements: { statementId, version }, type: QueryTypes.SELECT },
  );
  let prev = GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    const broken = (reason: string): ProofVerdict => ({
      ok: false,
      checked: rows.length,
      brokenAt: { seq: row.seq, step: row.step, reason },
    });
    if (row.seq !== index + 1) return broken(`Ereignis Nr. ${index + 1} fehlt (gelöscht)`);
    if (row.prevHash !== prev) return broken('Verkettung unterbrochen (Vorgänger fehlt oder wurde geändert)');
    const { id: _id, hash, ...fields } = row.get({ plain: true });
    if (eventHash({ ...fields, at: new Date(fields.at) }) !== hash) return broken('Inhalt nachträglich geändert');
    prev = hash;
  }
  const last = rows.at(-1);
  if (head && (!last || last.seq !== head.last_seq || last.hash !== head.last_hash)) {
    const missing = (last?.seq ?? 0) + 1;
    return {
      ok: false,
      checked: rows.length,
      brokenAt: { seq: missing, step: '—', reason: `Ereignis Nr. ${missing} fehlt (jüngstes Ereignis gelöscht)` },
    };
  }
  return { ok: true, checked: rows.length };
}
