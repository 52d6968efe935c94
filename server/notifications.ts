// The one notification path: every feature tells people through `notifyUsers`, which writes the
// in-portal notices (the bell) and sends one templated e-mail each, through the channels every
// recipient chose for the notice's topic. Both are idempotent: the unique (user_id, dedupe_key) index
// makes a repeated insert a no-op, and the mailer delivers a key once, so a retried activity tells
// each user once. The users' channel choices are stored here too.
import { Op, QueryTypes, type Transaction } from 'sequelize';
import { LIVE_CHANNEL, type Db, type User } from '../db';
import { NOTIFICATION_TOPIC_TEXTS, notificationTopicsFor, type NoticeUrgency, type NotificationTopic } from '../domain/notifications';
import type { Role } from '../domain/roles';
import { defaultMailRhythm, isMailRhythm, type MailRhythm } from '../domain/contracts/mail-digest';
import { db as sharedDb } from './db';
import { renderMail, type MailData, type MailTemplate, type Mailer } from './mail';
import { forEachConcurrently } from './temporal';

export const PREFERENCES_PATH = '/einstellungen/benachrichtigungen';

/** E-mails in flight at once: each is a short transaction of its own (the mailer's dedupe record). */
const MAIL_CONCURRENCY = 8;

// ---- writing the bell's entries ----

export interface NotificationInput {
  userIds: number[];
  kind: string;
  title: string;
  body: string;
  link?: string | null;
  /** The same key for every recipient of one event: each user gets it once. */
  dedupeKey: string;
  urgency?: NoticeUrgency;
  /** The property the notice is about: the inbox groups and filters by it. */
  propertyId?: number | null;
}

interface NotificationRow {
  userId: number;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  dedupeKey: string;
  urgency: NoticeUrgency;
  propertyId: number | null;
  digestPending?: boolean;
}

async function insertRows(db: Db, rows: NotificationRow[], transaction?: Transaction): Promise<void> {
  if (rows.length === 0) return;
  await db.models.Notification.bulkCreate(rows, { ignoreDuplicates: true, transaction });
  // A hint for open pages to refresh the bell; repeating it after a duplicate insert is harmless.
  await db.notify(LIVE_CHANNEL, { type: 'notification', userIds: [...new Set(rows.map((row) => row.userId))] }, transaction);
}

/** The same entry for every user, regardless of preferences (the building block of notifyUsers). */
export async function insertNotifications(db: Db, input: NotificationInput, transaction?: Transaction): Promise<void> {
  const { userIds, link, urgency, propertyId, ...entry } = input;
  await insertRows(
    db,
    [...new Set(userIds)].map((userId) => ({
      ...entry,
      userId,
      link: link ?? null,
      urgency: urgency ?? 'routine',
      propertyId: propertyId ?? null,
    })),
    transaction,
  );
}

// ---- preferences ----

export interface Channels {
  inPortal: boolean;
  email: boolean;
}

const BOTH_CHANNELS: Channels = { inPortal: true, email: true };

/** Each user's channels for a topic; users without a stored choice get both. */
export async function channelsFor(db: Db, userIds: readonly number[], topic: NotificationTopic): Promise<Map<number, Channels>> {
  const ids = [...new Set(userIds)];
  const rows = ids.length === 0 ? [] : await db.models.NotificationPreference.findAll({ where: { userId: ids, topic } });
  const stored = new Map(rows.map((row) => [row.userId, { inPortal: row.inPortal, email: row.email }]));
  return new Map(ids.map((id) => [id, stored.get(id) ?? BOTH_CHANNELS]));
}

export interface TopicPreference extends Channels {
  topic: NotificationTopic;
  label: string;
  description: string;
}

/** The settings page: every topic that concerns the user's role, with its current channels. */
export async function notificationPreferences(user: { id: number; role: Role }, database: Db = sharedDb()): Promise<TopicPreference[]> {
  const topics = notificationTopicsFor(user.role);
  const rows = await database.models.NotificationPreference.findAll({ where: { userId: user.id } });
  const stored = new Map(rows.map((row) => [row.topic, row]));
  return topics.map((topic) => ({
    topic,
    label: NOTIFICATION_TOPIC_TEXTS[topic].label,
    description: NOTIFICATION_TOPIC_TEXTS[topic].description[user.role] ?? '',
    inPortal: stored.get(topic)?.inPortal ?? true,
    email: stored.get(topic)?.email ?? true,
  }));
}

