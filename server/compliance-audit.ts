// The audit log as the compliance desk reads it: the organisation's entries, filtered and paged,
// the whole chain's verification and its head. Read only; exports are themselves audited.
import { QueryTypes } from 'sequelize';
import { db } from './db';
import type { SessionUser } from './session';
import {
  appendAudit,
  latestAuditCheckpoints,
  recordAuditCheckpoint,
  verifyAuditChainFrom,
  type AuditCheckpoint,
  type ChainVerdict,
} from '../db/audit';
import { latestAuditHead } from '../db/heads';
import type { Db } from '../db';
import { addDays } from '../domain/dates';
import { zonedTimeToInstant } from '../domain/calendar';
import { formatDateTime } from '../domain/format';
import { toCsv } from '../domain/compliance/csv';
import { AUDIT_PAGE_SIZE, type AuditFilters } from '../domain/compliance/audit-filters';

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  rows: AuditRow[];
  total: number;
  page: number;
  pageCount: number;
}

function whereOf(user: SessionUser, filters: AuditFilters): { sql: string; replacements: Record<string, unknown> } {
  const parts = ['a.organisation_id = :organisationId'];
  const replacements: Record<string, unknown> = { organisationId: user.organisationId };
  const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (filters.actor) {
    parts.push('(a.actor ILIKE :actor OR u.name ILIKE :actor)');
    replacements.actor = like(filters.actor);
  }
  if (filters.action) {
    parts.push('a.action = :action');
    replacements.action = filters.action;
  }
  if (filters.entity) {
    parts.push('a.entity = :entity');
    replacements.entity = filters.entity;
  }
  if (filters.entityId) {
    parts.push('a.entity_id = :entityId');
    replacements.entityId = filters.entityId;
  }
  if (filters.ip) {
    parts.push('a.ip LIKE :ip');
    replacements.ip = `${filters.ip.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  // German calendar days: from its midnight to the next day's.
  if (filters.from) {
    parts.push('a.at >= :from');
    replacements.from = zonedTimeToInstant(filters.from);
  }
  if (filters.to) {
    parts.push('a.at < :to');
    replacements.to = zonedTimeToInstant(addDays(filters.to, 1));
  }
  return { sql: `WHERE ${parts.join(' AND ')}`, replacements };
}

const FROM = `FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id AND u.organisation_id = a.organisation_id`;
const COLUMNS = `a.id, a.at, a.actor, u.role, a.action, a.entity, a.entity_id AS "entityId", a.ip, a.details`;

function toRow(row: Omit<AuditRow, 'at'> & { at: Date }): AuditRow {
  return { ...row, at: new Date(row.at).toISOString() };
}

export async function auditPage(user: SessionUser, filters: AuditFilters): Promise<AuditPage> {
  const where = whereOf(user, filters);
  const sequelize = db().sequelize;
  const [count] = await sequelize.query<{ total: string }>(`SELECT count(*) AS total ${FROM} ${where.sql}`, {
    replacements: where.replacements,
    type: QueryTypes.SELECT,
  });
  const total = Number(count?.total ?? 0);
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const page = Math.min(filters.page, pageCount);
  const rows = await sequelize.query<Omit<AuditRow, 'at'> & { at: Date }>(
    `SELECT ${COLUMNS} ${FROM} ${where.sql} ORDER BY a.id DESC LIMIT :limit OFFSET :offset`,
    { replacements: { ...where.replacements, limit: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE }, type: QueryTypes.SELECT },
  );
  return { rows: rows.map(toRow), total, page, pageCount };
}

/** The organisation's actions and object kinds that occur, for the filters' choices. */
export async function auditVocabulary(user: SessionUser): Promise<{ actions: string[]; entities: string[] }> {
  const sequelize = db().sequelize;
  const distinct = (column: 'action' | 'entity') =>
    sequelize.query<{ value: string }>(
      `SELECT DISTINCT ${column} AS value FROM audit_log WHERE organisation_id = :organisationId ORDER BY 1`,
      {
        replacements: { organisationId: user.organisationId },
        type: QueryTypes.SELECT,
      },
    );
  const [actions, entities] = await Promise.all([distinct('action'), distinct('entity')]);
  return { actions: actions.map((row) => row.value), entities: entities.map((row) => row.value) };
}

export interface ChainState extends ChainVerdict {
  /** The newest entry: its number, time and hash, which every earlier entry's content is bound to. */
  head: { id: number; at: string; hash: string } | null;
  /** The newest signed head (signed outside the database) and whether its entry still has that hash. */
  signedHead: { id: number; signedAt: string | null; keyFingerprint: string; matches: boolean } | null;
  /** Entries in the chain up to the verified position (from the genesis). */
  entries: number;
  /** Where this check began: the genesis (null) or an earlier intact position. */
  resumedFrom: { id: number; verifiedAt: string } | null;
  /** The newest check that walked from the genesis (`npm run -s cli -- audit verify --full`). */
  lastFullCheck: { id: number; verifiedAt: string } | null;
  verifiedAt: string;
}

/** How far this process has seen the chain intact: the next page load walks only what came after. */
const verifiedInProcess = new WeakMap<Db, AuditCheckpoint>();
const running = new WeakMap<Db, Promise<ChainState>>();

/**
 * The chain's verdict, checked incrementally: from the furthest intact position known (a recorded
 * checkpoint or this process's last check) to the newest entry; the entry at that position is
 * re-hashed too. Entries before it were verified then and are append-only (trigger and grants);
 * a full walk from the genesis is the CLI's `audit verify --full` (and the verification schedule).
 * Concurrent page loads share one walk.
 */
export function auditChainState(database: Db = db()): Promise<ChainState> {
  let walk = running.get(database);
  if (!walk) {
    walk = checkChain(database).finally(() => running.delete(database));
    running.set(database, walk);
  }
  return walk;
}

async function checkChain(database: Db): Promise<ChainState> {
  const { furthest, lastFull } = await latestAuditCheckpoints(database);
  const known = verifiedInProcess.get(database) ?? null;
  const from = [known, furthest].filter((c) => c !== null).sort((a, b) => b.id - a.id)[0] ?? null;
  const verdict = await verifyAuditChainFrom(database, from);
  const entries = (from?.entries ?? 0) + verdict.checked;
  if (verdict.ok && verdict.last)
    verifiedInProcess.set(database, { ...verdict.last, entries, fullCheck: false, verifiedAt: new Date().toISOString() });
  if (!verdict.ok) verifiedInProcess.delete(database);
  const [head, signed] = await Promise.all([
    database.models.AuditEntry.findOne({ order: [['id', 'DESC']], attributes: ['id', 'at', 'hash'], raw: true }),
    latestAuditHead(database),
  ]);
  let signedHead: ChainState['signedHead'] = null;
  if (signed) {
    const entry = await database.models.AuditEntry.findByPk(signed.seq, { attributes: ['hash'], raw: true });
    const fields = JSON.parse(signed.head) as { signedAt?: unknown };
    signedHead = {
      id: Number(signed.seq),
      signedAt: typeof fields.signedAt === 'string' ? fields.signedAt : null,
      keyFingerprint: signed.keyFingerprint,
      matches: entry?.hash === signed.sha256,
    };
  }
  const { last: _last, ...rest } = verdict;
  return {
    ...rest,
    head: head ? { id: head.id, at: new Date(head.at).toISOString(), hash: head.hash } : null,
    signedHead,
    entries,
    resumedFrom: from ? { id: from.id, verifiedAt: from.verifiedAt } : null,
    lastFullCheck: lastFull ? { id: lastFull.id, verifiedAt: lastFull.verifiedAt } : null,
    verifiedAt: new Date().toISOString(),
  };
}

/**
 * Verifies the chain (from the genesis with `full`, else from the furthest checkpoint) and records
 * a checkpoint when it is intact: the CLI's `audit verify`, run by operators or a schedule.
 */
export async function recordAuditChainCheck(database: Db, options: { full: boolean }): Promise<ChainVerdict & { entries: number }> {
  const { furthest } = await latestAuditCheckpoints(database);
  const from = options.full ? null : furthest;
  const verdict = await verifyAuditChainFrom(database, from);
  const entries = (from?.entries ?? 0) + verdict.checked;
  if (verdict.ok && verdict.last) await recordAuditCheckpoint(database, { ...verdict.last, entries, fullCheck: from === null });
  const { last: _last, ...rest } = verdict;
  return { ...rest, entries };
}

const CSV_LIMIT = 100_000;

export async function auditCsv(user: SessionUser, filters: AuditFilters, ip: string | null): Promise<string> {
  const where = whereOf(user, filters);
  const rows = await db().sequelize.query<Omit<AuditRow, 'at'> & { at: Date }>(
    `SELECT ${COLUMNS} ${FROM} ${where.sql} ORDER BY a.id DESC LIMIT ${CSV_LIMIT}`,
    { replacements: where.replacements, type: QueryTypes.SELECT },
  );
  await appendAudit(db(), {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'export',
    entity: 'audit-log',
    ip,
    details: { format: 'csv', rows: rows.length, filters: { ...filters, page: undefined } },
  });
  return toCsv(
    ['Nr.', 'Zeit', 'Benutzer', 'Rolle', 'Aktion', 'Objektart', 'Objekt-Nr.', 'IP-Adresse', 'Änderung'],
    rows
      .map(toRow)
      .map((row) => [
        row.id,
        formatDateTime(row.at),
        row.actor,
        row.role,
        row.action,
        row.entity,
        row.entityId,
        row.ip,
        JSON.stringify(row.details),
      ]),
  );
}
