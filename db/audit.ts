import { createHash } from 'node:crypto';
import { Op, QueryTypes, type InferAttributes, type Transaction } from 'sequelize';
import type { Db } from './index';
import type { AuditEntry } from './models/audit-entry';
import { storeAuditHead } from './heads';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  organisationId: number | null;
  actorId: number | null;
  actor: string;
  action: string;
  entity: string;
  entityId?: string | number | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** Canonical JSON (sorted keys) so the hash does not depend on key order after a JSONB round trip. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

interface HashedFields {
  at: Date;
  organisationId: number | null;
  actorId: number | null;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prevHash: string;
}

function entryHash(fields: HashedFields): string {
  return sha256(canonicalJson({ ...fields, at: fields.at.toISOString() }));
}

/** Appends one entry to the hash chain. Serialised by an advisory lock so two writers cannot fork it. */
export async function appendAudit(db: Db, input: AuditInput, outer?: Transaction): Promise<void> {
  const write = async (transaction: Transaction) => {
    await db.sequelize.query('SELECT pg_advisory_xact_lock(42001)', { transaction });
    const last = await db.models.AuditEntry.findOne({ order: [['id', 'DESC']], attributes: ['hash'], transaction });
    const fields: HashedFields = {
      at: new Date(Math.floor(Date.now())),
      organisationId: input.organisationId,
      actorId: input.actorId,
      actor: input.actor,
      action: input.action,
      entity: input.entity,
      entityId: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
      ip: input.ip ?? null,
      details: input.details ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const entry = await db.models.AuditEntry.create({ ...fields, hash: entryHash(fields) }, { transaction });
    if (db.headSigner) await storeAuditHead(db, db.headSigner, entry, transaction);
  };
  if (outer) await write(outer);
  else await db.sequelize.transaction(write);
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  brokenAt?: { id: number; reason: string };
}

/** Walks the whole chain; names the first entry whose content or link does not match. */
export async function verifyAuditChain(db: Db, transaction?: Transaction): Promise<ChainVerdict> {
  const { last: _last, ...verdict } = await verifyAuditChainFrom(db, null, transaction);
  return verdict;
}

/** An entry of the chain: where a walk ended with the chain intact. */
export interface ChainPosition {
  id: number;
  hash: string;
}

/** Entries read per query: a walk of a million entries never holds them all in memory. */
const VERIFY_BATCH = 5_000;

/**
 * Walks the chain after `from` (from the genesis when null), in batches by id. The entry at `from`
 * is checked first: it must still be there with that hash and content, else the walk cannot trust
 * what it verified before. `checked` counts the entries walked after `from`; `last` is the newest
 * intact entry (from itself when nothing followed it).
 */
export async function verifyAuditChainFrom(
  db: Db,
  from: ChainPosition | null,
  transaction?: Transaction,
): Promise<ChainVerdict & { last: ChainPosition | null }> {
  let prev = GENESIS_HASH;
  let lastId = 0;
  if (from) {
    const anchor = await db.models.AuditEntry.findByPk(from.id, { raw: true, transaction });
    if (!anchor || anchor.hash !== from.hash)
      return {
        ok: false,
        checked: 0,
        last: null,
        brokenAt: { id: from.id, reason: 'Zuletzt geprüfter Eintrag fehlt oder wurde geändert' },
      };
    const { id: _id, hash, ...fields } = anchor;
    if (entryHash({ ...fields, at: new Date(fields.at) }) !== hash)
      return { ok: false, checked: 0, last: null, brokenAt: { id: from.id, reason: 'Inhalt geändert' } };
    prev = from.hash;
    lastId = from.id;
  }
  let checked = 0;
  for (;;) {
    const rows = await db.models.AuditEntry.findAll({
      where: { id: { [Op.gt]: lastId } },
      order: [['id', 'ASC']],
      limit: VERIFY_BATCH,
      raw: true,
      transaction,
    });
    const batch = checkLinks(rows, prev);
    checked += batch.checked;
    if (batch.brokenAt) return { ok: false, checked, last: null, brokenAt: batch.brokenAt };
    prev = batch.prev;
    lastId = rows.at(-1)?.id ?? lastId;
    if (rows.length < VERIFY_BATCH) break;
  }
  return { ok: true, checked, last: lastId === 0 ? null : { id: lastId, hash: prev } };
}

/** Checks consecutive entries after the one hashed `prev`: each links to its predecessor and matches its content. */
function checkLinks(
  rows: readonly InferAttributes<AuditEntry>[],
  prev: string,
): { checked: number; prev: string; brokenAt?: { id: number; reason: string } } {
  let checked = 0;
  for (const row of rows) {
    checked++;
    if (row.prevHash !== prev)
      return { checked, prev, brokenAt: { id: row.id, reason: 'Verkettung unterbrochen (Vorgänger fehlt oder wurde geändert)' } };
    const { id: _id, hash, ...fields } = row;
    if (entryHash({ ...fields, at: new Date(fields.at) }) !== hash)
      return { checked, prev, brokenAt: { id: row.id, reason: 'Inhalt geändert' } };
    prev = hash;
  }
  return { checked, prev };
}

/** A recorded check: the chain was intact from the genesis up to `entryId` (`entries` entries). */
export interface AuditCheckpoint extends ChainPosition {
  entries: number;
  /** The walk began at the genesis (else at an earlier checkpoint). */
  fullCheck: boolean;
  verifiedAt: string;
}

export async function recordAuditCheckpoint(db: Db, checkpoint: Omit<AuditCheckpoint, 'verifiedAt'>): Promise<void> {
  await db.sequelize.query(
    `INSERT INTO audit_chain_checkpoints (entry_id, hash, entries, full_check) VALUES (:id, :hash, :entries, :fullCheck)`,
    { replacements: checkpoint },
  );
}

/** The checkpoint furthest along the chain, and the newest full check (they may be the same). */
export async function latestAuditCheckpoints(db: Db): Promise<{ furthest: AuditCheckpoint | null; lastFull: AuditCheckpoint | null }> {
  const select = `SELECT entry_id AS id, hash, entries, full_check AS "fullCheck", verified_at AS "verifiedAt" FROM audit_chain_checkpoints`;
  const [[furthest], [lastFull]] = await Promise.all([
    db.sequelize.query<AuditCheckpointRow>(`${select} ORDER BY entry_id DESC, id DESC LIMIT 1`, { type: QueryTypes.SELECT }),
    db.sequelize.query<AuditCheckpointRow>(`${select} WHERE full_check ORDER BY id DESC LIMIT 1`, { type: QueryTypes.SELECT }),
  ]);
  return { furthest: checkpointOf(furthest), lastFull: checkpointOf(lastFull) };
}

interface AuditCheckpointRow {
  id: string | number;
  hash: string;
  entries: string | number;
  fullCheck: boolean;
  verifiedAt: Date;
}

function checkpointOf(row: AuditCheckpointRow | undefined): AuditCheckpoint | null {
  if (!row) return null;
  // BIGINT columns arrive as strings.
  return {
    id: Number(row.id),
    hash: row.hash,
    entries: Number(row.entries),
    fullCheck: row.fullCheck,
    verifiedAt: new Date(row.verifiedAt).toISOString(),
  };
}

/**
 * One page of the chain walk, for logs too large to hold at once: the `limit` entries after `after`
 * (the last entry the previous page checked, null from the genesis), each checked against its link
 * and content. `last` is where the next page continues.
 */
export async function verifyAuditChainPage(
  db: Db,
  after: { id: number; hash: string } | null,
  limit: number,
): Promise<ChainVerdict & { last: { id: number; hash: string } | null }> {
  const rows = await db.models.AuditEntry.findAll({
    where: after ? { id: { [Op.gt]: after.id } } : {},
    order: [['id', 'ASC']],
    limit,
    raw: true,
  });
  const walk = checkLinks(rows, after?.hash ?? GENESIS_HASH);
  if (walk.brokenAt) return { ok: false, checked: walk.checked, brokenAt: walk.brokenAt, last: null };
  const last = rows.at(-1);
  return { ok: true, checked: walk.checked, last: last ? { id: last.id, hash: last.hash } : null };
}
