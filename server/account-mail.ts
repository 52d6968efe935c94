// E-mails of the account lifecycle (invitation, set-up, reset, verification, notices), sent from
// the web process through the same Mailer as every other message: recorded in `mails` under a
// dedupe key, delivered by SMTP_URL or kept in the development sink. They are transactional, so
// no notification preference applies.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { createMailer, type MailRecord, type Mailer } from './mail';
import { config } from './config';
import { db } from './db';

export interface AccountMail {
  to: string;
  /** Unique per message: the same key is delivered at most once. */
  dedupeKey: string;
  subject: string;
  recipientName: string;
  organisationName: string;
  paragraphs: string[];
  action?: { label: string; url: string } | null;
  note?: string | null;
}

const TEMPLATE_DIR = fileURLToPath(new URL('./templates/account-mail/', import.meta.url));
type Compiled = (data: unknown) => string;
const compiled = new Map<string, Compiled>();

function layout(format: 'html' | 'text'): Compiled {
  let fn = compiled.get(format);
  if (!fn) {
    fn = Handlebars.compile(readFileSync(`${TEMPLATE_DIR}layout.${format}.hbs`, 'utf8'), { noEscape: format === 'text', strict: true });
    compiled.set(format, fn);
  }
  return fn;
}

export function renderAccountMail(mail: AccountMail): { subject: string; text: string; html: string } {
  const data = { ...mail, action: mail.action ?? null, note: mail.note ?? null };
  return { subject: mail.subject, text: layout('text')(data).replace(/\n{3,}/g, '\n\n'), html: layout('html')(data) };
}

let mailer: { key: string; mailer: Mailer } | undefined;

/** One Mailer per web process (per SMTP_URL and sender: tests point it at their own SMTP server). */
export function accountMailer(): Mailer {
  const { SMTP_URL, MAIL_FROM } = config();
  const key = `${SMTP_URL ?? ''}|${MAIL_FROM}`;
  if (mailer?.key !== key) {
    mailer?.mailer.close();
    mailer = { key, mailer: createMailer({ db: db(), smtpUrl: SMTP_URL, from: MAIL_FROM }) };
  }
  return mailer.mailer;
}

export function sendAccountMail(mail: AccountMail): Promise<MailRecord> {
  const rendered = renderAccountMail(mail);
  return accountMailer().send({ to: mail.to, dedupeKey: mail.dedupeKey, ...rendered });
}

/** For tests and shutdown: closes the SMTP connection pool. */
export function closeAccountMailer(): void {
  mailer?.mailer.close();
  mailer = undefined;
}
