// Device activities run twice (as a retry would) change nothing twice; a deleted device is a
// non-retryable failure; the projection announces itself on the live channel.
import { afterAll, describe, expect, inject, test } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { Op } from 'sequelize';
import pg from 'pg';
import { LIVE_CHANNEL, createDb, type User } from '../db';
import { createDeviceFixture, createOrgFixture } from '../tests/support/fixtures';
import { eventually } from '../tests/support/eventually';
import { deviceDedupeKey } from '../domain/contracts/device';
import { loadDeviceWorkflowStarts } from './device-obligation';
import { createActivities } from '../activities';
import { createMailer } from './mail';

const db = createDb(inject('databaseUrl'));
// Through the worker's adapter, as Temporal runs them.
const activities = createActivities({
  db,
  mailer: createMailer({ db, from: 'Klarmeter <noreply@klarmeter.local>' }),
  publicUrl: 'https://portal.example',
});
const env = new MockActivityEnvironment();
const dueAt = '2027-12-31';

afterAll(() => db.close());

async function mailsFor(dedupeKey: string) {
  return db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${dedupeKey}:%` } }, order: [['toAddress', 'ASC']] });
}

describe('device activities', () => {
  test('a reminder run twice notifies and mails each manager once, in German', async () => {
    const fixture = await createOrgFixture(db, { managers: 2 });
    const device = await createDeviceFixture(db, fixture, { serial: `WZ-2021-${Date.now()}` });
    const dedupeKey = deviceDedupeKey(device.id, dueAt, 'reminder-30');
    const input = { deviceId: device.id, kind: 'calibration' as const, dueAt, daysBefore: 30, dedupeKey };

    await env.run(activities.sendDeviceReminder, input);
    await env.run(activities.sendDeviceReminder, input);

    const notifications = await db.models.Notification.findAll({ where: { dedupeKey } });
    expect(notifications.map((n) => n.userId).sort()).toEqual(fixture.managers.map((m) => m.id).sort());
    expect(notifications[0]).toMatchObject({ kind: 'device-reminder', link: `/geraete/${device.id}` });
    const mails = await mailsFor(dedupeKey);
    expect(mails.map((m) => m.toAddress)).toEqual(fixture.managers.map((m) => m.email).sort());
    expect(mails[0]!.subject).toBe(`Eichfrist in 30 Tagen: ${device.serial} (${fixture.property.street}, Whg. 1.03)`);
    expect(mails[0]!.textBody).toContain('endet am 31.12.2027');
    expect(mails[0]!.textBody).toContain(`https://portal.example/geraete/${device.id}`);
    expect((await device.reload()).lastReminderDays).toBe(30);
  });

  test('an escalation run twice tells managers and owner once and keeps the first escalatedAt', async () => {
    const fixture = await createOrgFixture(db);
    const device = await createDeviceFixture(db, fixture, { type: 'RWM', installedAt: '2016-03-10', calibratedYear: null });
    const dedupeKey = deviceDedupeKey(device.id, '2026-09-10', 'escalation');
    const input = { deviceId: device.id, kind: 'replacement' as const, dueAt: '2026-09-10', dedupeKey };

    await env.run(activities.escalateDevice, input);
    const escalatedAt = (await device.reload()).escalatedAt;
    await env.run(activities.escalateDevice, input);

    expect(escalatedAt).toBeInstanceOf(Date);
    expect((await device.reload()).escalatedAt).toEqual(escalatedAt);
    const recipients = [...fixture.managers, fixture.owner];
    expect(await db.models.Notification.count({ where: { dedupeKey } })).toBe(recipients.length);
    const mails = await mailsFor(dedupeKey);
    expect(mails.map((m) => m.toAddress)).toEqual(recipients.map((u) => u.email).sort());
    expect(mails[0]!.subject).toBe(`Austauschfrist abgelaufen: ${device.serial} (${fixture.property.street}, Whg. 1.03)`);
  });

  test('reminders and escalations follow each recipient’s channels for device deadlines', async () => {
    const fixture = await createOrgFixture(db, { managers: 2 });
    const [mailOnly, portalOnly] = fixture.managers as [User, User];
    await db.models.NotificationPreference.bulkCreate([
      { userId: mailOnly.id, topic: 'device', inPortal: false, email: true },
      { userId: portalOnly.id, topic: 'device', inPortal: true, email: false },
      { userId: fixture.owner.id, topic: 'device', inPortal: false, email: false },
      // Another topic's choice does not count for devices.
      { userId: mailOnly.id, topic: 'ticket', inPortal: true, email: false },
    ]);
    const device = await createDeviceFixture(db, fixture);
    const reminderKey = deviceDedupeKey(device.id, dueAt, 'reminder-7');
    await env.run(activities.sendDeviceReminder, {
      deviceId: device.id,
      kind: 'calibration' as const,
      dueAt,
      daysBefore: 7,
      dedupeKey: reminderKey,
    });
    const escalationKey = deviceDedupeKey(device.id, dueAt, 'escalation');
    await env.run(activities.escalateDevice, { deviceId: device.id, kind: 'calibration' as const, dueAt, dedupeKey: escalationKey });

    for (const dedupeKey of [reminderKey, escalationKey]) {
      expect((await db.models.Notification.findAll({ where: { dedupeKey } })).map((n) => n.userId)).toEqual([portalOnly.id]);
      expect((await mailsFor(dedupeKey)).map((m) => m.toAddress)).toEqual([mailOnly.email]);
    }
  });

  test('recording the projection twice writes, audits and announces once', async () => {
    const fixture = await createOrgFixture(db);
    const device = await createDeviceFixture(db, fixture);
    const listener = new pg.Client({ connectionString: inject('databaseUrl') });
    const payloads: unknown[] = [];
    await listener.connect();
    try {
      listener.on('notification', (message) => {
        const payload = JSON.parse(message.payload ?? 'null');
        if (payload?.deviceId === device.id) payloads.push(payload);
      });
      await listener.query(`LISTEN ${LIVE_CHANNEL}`);

      const input = { deviceId: device.id, kind: 'calibration' as const, dueAt, light: 'yellow' as const };
      await env.run(activities.recordDeviceDeadline, input);
      const changedAt = (await device.reload()).lightChangedAt;
      await env.run(activities.recordDeviceDeadline, input);

      expect(await device.reload()).toMatchObject({ deadlineKind: 'calibration', dueAt, light: 'yellow', lightChangedAt: changedAt });
      const audits = await db.models.AuditEntry.findAll({ where: { entity: 'device', entityId: String(device.id) } });
      expect(audits.map((a) => [a.action, a.details.from, a.details.to])).toEqual([['device.light_changed', null, 'yellow']]);
      await eventually(() =>
        expect(payloads).toEqual([
          { type: 'device', deviceId: device.id, propertyId: fixture.property.id, unitId: fixture.unit.id, light: 'yellow', dueAt },
        ]),
      );
    } finally {
      await listener.end();
    }
  });

  test('a device that no longer exists fails without retries', async () => {
    const failure = await env
      .run(activities.recordDeviceDeadline, { deviceId: 2_000_000_000, kind: 'calibration' as const, dueAt, light: 'red' as const })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'DeviceGone', nonRetryable: true });
  });

  test('workflow starts carry the facts of the row and the organisation, and skip replaced devices', async () => {
    const fixture = await createOrgFixture(db, { reminderDays: [60, 14], hkvLifetimeYears: 12 });
    const successor = await createDeviceFixture(db, fixture, {
      type: 'HKV',
      installedAt: '2024-05-02',
      calibratedYear: null,
      batteryPercent: 80,
      lastReadingAt: new Date('2026-11-20T23:30:00Z'),
    });
    const replaced = await createDeviceFixture(db, fixture, { successorId: successor.id, removedAt: '2026-11-01' });
    await successor.update({ predecessorId: replaced.id });

    const starts = await loadDeviceWorkflowStarts(db, [successor.id, replaced.id]);
    expect(starts).toEqual([
      {
        workflowId: `device-${successor.id}`,
        organisationId: fixture.organisation.id,
        input: {
          deviceId: successor.id,
          propertyId: fixture.property.id,
          unitId: fixture.unit.id,
          facts: {
            type: 'HKV',
            installedAt: '2024-05-02',
            calibratedYear: null,
            lastInspectionAt: null,
            batteryPercent: 80,
            lastReadingAt: '2026-11-20',
            hkvLifetimeYears: 12,
          },
          reminderDays: [60, 14],
          exchangeLeadDays: 60,
          predecessorWorkflowId: `device-${replaced.id}`,
        },
      },
    ]);
  });
});
