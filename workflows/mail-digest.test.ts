// The notice digest against real PostgreSQL, a recording SMTP server and Temporal's time-skipping
// test server: routine notices of a daily user are not mailed at once but in one digest mail,
// urgent ones at once; a retried digest (activity or run) sends nothing twice; weekly users get
// theirs on Mondays only. Dates of the runs are fixed, never derived from today.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { Op } from 'sequelize';
import { createDb, type Property, type User } from '../db';
import { MAIL_DIGEST_WORKFLOW_TYPE, mailDigestKey } from '../domain/contracts/mail-digest';
import { createActivities } from '../activities';
import { createMailDigestObligation } from '../server/mail-digest';
import { createMailer, type Mailer } from '../server/mail';
import { genericNotice, mailRhythmOf, notifyUsers, saveMailRhythm } from '../server/notifications';
import { createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';
import { startTestSmtpServer, type TestSmtpServer } from '../tests/support/smtp';
import { recordHistory, timeSkippingPerTest, type TimeSkipping } from '../tests/support/time-skipping';
import type { mailDigestRun } from './mail-digest';

const db = createDb(inject('databaseUrl'));
const PUBLIC_URL = 'https://portal.example';
// A Tuesday and a Monday (ISO weekdays 2 and 1).
const TUESDAY = '2026-11-24';
const MONDAY = '2026-11-30';

let smtp: TestSmtpServer;
let mailer: Mailer;
let org: OrgFixture;
let second: Property;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  mailer = createMailer({ db, smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'Klarmeter <noreply@klarmeter.local>' });
  org = await createOrgFixture(db);
  second = await db.models.Property.create({
    organisationId: org.organisation.id,
    name: `Zweite Straße ${uniqueSuffix()}`,
    street: 'Zweite Straße 2',
    postalCode: '10115',
    city: 'Berlin',
    ownerId: org.owner.id,
    technicianId: null,
  });
});

afterAll(async () => {
  mailer.close();
  await smtp.close();
  await db.close();
});

const receivedBy = (user: User) => smtp.received.filter((mail) => mail.to.includes(user.email));

async function tell(user: User, urgency: 'routine' | 'urgent', title: string, kind: string, propertyId: number) {
  return notifyUsers(
    { db, mailer, publicUrl: PUBLIC_URL },
    {
      recipients: [user],
      topic: 'device',
      kind,
      urgency,
      dedupeKey: `digest-test-${uniqueSuffix()}`,
      propertyId,
      compose: () => genericNotice({ title, body: title, link: '/geraete', reference: 'Test', facts: [], actionLabel: 'Öffnen' }),
    },
  );
}

/** Three routine notices (two on the first property's devices, one on the second's tickets) and one urgent one. */
async function notifyMix(user: User) {
  const outcomes = [
    await tell(user, 'routine', 'Eichfrist HKV-1 in 30 Tagen', 'device-reminder', org.property.id),
    await tell(user, 'routine', 'Eichfrist HKV-2 in 30 Tagen', 'device-reminder', org.property.id),
    await tell(user, 'routine', 'Neues Anliegen 7', 'ticket-created', second.id),
  ];
  const urgent = await tell(user, 'urgent', 'Frist HKV-3 abgelaufen', 'device-expired', org.property.id);
  return { outcomes, urgent };
}

async function digestMails(user: User) {
  return db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `mail-digest:%:user-${user.id}` } } });
}

