import { createHash } from 'node:crypto';
import { Op, type Transaction } from 'sequelize';
import type { Db } from './index';
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
  const rows = await db.models.AuditEntry.findAll({ order: [['id', 'ASC']], raw: true, transaction });
  let prev = GENESIS_HASH;
  for (const row of rows) {
    if (row.prevHash !== prev)
      return {
        ok: false,
        checked: rows.length,
        brokenAt: { id: row.id, reason: 'Verkettung unterbrochen (Vorgänger fehlt oder wurde geändert)' },
      };
    const { id: _id, hash, ...fields } = row;
    if (entryHash({ ...fields, at: new Date(fields.at) }) !== hash)
      return { ok: false, checked: rows.length, brokenAt: { id: row.id, reason: 'Inhalt geändert' } };
    prev = hash;
  }
  return { ok: true, checked: rows.length };
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
  let prev = after?.hash ?? GENESIS_HASH;
  for (const row of rows) {
    const broken = (reason: string) => ({ ok: false, checked: rows.length, brokenAt: { id: row.id, reason }, last: null });
    if (row.prevHash !== prev) return broken('Verkettung unterbrochen (Vorgänger fehlt oder wurde geändert)');
    const { id: _id, hash, ...fields } = row;
    if (entryHash({ ...fields, at: new Date(fields.at) }) !== hash) return broken('Inhalt geändert');
    prev = hash;
  }
  const last = rows.at(-1);
  return { ok: true, checked: rows.length, last: last ? { id: last.id, hash: last.hash } : null };
}
