// The mailer delivers each dedupe key once: through the sink, and through real SMTP (a local
// smtp-server), also when two attempts race.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createDb } from '../db';
import { uniqueSuffix } from '../tests/support/fixtures';
import { createMailer, type MailMessage } from './mail';

const db = createDb(inject('databaseUrl'));
const received: string[] = [];
let smtpServer: SMTPServer;
let smtpUrl: string;

beforeAll(async () => {
  smtpServer = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
      });
      stream.on('end', () => {
        received.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtpServer.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtpServer.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtpServer.close(() => resolve()));
  await db.close();
});

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  const suffix = uniqueSuffix();
  return {
    to: `manager-${suffix}@test.klarmeter.de`,
    subject: `Eichfrist in 30 Tagen: WZ-${suffix}`,
    text: 'Guten Tag',
    dedupeKey: `test-${suffix}`,
    ...overrides,
  };
}

async function rowsFor(dedupeKey: string) {
  return db.models.Mail.findAll({ where: { dedupeKey } });
}

function deliveriesTo(address: string): number {
  return received.filter((raw) => raw.includes(address)).length;
}

describe('mailer', () => {
  test('without SMTP a message is kept once in the sink, however often it is sent', async () => {
    const mailer = createMailer({ db, from: 'Klarmeter <noreply@klarmeter.local>' });
    const mail = message();
    const first = await mailer.send(mail);
    const second = await mailer.send({ ...mail, subject: 'a retry with different text changes nothing' });
    expect(second).toEqual(first);
    const rows = await rowsFor(mail.dedupeKey);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ transport: 'sink', sentAt: null, subject: mail.subject, toAddress: mail.to });
  });

  test('through SMTP a retried send delivers once and records when', async () => {
    const mailer = createMailer({ db, smtpUrl, from: 'Klarmeter <noreply@klarmeter.local>' });
    try {
      const mail = message();
      const first = await mailer.send(mail);
      await mailer.send(mail);
      expect(first).toMatchObject({ transport: 'smtp', sentAt: expect.any(Date) });
      expect(deliveriesTo(mail.to)).toBe(1);
      expect(await rowsFor(mail.dedupeKey)).toHaveLength(1);
    } finally {
      mailer.close();
    }
  });

  test('two attempts racing with the same key deliver once', async () => {
    const mailer = createMailer({ db, smtpUrl, from: 'Klarmeter <noreply@klarmeter.local>' });
    try {
      const mail = message();
      const results = await Promise.all([mailer.send(mail), mailer.send(mail), mailer.send(mail)]);
      expect(new Set(results.map((r) => r.mailId)).size).toBe(1);
      expect(deliveriesTo(mail.to)).toBe(1);
    } finally {
      mailer.close();
    }
  });

  test('a failed SMTP attempt leaves no row behind, so the retry sends it', async () => {
    const broken = createMailer({ db, smtpUrl: 'smtp://127.0.0.1:1', from: 'Klarmeter <noreply@klarmeter.local>' });
    const mail = message();
    await expect(broken.send(mail)).rejects.toThrow();
    broken.close();
    expect(await rowsFor(mail.dedupeKey)).toHaveLength(0);

    const working = createMailer({ db, smtpUrl, from: 'Klarmeter <noreply@klarmeter.local>' });
    try {
      await working.send(mail);
      expect(deliveriesTo(mail.to)).toBe(1);
    } finally {
      working.close();
    }
  });
});