/**
 * Stores the user's channels for every topic of its role (the form sends all of them: an unticked
 * box is a channel turned off). A topic that does not concern the role is refused by name.
 */
export async function saveNotificationPreferences(
  user: { id: number; role: Role },
  choices: Partial<Record<NotificationTopic, Channels>>,
  database: Db = sharedDb(),
): Promise<void> {
  const topics = notificationTopicsFor(user.role);
  for (const topic of Object.keys(choices)) {
    if (!(topics as string[]).includes(topic)) throw new RangeError(`${topic}: no notification topic of the role ${user.role}`);
  }
  const rows = topics.map((topic) => {
    const chosen = choices[topic];
    if (!chosen) throw new RangeError(`${topic}: channels missing`);
    return { userId: user.id, topic, inPortal: chosen.inPortal, email: chosen.email };
  });
  await database.models.NotificationPreference.bulkCreate(rows, { updateOnDuplicate: ['inPortal', 'email', 'updatedAt'] });
}

// ---- e-mail rhythm (routine notices at once, or in a daily or weekly digest) ----

/** Each user's rhythm: the stored choice, else the role's default. Unknown ids are absent. */
export async function mailRhythmsOf(db: Db, userIds: readonly number[], transaction?: Transaction): Promise<Map<number, MailRhythm>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await db.sequelize.query<{ id: number; role: Role; rhythm: MailRhythm | null }>(
    'SELECT u.id, u.role, r.rhythm FROM users u LEFT JOIN mail_rhythms r ON r.user_id = u.id WHERE u.id = ANY($1::int[])',
    { bind: [ids], type: QueryTypes.SELECT, transaction },
  );
  return new Map(rows.map((row) => [row.id, row.rhythm ?? defaultMailRhythm(row.role)]));
}

export async function mailRhythmOf(user: { id: number; role: Role }, database: Db = sharedDb()): Promise<MailRhythm> {
  return (await mailRhythmsOf(database, [user.id])).get(user.id) ?? defaultMailRhythm(user.role);
}

/** Stores the user's rhythm; anything but a known rhythm is refused, naming the field. */
export async function saveMailRhythm(user: { id: number }, rhythm: unknown, database: Db = sharedDb()): Promise<MailRhythm> {
  if (!isMailRhythm(rhythm)) throw new RangeError(`rhythm: unknown e-mail rhythm ${JSON.stringify(rhythm)}`);
  await database.sequelize.query(
    `INSERT INTO mail_rhythms (user_id, rhythm) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET rhythm = EXCLUDED.rhythm, updated_at = now()`,
    { bind: [user.id, rhythm] },
  );
  return rhythm;
}

// ---- the one path ----

/** Whom a notice reaches: a user row or the columns of one. */
export interface Recipient {
  id: number;
  name: string;
  email: string;
}

/** What one recipient is told: the bell's entry and the e-mail, in the parts the templates arrange. */
export interface OutgoingNotice {
  title: string;
  body: string;
  /** A path in the portal: the entry's link and the e-mail's button. */
  link: string;
  template: MailTemplate;
  mail: Omit<MailData, 'recipientName' | 'action' | 'preferencesUrl' | 'urgent'> & { actionLabel: string };
}

/**
 * A notice in the generic template: the e-mail's headline is the entry's title, its intro the entry's
 * body (or a fuller `intro`), the facts below it.
 */
export function genericNotice(parts: {
  title: string;
  body: string;
  link: string;
  reference: string;
  facts: MailData['facts'];
  actionLabel: string;
  intro?: string;
}): OutgoingNotice {
  const { title, body, link, reference, facts, actionLabel, intro = body } = parts;
  return { title, body, link, template: 'notice', mail: { reference, headline: title, intro, facts, actionLabel } };
}

export interface NotifyDeps {
  db: Db;
  mailer: Mailer;
  /** Base URL for the e-mails' links (PUBLIC_URL); without it they carry the bare path. */
  publicUrl?: string;
}

export interface NotifyInput<R extends Recipient> {
  recipients: readonly R[];
  topic: NotificationTopic;
  /** The entry's kind, e.g. 'device-reminder'. */
  kind: string;
  urgency: NoticeUrgency;
  /** The event's key, the same for every recipient; each e-mail is keyed `${dedupeKey}:user-${id}`. */
  dedupeKey: string;
  /** The property the notice is about, for the inbox's groups and filters. */
  propertyId?: number | null;
  compose: (recipient: R) => OutgoingNotice;
}

