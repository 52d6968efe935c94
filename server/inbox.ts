// The in-portal inbox: notifications belong to one user; every query is keyed by that user.
import { Op } from 'sequelize';
import { db } from './db';

export const INBOX_LIMIT = 100;

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

/** Marks one (or, without id, every) unread notification of this user as read; others' ids match nothing. */
export async function markRead(userId: number, id?: number): Promise<number> {
  const where = id === undefined ? { userId, readAt: null } : { userId, id, readAt: { [Op.is]: null } };
  const [changed] = await db().models.Notification.update({ readAt: new Date() }, { where });
  return changed;
}
