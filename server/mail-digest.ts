// The notice digest (issue 14 item 4): one e-mail per user and period listing the routine notices
// that notifyUsers left for it (`digest_pending`), grouped by property and kind with counts and
// links to the inbox. Idempotent per user and period: the user's notices are first marked with the
// digest's key (which is also the mail's dedupe key), then mailed; a retried activity finds the
// marked notices again and the mailer delivers the key once. Pages through the users, reporting the
// last one done, so a retry resumes after it.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db';
import {
  mailDigestKey,
  mailDigestKeyPrefix,
  type MailDigestPeriod,
  type MailDigestResult,
  type MailRhythm,
} from '../domain/contracts/mail-digest';
import { inboxQuery } from '../domain/inbox-filters';
import { NOTICE_CATEGORY_LABELS, noticeCategory, type NoticeCategory } from '../domain/notifications';
import { formatDate } from '../domain/format';
import type { Mailer, MailMessage } from './mail';
import { PREFERENCES_PATH, mailRhythmsOf } from './notifications';
import { noProgress, type ProgressSource } from './progress';

export const DEFAULT_DIGEST_PAGE_SIZE = 200;
/** Titles listed per group; the count says how many there are in all. */
const TITLES_PER_GROUP = 10;

interface DigestProgress {
  afterUserId: number;
  users: number;
  notices: number;
}

export interface DigestNotice {
  kind: string;
  title: string;
  link: string | null;
  propertyId: number | null;
  propertyName: string | null;
}

export interface DigestGroup {
  propertyId: number | null;
  propertyName: string;
  category: NoticeCategory;
  label: string;
  count: number;
  titles: Array<{ title: string; link: string | null }>;
  /** The inbox filtered to this group. */
  link: string;
}

