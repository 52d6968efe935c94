// The one notification path against real PostgreSQL: one bell entry per user and key, one e-mail per
// recipient and key, each only through the channels the recipient chose for the topic; and the
// settings page's reading and saving of those choices.
import { afterAll, describe, expect, inject, test } from 'vitest';
import { Op } from 'sequelize';
import { createDb, type User } from '../db';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../tests/support/fixtures';
import { NOTIFICATION_TOPICS, notificationTopicsFor } from '../domain/notifications';
import { createMailer, sinkMails } from './mail';
import {
  insertNotifications,
  notificationPreferences,
  notifyUsers,
  saveNotificationPreferences,
  type NotifyInput,
  type OutgoingNotice,
} from './notifications';

const db = createDb(inject('databaseUrl'));
const deps = { db, mailer: createMailer({ db, from: 'Klarmeter <noreply@klarmeter.local>' }), publicUrl: 'https://portal.example' };

afterAll(() => db.close());

function notice(user: User): OutgoingNotice {
  return {
    title: `Hinweis für ${user.name}`,
    body: 'Etwas ist geschehen.',
    link: '/dashboard',
    template: 'notice',
    mail: {
      reference: 'Test',
      headline: `Hinweis für ${user.name}`,
      intro: 'Etwas ist geschehen <jetzt>.',
      facts: [{ label: 'Ort', value: 'Teststraße 1 & 2' }],
      actionLabel: 'Im Portal öffnen',
    },
  };
}

function input(recipients: User[], overrides: Partial<NotifyInput<User>> = {}): NotifyInput<User> {
  return {
    recipients,
    topic: 'statement',
    kind: 'test-notice',
    urgency: 'routine',
    dedupeKey: `test-${uniqueSuffix()}`,
    compose: notice,
    ...overrides,
  };
}

async function inbox(dedupeKey: string) {
  return db.models.Notification.findAll({ where: { dedupeKey }, order: [['userId', 'ASC']] });
}