describe('the digest run on Temporal', () => {
  let ts: TimeSkipping;
  // The worker is built before beforeAll starts the SMTP server: its activities reach the mailer late.
  const lateMailer: Mailer = { send: (message) => mailer.send(message), close: () => undefined };
  const server = timeSkippingPerTest({ db, activities: createActivities({ db, mailer: lateMailer, publicUrl: PUBLIC_URL }) });
  beforeEach(() => {
    ts = server.current;
  });

  test('a daily manager gets urgent notices at once and the routine ones in one digest, once', async () => {
    const manager = await createUserFixture(db, org.organisation.id, 'manager');
    expect(await mailRhythmOf(manager, db)).toBe('sofort'); // the default until the user chooses
    await saveMailRhythm(manager, 'taeglich', db);
    expect(await mailRhythmOf(manager, db)).toBe('taeglich');
    const { outcomes, urgent } = await notifyMix(manager);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ inPortal: [manager.id], email: [], digest: [manager.id] });
    expect(urgent).toMatchObject({ inPortal: [manager.id], email: [manager.id], digest: [] });
    // Only the urgent one went out; the bell has all four.
    expect(receivedBy(manager)).toHaveLength(1);
    expect(await db.models.Notification.count({ where: { userId: manager.id } })).toBe(4);

    const run = (id: string) =>
      ts.client.workflow.execute<typeof mailDigestRun>(MAIL_DIGEST_WORKFLOW_TYPE, {
        workflowId: id,
        taskQueue: ts.taskQueue,
        args: [{ date: TUESDAY, organisationIds: [org.organisation.id], pageSize: 1 }],
      });
    // The test server's clock stands still between skips: move it past the notices' creation, since
    // the run takes its cutoff from its own start.
    await ts.skip('1 hour');
    const workflowId = `mail-digest-test-${uniqueSuffix()}`;
    expect(await run(workflowId)).toMatchObject({ users: 1, notices: 3 });
    expect(receivedBy(manager)).toHaveLength(2);
    const [digest, ...others] = await digestMails(manager);
    expect(others).toHaveLength(0);
    expect(digest?.dedupeKey).toBe(mailDigestKey('taeglich', TUESDAY, manager.id));
    expect(digest?.subject).toBe('Klarmeter: 3 Benachrichtigungen bis 24.11.2026');
    expect(digest?.textBody).toContain(`${org.property.name} · Gerätefristen: 2`);
    expect(digest?.textBody).toContain(`${second.name} · Vorgänge: 1`);
    for (const title of ['Eichfrist HKV-1 in 30 Tagen', 'Eichfrist HKV-2 in 30 Tagen', 'Neues Anliegen 7'])
      expect(digest?.textBody).toContain(title);
    expect(digest?.textBody).not.toContain('Frist HKV-3 abgelaufen');
    expect(digest?.textBody).toContain(`${PUBLIC_URL}/benachrichtigungen?kind=device&property=${org.property.id}`);
    // The notices record the digest that included them.
    const included = await db.models.Notification.findAll({ where: { userId: manager.id, digestKey: digest?.dedupeKey ?? '' } });
    expect(included.map((n) => n.title).sort()).toEqual(['Eichfrist HKV-1 in 30 Tagen', 'Eichfrist HKV-2 in 30 Tagen', 'Neues Anliegen 7']);

    // A second run for the same day (a retried run, another worker's trigger) mails nothing more.
    expect(await run(`${workflowId}-again`)).toMatchObject({ users: 1, notices: 3 });
    expect(receivedBy(manager)).toHaveLength(2);
    await recordHistory(ts.client.workflow.getHandle(workflowId), 'daily-digest');
  });
});

describe('the digest activity', () => {
  const period = (date: string) => ({
    date,
    weekly: date === MONDAY,
    cutoff: new Date(Date.now() + 1000).toISOString(),
    organisationIds: [org.organisation.id],
  });

  test('a retried activity, even after a crash between marking and mailing, sends one digest', async () => {
    const manager = await createUserFixture(db, org.organisation.id, 'manager');
    await saveMailRhythm(manager, 'taeglich', db);
    await notifyMix(manager);
    const digests = createMailDigestObligation({ db, mailer, publicUrl: PUBLIC_URL });
    const key = mailDigestKey('taeglich', TUESDAY, manager.id);
    // The first attempt marked the notices for the digest and then died before mailing.
    await db.models.Notification.update({ digestKey: key }, { where: { userId: manager.id, digestPending: true } });
    const first = await digests.sendMailDigests(period(TUESDAY));
    const second = await digests.sendMailDigests(period(TUESDAY));
    expect(first).toEqual(second);
    expect((await digestMails(manager)).map((mail) => mail.dedupeKey)).toEqual([key]);
    expect(receivedBy(manager)).toHaveLength(2); // the urgent one and one digest
  });

  test('a weekly user gets nothing on a Tuesday and everything in Monday’s digest; "sofort" means every mail at once', async () => {
    const weekly = await createUserFixture(db, org.organisation.id, 'manager');
    await saveMailRhythm(weekly, 'woechentlich', db);
    const instant = await createUserFixture(db, org.organisation.id, 'manager');
    await saveMailRhythm(instant, 'sofort', db);
    await notifyMix(weekly);
    const { outcomes } = await notifyMix(instant);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ email: [instant.id], digest: [] });
    expect(receivedBy(instant)).toHaveLength(4);

    const digests = createMailDigestObligation({ db, mailer, publicUrl: PUBLIC_URL });
    await digests.sendMailDigests(period(TUESDAY));
    expect(await digestMails(weekly)).toHaveLength(0);
    await digests.sendMailDigests(period(MONDAY));
    const [digest, ...others] = await digestMails(weekly);
    expect(others).toHaveLength(0);
    expect(digest?.dedupeKey).toBe(mailDigestKey('woechentlich', MONDAY, weekly.id));
    expect(digest?.subject).toBe('Klarmeter: 3 Benachrichtigungen der Woche bis 30.11.2026');
    expect(await digestMails(instant)).toHaveLength(0);
    expect(receivedBy(instant)).toHaveLength(4);
  });

  test('an unknown rhythm is refused by name', async () => {
    const user = await createUserFixture(db, org.organisation.id, 'tenant');
    await expect(saveMailRhythm(user, 'stündlich', db)).rejects.toThrow(/^rhythm: /);
    expect(await mailRhythmOf(user, db)).toBe('sofort');
  });
});
