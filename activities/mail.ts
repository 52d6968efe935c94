// Outgoing e-mail. Every message is first recorded in `mails` under its dedupe key, so an activity
// that is retried (or runs twice after a worker crash) sends nothing twice; without SMTP_URL the
// table is the whole delivery (the development sink, viewable in the portal).
import nodemailer from 'nodemailer';
import type { Db } from '../db';

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
          [{
            dedupeKey: message.dedupeKey,
            toAddress: message.to,
            subject: message.subject,
            textBody: message.text,
            htmlBody: message.html ?? null,
            transport: smtp ? 'smtp' : 'sink',
            sentAt: null,
          }],
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
