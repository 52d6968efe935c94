// Ticket e-mails as a real SMTP server receives them: rendered from the Handlebars templates,
// sent through nodemailer to an smtp-server on a free port, and read back from the wire.
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../tests/support/smtp';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDb, type User } from '../db';
import { createOrgFixture, createUserFixture, type OrgFixture } from '../tests/support/fixtures';
import { eventually } from '../tests/support/eventually';
import { createMailer, renderMail, type MailData, type Mailer } from './mail';
import { createTicketObligation } from './ticket-obligation';

const db = createDb(inject('databaseUrl'));
let received: ReceivedMail[] = [];
let smtpServer: TestSmtpServer;
let mailer: Mailer;
let org: OrgFixture;
let tenant: User;

beforeAll(async () => {
  smtpServer = await startTestSmtpServer();
  received = smtpServer.received;
  const { port } = smtpServer;
  mailer = createMailer({ db, smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Klarmeter <noreply@klarmeter.local>' });
  org = await createOrgFixture(db);
  tenant = await (await createUserFixture(db, org.organisation.id, 'tenant')).update({ name: 'Jana Müller' });
});

afterAll(async () => {
  mailer.close();
  await smtpServer.close();
  await db.close();
});

// ---- reading a message back: just enough MIME for nodemailer's output ----

function decodeBytes(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (Q and B), as nodemailer writes non-ASCII headers. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_m, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeBytes(text.replace(/_/g, ' ')),
    );
}

function parseMail(raw: string): { subject: string; text: string; html: string } {
  const [head = ''] = raw.split('\r\n\r\n');
  const headers = head.replace(/\r\n[ \t]+/g, ' ');
  const subject = decodeHeader(/^Subject: (.*)$/im.exec(headers)?.[1] ?? '');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers)?.[1];
  const parts = boundary ? raw.split(`--${boundary}`).slice(1, -1) : [raw];
  const body = (type: string) => {
    const part = parts.find((p) => new RegExp(`Content-Type: ${type}`, 'i').test(p)) ?? '';
    const [partHead = '', ...rest] = part.split('\r\n\r\n');
    const content = rest.join('\r\n\r\n');
    if (/Content-Transfer-Encoding: base64/i.test(partHead)) return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (/Content-Transfer-Encoding: quoted-printable/i.test(partHead)) return decodeBytes(content.replace(/=\r\n/g, ''));
    return content;
  };
  return { subject, text: body('text/plain'), html: body('text/html') };
}

describe('ticket e-mails over SMTP', () => {
  test('the tenant’s receipt arrives once, with subject, text and HTML from the templates', async () => {
    const { Ticket, TicketEvent } = db.models;
    const now = new Date();
    const ticket = await Ticket.create({
      organisationId: org.organisation.id,
      propertyId: org.property.id,
      unitId: org.unit.id,
      createdBy: tenant.id,
      topic: 'hot_water',
      subject: 'Kein Warmwasser <sofort>',
      body: 'Seit heute früh kein Warmwasser & keine Heizung.',
      category: 'device_report',
      priority: 'urgent',
      status: 'open',
      slaClock: 'calendar',
      reactionDueAt: new Date(now.getTime() + 7_200_000),
      resolutionDueAt: new Date(now.getTime() + 86_400_000),
    });
    await TicketEvent.create({
      ticketId: ticket.id,
      seq: 1,
      kind: 'created',
      visibility: 'public',
      actorId: tenant.id,
      actorName: tenant.name,
      actorRole: 'tenant',
      at: now,
      body: ticket.body,
    });
    const { notifyTicketEvent } = createTicketObligation({ db, mailer, publicUrl: 'https://portal.example' });
    const env = new MockActivityEnvironment();
    const notice = { ticketId: ticket.id, seq: 1, audience: { userIds: [tenant.id], managers: true } };
    await env.run(notifyTicketEvent, notice);
    await env.run(notifyTicketEvent, notice); // a retry delivers nothing twice

    const toTenant = await eventually(() => {
      const messages = received.filter((m) => m.to.includes(tenant.email));
      expect(messages).toHaveLength(1);
      return parseMail(messages[0]!.raw);
    });
    expect(toTenant.subject).toBe(`[Anliegen #${ticket.id}] Ihr Anliegen #${ticket.id} ist eingegangen`);
    expect(toTenant.text).toContain('Guten Tag Jana Müller');
    expect(toTenant.text).toContain('Wir haben Ihr Anliegen „Kein Warmwasser <sofort>“ erhalten');
    expect(toTenant.text).toContain(`Anliegen im Portal öffnen: https://portal.example/anliegen/${ticket.id}`);
    expect(toTenant.text).toContain('Status: Eingegangen');
    expect(toTenant.text).toContain('https://portal.example/einstellungen/benachrichtigungen');
    expect(toTenant.text).not.toContain('Kategorie'); // internal triage is for staff
    expect(toTenant.html).toContain('Kein Warmwasser &lt;sofort&gt;'); // user text is escaped in HTML
    expect(toTenant.html).toContain(`href="https://portal.example/anliegen/${ticket.id}"`);

    const toManager = parseMail(received.find((m) => m.to.includes(org.managers[0].email))!.raw);
    expect(toManager.subject).toBe(`[Vorgang #${ticket.id}] Neuer Vorgang #${ticket.id}: Kein Warmwasser <sofort>`);
    expect(toManager.text).toContain('Kategorie: Gerätemeldung, Priorität Dringend');
    expect(toManager.text).toContain(`https://portal.example/vorgaenge/${ticket.id}`);
    expect(toManager.text).toMatch(/Reaktion fällig: \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr/);
    const row = await db.models.Mail.findOne({ where: { dedupeKey: `ticket-${ticket.id}:1:user-${tenant.id}` }, rejectOnEmpty: true });
    expect(row).toMatchObject({ transport: 'smtp', sentAt: expect.any(Date) });
  });
});

describe('renderMail', () => {
  const data: MailData = {
    recipientName: 'Herr <b>Bold</b>',
    reference: 'Vorgang #7',
    headline: 'Lösungsfrist überschritten: Vorgang #7',
    intro: 'Die Lösungsfrist für „A & B“ ist abgelaufen.',
    facts: [{ label: 'Betreff', value: 'A & B' }],
    action: { label: 'Vorgang im Portal öffnen', url: 'https://portal.example/vorgaenge/7' },
    preferencesUrl: 'https://portal.example/einstellungen/benachrichtigungen',
  };

  test('escalations get their own subject and look; text stays unescaped, HTML escaped', () => {
    const mail = renderMail('ticket-escalation', data);
    expect(mail.subject).toBe('[Vorgang #7] SLA: Lösungsfrist überschritten: Vorgang #7');
    expect(mail.text).toContain('Guten Tag Herr <b>Bold</b>,');
    expect(mail.text).toContain('Betreff: A & B');
    expect(mail.html).toContain('Herr &lt;b&gt;Bold&lt;/b&gt;');
    expect(mail.html).toContain('A &amp; B');
  });

  test('a quote is passed on verbatim', () => {
    const mail = renderMail('ticket-update', { ...data, quote: { author: 'Katrin Schneider', text: 'Der Zähler wird getauscht.' } });
    expect(mail.text).toContain('Katrin Schneider schreibt:\n> Der Zähler wird getauscht.');
    expect(renderMail('ticket-update', data).text).not.toContain('schreibt:');
  });
});