/** The notices by property (by name, "ohne Liegenschaft" last) and kind, in that order. */
export function groupDigestNotices(notices: readonly DigestNotice[]): DigestGroup[] {
  const groups = new Map<string, DigestGroup>();
  for (const notice of notices) {
    const category = noticeCategory(notice.kind);
    const key = `${notice.propertyId ?? 0}:${category}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        propertyId: notice.propertyId,
        propertyName: notice.propertyName ?? 'Ohne Liegenschaft',
        category,
        label: NOTICE_CATEGORY_LABELS[category],
        count: 0,
        titles: [],
        link: `/benachrichtigungen${inboxQuery({ category, propertyId: notice.propertyId ?? 0, unreadOnly: false, day: null })}`,
      };
      groups.set(key, group);
    }
    group.count += 1;
    if (group.titles.length < TITLES_PER_GROUP) group.titles.push({ title: notice.title, link: notice.link });
  }
  return [...groups.values()].sort(
    (a, b) =>
      Number(a.propertyId === null) - Number(b.propertyId === null) ||
      a.propertyName.localeCompare(b.propertyName, 'de') ||
      a.label.localeCompare(b.label, 'de'),
  );
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The digest mail of one user (without the recipient's address and key). */
export function composeDigestMail(parts: {
  recipientName: string;
  rhythm: 'taeglich' | 'woechentlich';
  date: string;
  groups: readonly DigestGroup[];
  publicUrl: string;
}): Pick<MailMessage, 'subject' | 'text' | 'html'> {
  const { recipientName, rhythm, date, groups, publicUrl } = parts;
  const total = groups.reduce((sum, group) => sum + group.count, 0);
  const span = rhythm === 'woechentlich' ? 'der Woche bis' : 'bis';
  const subject = `Klarmeter: ${total} ${total === 1 ? 'Benachrichtigung' : 'Benachrichtigungen'} ${span} ${formatDate(date)}`;
  const intro = `Guten Tag ${recipientName}, hier ist Ihre ${rhythm === 'woechentlich' ? 'wöchentliche' : 'tägliche'} Zusammenfassung. Dringendes erhalten Sie weiterhin sofort.`;
  const more = (group: DigestGroup) => group.count - group.titles.length;
  const text = [
    intro,
    '',
    ...groups.flatMap((group) => [
      `${group.propertyName} · ${group.label}: ${group.count}`,
      ...group.titles.map((t) => `  - ${t.title}${t.link ? ` (${publicUrl}${t.link})` : ''}`),
      ...(more(group) > 0 ? [`  … und ${more(group)} weitere`] : []),
      `  Alle anzeigen: ${publicUrl}${group.link}`,
      '',
    ]),
    `Rhythmus ändern: ${publicUrl}${PREFERENCES_PATH}`,
  ].join('\n');
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    ...groups.map(
      (group) =>
        `<h2>${escapeHtml(group.propertyName)} · ${escapeHtml(group.label)}: ${group.count}</h2><ul>${group.titles
          .map((t) => `<li>${t.link ? `<a href="${escapeHtml(publicUrl + t.link)}">${escapeHtml(t.title)}</a>` : escapeHtml(t.title)}</li>`)
          .join(
            '',
          )}${more(group) > 0 ? `<li>… und ${more(group)} weitere</li>` : ''}</ul><p><a href="${escapeHtml(publicUrl + group.link)}">Alle anzeigen</a></p>`,
    ),
    `<p><a href="${escapeHtml(publicUrl + PREFERENCES_PATH)}">Rhythmus ändern</a></p>`,
  ].join('\n');
  return { subject, text, html };
}

export function createMailDigestObligation(deps: { db: Db; mailer: Mailer; publicUrl?: string; progress?: ProgressSource }) {
  const { db, mailer, publicUrl = '', progress = noProgress } = deps;

  /** Users after `afterUserId` with notices for this period: waiting ones from before the cutoff, or ones already marked for it. */
  async function candidates(period: MailDigestPeriod, afterUserId: number, limit: number) {
    return db.sequelize.query<{ id: number; name: string; email: string }>(
      `SELECT u.id, u.name, u.email FROM users u
        WHERE u.id > $1 AND ($6::int[] IS NULL OR u.organisation_id = ANY($6::int[])) AND EXISTS (
          SELECT 1 FROM notifications n
           WHERE n.user_id = u.id AND n.digest_pending
             AND ((n.digest_key IS NULL AND n.created_at < $2) OR n.digest_key IN ($3 || u.id, $4 || u.id)))
        ORDER BY u.id LIMIT $5`,
      {
        bind: [
          afterUserId,
          period.cutoff,
          mailDigestKeyPrefix('taeglich', period.date),
          mailDigestKeyPrefix('woechentlich', period.date),
          limit,
          period.organisationIds ?? null,
        ],
        type: QueryTypes.SELECT,
      },
    );
  }

  /** One user's digest; the number of notices it lists (0: nothing due, no mail). */
  async function digestOne(user: { id: number; name: string; email: string }, rhythm: MailRhythm, period: MailDigestPeriod) {
    // A user who switched to "sofort" still gets what was left waiting, in the daily digest.
    const digestRhythm = rhythm === 'woechentlich' ? 'woechentlich' : 'taeglich';
    if (digestRhythm === 'woechentlich' && !period.weekly) return 0;
    const key = mailDigestKey(digestRhythm, period.date, user.id);
    await db.sequelize.query(
      `UPDATE notifications SET digest_key = $1
        WHERE user_id = $2 AND digest_pending AND digest_key IS NULL AND created_at < $3`,
      { bind: [key, user.id, period.cutoff] },
    );
    const notices = await db.sequelize.query<DigestNotice>(
      `SELECT n.kind, n.title, n.link, n.property_id AS "propertyId", p.name AS "propertyName"
         FROM notifications n LEFT JOIN properties p ON p.id = n.property_id
        WHERE n.digest_key = $1 ORDER BY n.created_at, n.id`,
      { bind: [key], type: QueryTypes.SELECT },
    );
    if (notices.length === 0) return 0;
    const mail = composeDigestMail({
      recipientName: user.name,
      rhythm: digestRhythm,
      date: period.date,
      groups: groupDigestNotices(notices),
      publicUrl,
    });
    await mailer.send({ ...mail, to: user.email, dedupeKey: key });
    return notices.length;
  }

  return {
    /** Every due user's digest of the period, page by page; a retry resumes after the last page reported. */
    async sendMailDigests(input: MailDigestPeriod & { pageSize?: number }): Promise<MailDigestResult> {
      const { pageSize = DEFAULT_DIGEST_PAGE_SIZE, ...period } = input;
      const current = progress<DigestProgress>();
      const done: DigestProgress = { ...(current.resumed ?? { afterUserId: 0, users: 0, notices: 0 }) };
      for (;;) {
        const users = await candidates(period, done.afterUserId, pageSize);
        if (users.length === 0) break;
        await current.keepAlive(async () => {
          const rhythms = await mailRhythmsOf(
            db,
            users.map((u) => u.id),
          );
          for (const user of users) {
            const count = await digestOne(user, rhythms.get(user.id) ?? 'taeglich', period);
            if (count > 0) {
              done.users += 1;
              done.notices += count;
            }
          }
        });
        done.afterUserId = users.at(-1)?.id ?? done.afterUserId;
        current.report({ ...done });
      }
      return { users: done.users, notices: done.notices };
    },
  };
}