/** The recipients (user ids) each channel reached, by their preferences. */
export interface NotifyOutcome {
  inPortal: number[];
  /** Mailed at once. */
  email: number[];
  /** Left for their next digest mail (routine notices of users with a daily or weekly rhythm). */
  digest: number[];
}

/**
 * Tells each recipient what `compose` says to it, through the channels its preferences allow for
 * the topic: the bell's entries in one transaction, then one e-mail each (outside it: every e-mail
 * is its own idempotent delivery, so a failed relay cannot undo the entries). A routine notice to a
 * user with a daily or weekly rhythm is not mailed now: its entry waits for the digest
 * (server/mail-digest.ts). Without an entry (portal channel off) there is nothing to collect, so it
 * is mailed at once.
 */
export async function notifyUsers<R extends Recipient>(deps: NotifyDeps, input: NotifyInput<R>): Promise<NotifyOutcome> {
  const { db, mailer, publicUrl = '' } = deps;
  const recipients = [...new Map(input.recipients.map((recipient) => [recipient.id, recipient])).values()];
  const channels = await channelsFor(
    db,
    recipients.map((recipient) => recipient.id),
    input.topic,
  );
  const rhythms =
    input.urgency === 'routine'
      ? await mailRhythmsOf(
          db,
          recipients.map((recipient) => recipient.id),
        )
      : new Map<number, MailRhythm>();
  const notices = recipients.map((recipient) => {
    const chosen = channels.get(recipient.id) ?? BOTH_CHANNELS;
    const rhythm = rhythms.get(recipient.id) ?? 'sofort';
    return {
      recipient,
      notice: input.compose(recipient),
      channels: chosen,
      digest: chosen.email && chosen.inPortal && rhythm !== 'sofort',
    };
  });
  const inPortal = notices.filter((n) => n.channels.inPortal);
  if (inPortal.length > 0) {
    await db.sequelize.transaction((transaction) =>
      insertRows(
        db,
        inPortal.map(({ recipient, notice, digest }) => ({
          userId: recipient.id,
          kind: input.kind,
          title: notice.title,
          body: notice.body,
          link: notice.link,
          dedupeKey: input.dedupeKey,
          urgency: input.urgency,
          propertyId: input.propertyId ?? null,
          digestPending: digest,
        })),
        transaction,
      ),
    );
  }
  const byEmail = notices.filter((n) => n.channels.email && !n.digest);
  await forEachConcurrently(byEmail, MAIL_CONCURRENCY, async ({ recipient, notice }) => {
    const { actionLabel, ...mail } = notice.mail;
    const rendered = renderMail(notice.template, {
      ...mail,
      recipientName: recipient.name,
      action: { label: actionLabel, url: `${publicUrl}${notice.link}` },
      preferencesUrl: `${publicUrl}${PREFERENCES_PATH}`,
      urgent: input.urgency === 'urgent',
    });
    await mailer.send({
      to: recipient.email,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      dedupeKey: `${input.dedupeKey}:user-${recipient.id}`,
    });
  });
  return {
    inPortal: inPortal.map((n) => n.recipient.id),
    email: byEmail.map((n) => n.recipient.id),
    digest: notices.filter((n) => n.digest).map((n) => n.recipient.id),
  };
}

// ---- recipients ----

/** The audience's users: named ones and, when asked, the organisation's managers; never the actor itself. */
export async function recipientsOf(
  db: Db,
  organisationId: number,
  audience: { userIds: number[]; managers: boolean },
  actorId: number | null,
  transaction?: Transaction,
): Promise<User[]> {
  const named = { id: audience.userIds.length > 0 ? audience.userIds : [-1] };
  const where = audience.managers ? { [Op.or]: [named, { role: 'manager' }] } : named;
  const users = await db.models.User.findAll({ where: { organisationId, ...where }, order: [['id', 'ASC']], transaction });
  return users.filter((user) => user.id !== actorId);
}

/** The organisation's managers, by id. */
export function managersOf(db: Db, organisationId: number, transaction?: Transaction): Promise<User[]> {
  return db.models.User.findAll({ where: { organisationId, role: 'manager' }, order: [['id', 'ASC']], transaction });
}
