// In-portal notifications (the bell). The unique (user_id, dedupe_key) index makes a repeated
// insert a no-op, so activities that are retried notify each user once.
import type { Transaction } from 'sequelize';
import { LIVE_CHANNEL, type Db } from '../db';

export interface NotificationInput {
  userIds: number[];
  kind: string;
  title: string;
  body: string;
  link?: string | null;
  /** The same key for every recipient of one event: each user gets it once. */
  dedupeKey: string;
}

export async function insertNotifications(db: Db, input: NotificationInput, transaction?: Transaction): Promise<void> {
  const userIds = [...new Set(input.userIds)];
  if (userIds.length === 0) return;
  await db.models.Notification.bulkCreate(
    userIds.map((userId) => ({
      userId,
      kind: input.kind,
      title: input.title,
      body: input.body,
      link: input.link ?? null,
      dedupeKey: input.dedupeKey,
    })),
    { ignoreDuplicates: true, transaction },
  );
  // A hint for open pages to refresh the bell; repeating it after a duplicate insert is harmless.
  await db.notify(LIVE_CHANNEL, { type: 'notification', userIds }, transaction);
}