async function mails(dedupeKey: string) {
  return db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${dedupeKey}:%` } }, order: [['dedupeKey', 'ASC']] });
}

describe('insertNotifications', () => {
  test('running twice (a retried activity) notifies each user once; another key is another notification', async () => {
    const fixture = await createOrgFixture(db, { managers: 2 });
    const userIds = [...fixture.managers.map((m) => m.id), fixture.owner.id];
    const dedupeKey = `test-${uniqueSuffix()}`;
    const entry = {
      userIds: [...userIds, userIds[0]!],
      kind: 'test',
      title: 'Eichfrist in 30 Tagen',
      body: 'Bitte handeln.',
      link: '/geraete/1',
      dedupeKey,
    };
    await insertNotifications(db, entry);
    await insertNotifications(db, entry);
    const rows = await db.models.Notification.findAll({ where: { dedupeKey } });
    expect(rows.map((r) => r.userId).sort((a, b) => a - b)).toEqual([...userIds].sort((a, b) => a - b));
    expect(rows.every((r) => r.urgency === 'routine')).toBe(true);

    await insertNotifications(db, { ...entry, dedupeKey: `${dedupeKey}-next` });
    expect(await db.models.Notification.count({ where: { userId: userIds[0] } })).toBe(2);
  });
});

describe('notifyUsers', () => {
  test('a retried send tells each recipient once: one entry and one e-mail, however often and with duplicates', async () => {
    const fixture = await createOrgFixture(db, { managers: 2 });
    const recipients = [...fixture.managers, fixture.managers[0]!];
    const notify = input(recipients, { urgency: 'urgent' });

    const first = await notifyUsers(deps, notify);
    const second = await notifyUsers(deps, notify);

    const ids = fixture.managers.map((m) => m.id);
    expect(first).toEqual({ inPortal: ids, email: ids, digest: [] });
    expect(second).toEqual(first);
    const entries = await inbox(notify.dedupeKey);
    expect(entries.map((e) => [e.userId, e.kind, e.urgency, e.link])).toEqual(ids.map((id) => [id, 'test-notice', 'urgent', '/dashboard']));
    const sent = await mails(notify.dedupeKey);
    expect(sent.map((m) => m.dedupeKey)).toEqual(ids.map((id) => `${notify.dedupeKey}:user-${id}`));
    const mail = sent[0]!;
    expect(mail.toAddress).toBe(fixture.managers[0]!.email);
    expect(mail.subject).toBe(`Hinweis für ${fixture.managers[0]!.name}`);
    // The generic template in German, text and HTML, urgent marked in both.
    expect(mail.textBody).toContain(`Guten Tag ${fixture.managers[0]!.name},`);
    expect(mail.textBody).toContain(`!! Hinweis für ${fixture.managers[0]!.name} !!`);
    expect(mail.textBody).toContain('Ort: Teststraße 1 & 2');
    expect(mail.textBody).toContain('Im Portal öffnen: https://portal.example/dashboard');
    expect(mail.textBody).toContain('https://portal.example/einstellungen/benachrichtigungen');
    expect(mail.htmlBody).toContain('Etwas ist geschehen &lt;jetzt&gt;.');
    expect(mail.htmlBody).toContain('Teststraße 1 &amp; 2');
    expect(mail.htmlBody).toContain('href="https://portal.example/dashboard"');
    expect(mail.htmlBody).toContain('#fde8e7'); // the urgent banner
  });

  test('each recipient only through the channels it chose for the notice’s topic', async () => {
    const fixture = await createOrgFixture(db, { managers: 3 });
    const [portalOnly, mailOnly, neither] = fixture.managers as [User, User, User];
    await db.models.NotificationPreference.bulkCreate([
      { userId: portalOnly.id, topic: 'statement', inPortal: true, email: false },
      { userId: mailOnly.id, topic: 'statement', inPortal: false, email: true },
      { userId: neither.id, topic: 'statement', inPortal: false, email: false },
      // Another topic's choice does not count for statements.
      { userId: fixture.owner.id, topic: 'device', inPortal: false, email: false },
    ]);
    const notify = input([portalOnly, mailOnly, neither, fixture.owner]);

    const outcome = await notifyUsers(deps, notify);

    expect(outcome).toEqual({ inPortal: [portalOnly.id, fixture.owner.id], email: [mailOnly.id, fixture.owner.id], digest: [] });
    expect((await inbox(notify.dedupeKey)).map((e) => e.userId)).toEqual([portalOnly.id, fixture.owner.id]);
    expect((await mails(notify.dedupeKey)).map((m) => m.toAddress).sort()).toEqual([mailOnly.email, fixture.owner.email].sort());
  });

  test('nobody to tell writes and sends nothing', async () => {
    const notify = input([]);
    expect(await notifyUsers(deps, notify)).toEqual({ inPortal: [], email: [], digest: [] });
    expect(await inbox(notify.dedupeKey)).toHaveLength(0);
  });
});

describe('notification preferences', () => {
  test('every topic concerns some role, and compliance none', () => {
    const covered = new Set((['manager', 'owner', 'tenant', 'technician'] as const).flatMap(notificationTopicsFor));
    expect([...covered].sort()).toEqual([...NOTIFICATION_TOPICS].sort());
    expect(notificationTopicsFor('manager')).toEqual([...NOTIFICATION_TOPICS]);
    expect(notificationTopicsFor('tenant')).toEqual(['ticket', 'appointment', 'statement', 'monthly-information']);
    expect(notificationTopicsFor('owner')).toEqual(['device', 'statement']);
    expect(notificationTopicsFor('technician')).toEqual(['appointment', 'device']);
    expect(notificationTopicsFor('compliance')).toEqual([]);
  });

  test('the role’s topics with German labels, both channels on until the user saves its choice', async () => {
    const fixture = await createOrgFixture(db);
    const tenant = await createUserFixture(db, fixture.organisation.id, 'tenant');
    const before = await notificationPreferences(tenant, db);
    expect(before.map((p) => [p.topic, p.label, p.inPortal, p.email])).toEqual([
      ['ticket', 'Anliegen und Vorgänge', true, true],
      ['appointment', 'Termine', true, true],
      ['statement', 'Heizkostenabrechnungen', true, true],
      ['monthly-information', 'Monatliche Verbrauchsinformation', true, true],
    ]);
    expect(before.every((p) => p.description.length > 0)).toBe(true);

    const choices = {
      ticket: { inPortal: true, email: true },
      appointment: { inPortal: true, email: true },
      statement: { inPortal: true, email: false },
      'monthly-information': { inPortal: false, email: true },
    };
    await saveNotificationPreferences(tenant, choices, db);
    await saveNotificationPreferences(tenant, choices, db); // saving again updates, never duplicates
    const after = await notificationPreferences(tenant, db);
    expect(after.map((p) => [p.topic, p.inPortal, p.email])).toEqual([
      ['ticket', true, true],
      ['appointment', true, true],
      ['statement', true, false],
      ['monthly-information', false, true],
    ]);
    expect(await db.models.NotificationPreference.count({ where: { userId: tenant.id } })).toBe(4);
  });

  test('a topic that does not concern the role, or a missing one, is refused by name', async () => {
    const fixture = await createOrgFixture(db);
    const owner = fixture.owner;
    const all = { device: { inPortal: true, email: true }, statement: { inPortal: true, email: true } };
    await expect(saveNotificationPreferences(owner, { ...all, ticket: { inPortal: true, email: false } }, db)).rejects.toThrow(
      /^ticket: no notification topic of the role owner$/,
    );
    await expect(saveNotificationPreferences(owner, { device: all.device }, db)).rejects.toThrow(/^statement: channels missing$/);
    expect(await db.models.NotificationPreference.count({ where: { userId: owner.id } })).toBe(0);
  });
});

describe('the development mail sink', () => {
  test('lists the organisation’s sink mails, newest first, and no other organisation’s', async () => {
    const mine = await createOrgFixture(db);
    const theirs = await createOrgFixture(db);
    const notify = input([mine.owner, theirs.owner]);
    await notifyUsers(deps, notify);
    const listed = await sinkMails(mine.organisation.id, 50, db);
    expect(listed.filter((m) => m.toAddress === mine.owner.email)).toHaveLength(1);
    expect(listed.some((m) => m.toAddress === theirs.owner.email)).toBe(false);
    expect(listed.map((m) => m.id)).toEqual([...listed.map((m) => m.id)].sort((a, b) => b - a));
    await expect(sinkMails(mine.organisation.id, 0, db)).rejects.toThrow(/^limit: expected a positive integer, got 0$/);
  });
});
