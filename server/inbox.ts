// The in-portal inbox: notifications belong to one user; every query is keyed by that user.
// Calm by grouping: notices of one day about one property and of one kind form a group with its
// counts and newest entries, so 140 device reminders of a morning are one line, not 140.
import { Op, QueryTypes } from 'sequelize';
import { db } from './db';
import { NOTICE_CATEGORIES, type NoticeCategory } from '../domain/notifications';
import type { InboxFilters } from '../domain/inbox-filters';

export const INBOX_LIMIT = 100;
/** Groups shown per page, and the newest entries shown of each group. */
export const INBOX_GROUPS = 30;
export const GROUP_PREVIEW = 3;

export async function unreadCount(userId: number): Promise<number> {
  return db().models.Notification.count({ where: { userId, readAt: null } });
}

export async function inbox(userId: number) {
  return db().models.Notification.findAll({
    where: { userId },
    attributes: ['id', 'kind', 'title', 'body', 'link', 'readAt', 'createdAt'],
    order: [
      ['createdAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: INBOX_LIMIT,
    raw: true,
  });
}

// The filters are pure and shared with the page (a component builds links with inboxQuery): they live
// in domain/, so this server module stays out of the browser bundle.
export { inboxQuery, parseInboxFilters, type InboxFilters } from '../domain/inbox-filters';

// The category of a kind in SQL, the same rule as domain noticeCategory (the prefix before the first '-').
const CATEGORY_SQL = `CASE WHEN split_part(n.kind, '-', 1) IN (${NOTICE_CATEGORIES.filter((c) => c !== 'other')
  .map((c) => `'${c}'`)
  .join(', ')}) THEN split_part(n.kind, '-', 1) ELSE 'other' END`;
const DAY_SQL = `(n.created_at AT TIME ZONE 'Europe/Berlin')::date`;

function filterSql(userId: number, filters: InboxFilters): { sql: string; replacements: Record<string, unknown> } {
  const conditions = ['n.user_id = :userId'];
  const replacements: Record<string, unknown> = { userId };
  if (filters.category) {
    conditions.push(`${CATEGORY_SQL} = :category`);
    replacements.category = filters.category;
  }
  if (filters.propertyId === 0) conditions.push('n.property_id IS NULL');
  else if (filters.propertyId !== null) {
    conditions.push('n.property_id = :propertyId');
    replacements.propertyId = filters.propertyId;
  }
  if (filters.unreadOnly) conditions.push('n.read_at IS NULL');
  if (filters.day) {
    conditions.push(`${DAY_SQL} = :day`);
    replacements.day = filters.day;
  }
  return { sql: conditions.join(' AND '), replacements };
}

export interface InboxEntry {
  id: number;
  title: string;
  body: string;
  link: string | null;
  readAt: Date | null;
  createdAt: Date;
  urgency: 'urgent' | 'routine';
}

export interface InboxGroup {
  day: string;
  propertyId: number | null;
  propertyName: string | null;
  category: NoticeCategory;
  total: number;
  unread: number;
  urgent: number;
  /** The group's first GROUP_PREVIEW entries: urgent ones first, then the newest. */
  entries: InboxEntry[];
}

/** One row of the groups query: a group's counts repeated on each of its entries. */
type GroupRow = InboxEntry & Omit<InboxGroup, 'entries'>;

/**
 * The newest INBOX_GROUPS groups matching the filters, each with its counts and newest entries (one
 * query): GROUP_PREVIEW per group, or up to INBOX_LIMIT when one day is chosen (a group opened in full).
 */
export async function inboxGroups(userId: number, filters: InboxFilters): Promise<InboxGroup[]> {
  const where = filterSql(userId, filters);
  const rows = await db().sequelize.query<GroupRow>(
    `WITH matching AS (
       SELECT n.id, n.title, n.body, n.link, n.read_at, n.created_at, n.urgency, n.property_id,
              to_char(${DAY_SQL}, 'YYYY-MM-DD') AS day, ${CATEGORY_SQL} AS category
         FROM notifications n WHERE ${where.sql}
     ), groups AS (
       SELECT day, property_id, category, count(*)::int AS total, count(*) FILTER (WHERE read_at IS NULL)::int AS unread,
              count(*) FILTER (WHERE urgency = 'urgent')::int AS urgent, max(created_at) AS latest
         FROM matching GROUP BY day, property_id, category
        ORDER BY latest DESC LIMIT :groups
     ), ranked AS (
       SELECT m.*, row_number() OVER (PARTITION BY m.day, m.property_id, m.category
                                 ORDER BY m.urgency = 'urgent' DESC, m.created_at DESC, m.id DESC) AS rank
         FROM matching m JOIN groups g ON g.day = m.day AND g.category = m.category AND g.property_id IS NOT DISTINCT FROM m.property_id
     )
     SELECT g.day, g.property_id AS "propertyId", p.name AS "propertyName", g.category, g.total, g.unread, g.urgent,
            r.id, r.title, r.body, r.link, r.read_at AS "readAt", r.created_at AS "createdAt", r.urgency
       FROM groups g
       JOIN ranked r ON r.day = g.day AND r.category = g.category AND r.property_id IS NOT DISTINCT FROM g.property_id AND r.rank <= :preview
       LEFT JOIN properties p ON p.id = g.property_id
      ORDER BY g.latest DESC, g.day, g.property_id, g.category, r.rank`,
    {
      replacements: { ...where.replacements, groups: INBOX_GROUPS, preview: filters.day ? INBOX_LIMIT : GROUP_PREVIEW },
      type: QueryTypes.SELECT,
    },
  );
  const groups: InboxGroup[] = [];
  for (const row of rows) {
    let group = groups.at(-1);
    if (!group || group.day !== row.day || group.propertyId !== row.propertyId || group.category !== row.category) {
      group = { ...pickGroup(row), entries: [] };
      groups.push(group);
    }
    group.entries.push({
      id: row.id,
      title: row.title,
      body: row.body,
      link: row.link,
      readAt: row.readAt,
      createdAt: row.createdAt,
      urgency: row.urgency,
    });
  }
  return groups;
}

function pickGroup(row: GroupRow): Omit<InboxGroup, 'entries'> {
  const { day, propertyId, propertyName, category, total, unread, urgent } = row;
  return { day, propertyId, propertyName, category, total, unread, urgent };
}

export interface InboxFacets {
  unread: number;
  /** Unread notices per category. */
  categories: Array<{ category: NoticeCategory; unread: number; total: number }>;
  /** The properties the user's notices are about (the property filter's options), with unread counts. */
  properties: Array<{ id: number; name: string; unread: number }>;
}

/** Counts for the filter bar: per category and per property, over all of the user's notices. */
export async function inboxFacets(userId: number): Promise<InboxFacets> {
  const sql = db().sequelize;
  const [categories, properties] = await Promise.all([
    sql.query<{ category: NoticeCategory; unread: number; total: number }>(
      `SELECT ${CATEGORY_SQL} AS category, count(*) FILTER (WHERE n.read_at IS NULL)::int AS unread, count(*)::int AS total
         FROM notifications n WHERE n.user_id = :userId GROUP BY 1`,
      { replacements: { userId }, type: QueryTypes.SELECT },
    ),
    sql.query<{ id: number; name: string; unread: number }>(
      `SELECT p.id, p.name, count(*) FILTER (WHERE n.read_at IS NULL)::int AS unread
         FROM notifications n JOIN properties p ON p.id = n.property_id
        WHERE n.user_id = :userId GROUP BY p.id, p.name ORDER BY p.name, p.id`,
      { replacements: { userId }, type: QueryTypes.SELECT },
    ),
  ]);
  const byCategory = new Map(categories.map((c) => [c.category, c]));
  return {
    unread: categories.reduce((sum, c) => sum + c.unread, 0),
    categories: NOTICE_CATEGORIES.filter((c) => byCategory.has(c)).map((c) => byCategory.get(c)!),
    properties,
  };
}

/** Marks one (or, without id, every) unread notification of this user as read; others' ids match nothing. */
export async function markRead(userId: number, id?: number): Promise<number> {
  const where = id === undefined ? { userId, readAt: null } : { userId, id, readAt: { [Op.is]: null } };
  const [changed] = await db().models.Notification.update({ readAt: new Date() }, { where });
  return changed;
}

/** Marks every unread notification matching the filters (a group, or what the page shows) as read. */
export async function markReadWhere(userId: number, filters: InboxFilters): Promise<number> {
  const where = filterSql(userId, { ...filters, unreadOnly: true });
  const [, changed] = await db().sequelize.query(`UPDATE notifications n SET read_at = now() WHERE ${where.sql}`, {
    replacements: where.replacements,
    type: QueryTypes.UPDATE,
  });
  return changed;
}
