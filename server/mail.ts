// Outgoing e-mail. Every message is first recorded in `mails` under its dedupe key, so an activity
// that is retried (or runs twice after a worker crash) sends nothing twice; without SMTP_URL the
// table is the whole delivery (the development sink, viewable in the portal).
//
// Messages are written with Handlebars templates (server/templates/mail: a subject, a text and
// an HTML part per template, framed by the layouts). Who gets which message, by which channel, is
// decided in one place: server/notifications.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import nodemailer from 'nodemailer';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db';
import { db as sharedDb } from './db';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Unique per message and recipient: the same key is delivered at most once. */
  dedupeKey: string;
}

export interface MailRecord {
  mailId: number;
  transport: 'smtp' | 'sink';
  /** When SMTP accepted the message (by this call or an earlier one with the same key); null in the sink. */
  sentAt: Date | null;
}

export interface Mailer {
  send(message: MailMessage): Promise<MailRecord>;
  close(): void;
}

export function createMailer({ db, smtpUrl, from }: { db: Db; smtpUrl?: string; from: string }): Mailer {
  // Timeouts well inside the activity's start-to-close timeout, so a hanging relay fails the attempt
  // (and the retry tries again) instead of outliving it.
  const smtp = smtpUrl
    ? nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 })
    : null;
  const { Mail } = db.models;

  return {
    async send(message) {
      return db.sequelize.transaction(async (transaction) => {
        await Mail.bulkCreate(
          [
            {
              dedupeKey: message.dedupeKey,
              toAddress: message.to,
              subject: message.subject,
              textBody: message.text,
              htmlBody: message.html ?? null,
              transport: smtp ? 'smtp' : 'sink',
              sentAt: null,
            },
          ],
          { ignoreDuplicates: true, transaction },
        );
        // The row lock serialises attempts with the same key: a concurrent retry waits here and then
        // finds sentAt set. A failed SMTP attempt rolls the row back, so the retry sends it afresh;
        // only a crash between the relay's acceptance and the commit can deliver a message twice.
        const mail = await Mail.findOne({ where: { dedupeKey: message.dedupeKey }, lock: transaction.LOCK.UPDATE, transaction });
        if (!mail) throw new Error(`mail ${message.dedupeKey} vanished after insert`);
        if (smtp && mail.transport === 'smtp' && !mail.sentAt) {
          await smtp.sendMail({ from, to: mail.toAddress, subject: mail.subject, text: mail.textBody, html: mail.htmlBody ?? undefined });
          await mail.update({ sentAt: new Date() }, { transaction });
        }
        return { mailId: mail.id, transport: mail.transport, sentAt: mail.sentAt };
      });
    },
    close() {
      smtp?.close();
    },
  };
}

// ---- templates ----

/** 'notice' is the generic one: headline, intro, facts, an optional quote, marked when urgent. */
export const MAIL_TEMPLATES = ['ticket-update', 'ticket-escalation', 'appointment-update', 'notice'] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

/** What every template is given: the message in parts, so each template only arranges and words them. */
export interface MailData {
  recipientName: string;
  /** "Vorgang #12" / "Terminanfrage #7": the subject prefix and the reference in the footer. */
  reference: string;
  headline: string;
  intro: string;
  facts: Array<{ label: string; value: string }>;
  /** A message to pass on verbatim (a reply, a question, a resolution), with its author. */
  quote?: { author: string; text: string } | null;
  action: { label: string; url: string };
  preferencesUrl: string;
  /** Someone must act now (escalation, breach, expired deadline): the generic template shows it. */
  urgent?: boolean;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const TEMPLATE_DIR = fileURLToPath(new URL('./templates/mail/', import.meta.url));

type Compiled = (data: unknown) => string;
const compiled = new Map<string, Compiled>();

/** Subject and text are plain text (no HTML escaping); the HTML part escapes every value. */
function template(name: string, format: 'html' | 'text'): Compiled {
  let fn = compiled.get(name);
  if (!fn) {
    fn = Handlebars.compile(readFileSync(`${TEMPLATE_DIR}${name}.hbs`, 'utf8'), { noEscape: format === 'text', strict: true });
    compiled.set(name, fn);
  }
  return fn;
}

export function renderMail(name: MailTemplate, input: MailData): RenderedMail {
  // Strict templates fail on a missing field instead of sending a gap; the optional quote is always present.
  const data = { ...input, quote: input.quote ?? null, urgent: input.urgent ?? false };
  const subject = template(`${name}.subject`, 'text')(data).replace(/\s+/g, ' ').trim();
  const text = template('layout.text', 'text')({ ...data, content: template(`${name}.text`, 'text')(data).trim() });
  const html = template(
    'layout.html',
    'html',
  )({ ...data, subject, content: new Handlebars.SafeString(template(`${name}.html`, 'html')(data)) });
  return { subject, text, html };
}

// ---- the development sink ----

export interface SinkMail {
  id: number;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  createdAt: Date;
}

/** The newest messages the sink kept (not sent) for the organisation's users, newest first. */
export async function sinkMails(organisationId: number, limit: number, database: Db = sharedDb()): Promise<SinkMail[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit: expected a positive integer, got ${limit}`);
  return database.sequelize.query<SinkMail>(
    `SELECT m.id, m.to_address AS "toAddress", m.subject, m.text_body AS "textBody", m.html_body AS "htmlBody", m.created_at AS "createdAt"
       FROM mails m
      WHERE m.transport = 'sink'
        AND EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(m.to_address) AND u.organisation_id = :organisationId)
      ORDER BY m.id DESC
      LIMIT :limit`,
    { replacements: { organisationId, limit }, type: QueryTypes.SELECT },
  );
}
