// Every feature's sender goes through the one notification path: its notices land in the bell and
// the mail record as the recipients' channels for its topic allow, marked urgent or routine, once
// however often the activity is retried. Activities run through the worker's adapter, as Temporal
// runs them, against real PostgreSQL (the sink stands in for SMTP).
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Op } from 'sequelize';
import { createDb, type User } from '../db';
import { saveStatement } from '../db/statements';
import { createActivities } from '../activities';
import { deviceDedupeKey } from '../domain/contracts/device';
import { monthlyNotificationKey } from '../domain/contracts/monthly';
import { statementDedupeKey } from '../domain/contracts/statement';
import { ticketDedupeKey } from '../domain/contracts/ticket';
import { appointmentDedupeKey } from '../domain/contracts/appointment';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix } from '../tests/support/fixtures';
import { createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';
import { FIXTURE_MONTH, createMonthlyFixture } from '../tests/support/monthly-fixtures';
import { createMailer } from './mail';

const db = createDb(inject('databaseUrl'));
const activities = createActivities({
  db,
  mailer: createMailer({ db, from: 'Klarmeter <noreply@klarmeter.local>' }),
  publicUrl: 'https://portal.example',
});
const mockEnv = new MockActivityEnvironment();
/** Runs an activity in Temporal's mock context, typed by the activity (not by the literal arguments). */
const env = {
  run: <A extends unknown[], R>(activity: (...args: A) => Promise<R>, ...args: NoInfer<A>): Promise<R> =>
    mockEnv.run(activity, ...args) as Promise<R>,
};

afterAll(() => db.close());

/** The bell's entries of one event: [userId, kind, urgency] by user. */
async function inbox(dedupeKey: string) {
  const rows = await db.models.Notification.findAll({ where: { dedupeKey }, order: [['userId', 'ASC']] });
  return rows.map((row) => [row.userId, row.kind, row.urgency]);
}

/** The e-mails of one event, by address. */
async function mails(dedupeKey: string) {
  return db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${dedupeKey}:%` } }, order: [['toAddress', 'ASC']] });
}

async function prefer(
  user: User,
  topic: 'statement' | 'monthly-information' | 'device' | 'ticket-escalation',
  inPortal: boolean,
  email: boolean,
) {
  await db.models.NotificationPreference.upsert({ userId: user.id, topic, inPortal, email });
}

const byId = (users: User[]) => [...users].sort((a, b) => a.id - b.id);

describe('statements', () => {
  let house: StatementFixture;
  let tenantA: User;
  let tenantC: User;
  let ref: { id: number; version: number };

  beforeAll(async () => {
    const org = await createOrgFixture(db, { managers: 2 });
    tenantA = await createUserFixture(db, org.organisation.id, 'tenant');
    tenantC = await createUserFixture(db, org.organisation.id, 'tenant');
    house = await createStatementFixture(db, { tenantA, tenantC }, org);
    const manager = org.managers[0]!;
    const saved = await saveStatement(db, house.request, {
      userId: manager.id,
      email: manager.email,
      organisationId: manager.organisationId,
    });
    ref = { id: saved.stored!.id, version: saved.stored!.version };
  });

  test('the delivery notice: a tenant who switched e-mail off for statements gets the in-portal notice but no mail; once per retry', async () => {
    await prefer(tenantA, 'statement', true, false);
    const dedupeKey = statementDedupeKey(ref.id, ref.version, 'delivery-notice');
    const notice = { statementId: ref.id, version: ref.version, dedupeKey };

    expect(await env.run(activities.sendDeliveryNotice, notice)).toBe(2);
    expect(await env.run(activities.sendDeliveryNotice, notice)).toBe(2);

    expect(await inbox(dedupeKey)).toEqual(byId([tenantA, tenantC]).map((t) => [t.id, 'statement-delivered', 'routine']));
    const sent = await mails(dedupeKey);
    expect(sent.map((m) => m.toAddress)).toEqual([tenantC.email]);
    const mail = sent[0]!;
    expect(mail.subject).toBe('Ihre Heizkostenabrechnung liegt im Portal bereit');
    expect(mail.textBody).toContain(`Guten Tag ${tenantC.name},`);
    expect(mail.textBody).toContain('Abrechnungszeitraum: 01.01.2025 – 31.12.2025');
    expect(mail.textBody).toContain(`Wohnung: ${house.units.c.label}`);
    expect(mail.textBody).toContain(`https://portal.example/meine-abrechnungen/${ref.id}?einheit=${house.units.c.id}`);
    expect(mail.htmlBody).toContain('Abrechnung im Portal öffnen');
    const entry = await db.models.Notification.findOne({ where: { dedupeKey, userId: tenantA.id }, rejectOnEmpty: true });
    expect(entry.link).toBe(`/meine-abrechnungen/${ref.id}?einheit=${house.units.a.id}`);
  });

  test('deadline alerts: the reminder is routine, the missed deadline urgent; each manager by its channels', async () => {
    const [mailOnly, both] = house.org.managers as [User, User];
    await prefer(mailOnly, 'statement', false, true);
    const alert = {
      statementId: ref.id,
      version: ref.version,
      organisationId: house.org.organisation.id,
      propertyId: house.property.id,
      dueOn: '2026-12-31',
    };
    const reminderKey = statementDedupeKey(ref.id, ref.version, `test-reminder-${uniqueSuffix()}`);
    const escalationKey = statementDedupeKey(ref.id, ref.version, `test-escalation-${uniqueSuffix()}`);
    await env.run(activities.alertStatementDeadline, { ...alert, kind: 'reminder', daysBefore: 14, dedupeKey: reminderKey });
    await env.run(activities.alertStatementDeadline, { ...alert, kind: 'escalation', daysBefore: null, dedupeKey: escalationKey });
    await env.run(activities.alertStatementDeadline, { ...alert, kind: 'escalation', daysBefore: null, dedupeKey: escalationKey });

    expect(await inbox(reminderKey)).toEqual([[both.id, 'statement-reminder', 'routine']]);
    expect(await inbox(escalationKey)).toEqual([[both.id, 'statement-escalation', 'urgent']]);
    const reminders = await mails(reminderKey);
    expect(reminders.map((m) => m.toAddress).sort()).toEqual([mailOnly.email, both.email].sort());
    expect(reminders[0]!.subject).toBe('Heizkostenabrechnung: Zustellfrist in 14 Tagen');
    expect(reminders[0]!.textBody).toContain('muss bis zum 31.12.2026 beim Mieter sein');
    const escalations = await mails(escalationKey);
    expect(escalations).toHaveLength(2);
    expect(escalations[0]!.textBody).toContain('!! Zustellfrist der Heizkostenabrechnung versäumt !!');
    expect(escalations[0]!.textBody).toContain(`https://portal.example/abrechnungen/${ref.id}`);
  });

  test('an objection is reported to the property’s owner once, without the tenant’s reasons', async () => {
    const filing = {
      statementId: ref.id,
      version: ref.version,
      unitId: house.units.a.id,
      filedBy: { userId: tenantA.id, name: tenantA.name },
      ip: null,
      positions: ['Heizung: Verbrauchsanteil'],
      reason: 'Mein Zählerstand ist privat.',
      idempotencyKey: `objection-${uniqueSuffix()}`,
      documentSha256: 'a'.repeat(64),
    };
    const { objectionId } = await env.run(activities.recordObjection, filing);
    // A repeated filing finds the first one and appends no second proof event.
    expect(await env.run(activities.recordObjection, filing)).toEqual({ objectionId, head: null });

    const dedupeKey = statementDedupeKey(ref.id, ref.version, `objection-${objectionId}`);
    expect(await inbox(dedupeKey)).toEqual([[house.org.owner.id, 'statement-objection', 'routine']]);
    const sent = await mails(dedupeKey);
    expect(sent.map((m) => m.toAddress)).toEqual([house.org.owner.email]);
    expect(sent[0]!.textBody).toContain('Beanstandet: Heizung: Verbrauchsanteil');
    expect(sent[0]!.textBody).toContain(`Wohnung: ${house.units.a.label}`);
    expect(sent[0]!.textBody).not.toContain(filing.reason);
  });
});

describe('monthly information', () => {
  test('a tenant who switched the in-portal notice off gets the mail only; retries and reruns tell nobody twice; managers hear the month is out', async () => {
    const org = await createOrgFixture(db, { managers: 1 });
    const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
    const neighbour = await createUserFixture(db, org.organisation.id, 'tenant');
    const fixture = await createMonthlyFixture(db, { org, tenant, neighbour });
    await prefer(tenant, 'monthly-information', false, true);
    const run = async () => {
      const { runId, properties } = await env.run(activities.startMonthlyRun, {
        workflowId: `monthly-notify-${uniqueSuffix()}`,
        month: FIXTURE_MONTH,
        organisationIds: [org.organisation.id],
      });
      let mailed = 0;
      for (const { propertyId } of properties) {
        mailed += (await env.run(activities.processMonthlyBatch, { runId, month: FIXTURE_MONTH, propertyId })).mailed;
        // A retried batch (its commit done) announces nothing more.
        mailed += (await env.run(activities.processMonthlyBatch, { runId, month: FIXTURE_MONTH, propertyId })).mailed;
      }
      await env.run(activities.finishMonthlyRun, { runId, status: 'completed', summary: {} });
      return mailed;
    };

    expect(await run()).toBe(2);
    expect(await run()).toBe(0);

    const key = monthlyNotificationKey(FIXTURE_MONTH);
    const tenantEntries = await db.models.Notification.findAll({ where: { dedupeKey: key, userId: [tenant.id, neighbour.id] } });
    expect(tenantEntries.map((n) => [n.userId, n.kind, n.urgency, n.link])).toEqual([
      [neighbour.id, 'monthly-information', 'routine', `/verbrauch?monat=${FIXTURE_MONTH}`],
    ]);
    const sent = await db.models.Mail.findAll({ where: { dedupeKey: [`${key}:user-${tenant.id}`, `${key}:user-${neighbour.id}`] } });
    expect(sent.map((m) => m.toAddress).sort()).toEqual([tenant.email, neighbour.email].sort());
    const own = sent.find((m) => m.toAddress === tenant.email)!;
    expect(own.subject).toBe('Ihre Verbrauchsinformation für Oktober 2026');
    expect(own.textBody).toContain(`Wohnung: ${fixture.units.own.label}`);
    expect(own.textBody).not.toMatch(/\d+ kWh/); // no figures outside the log-in
    const rows = await db.models.MonthlyInformation.findAll({ where: { unitId: [fixture.units.own.id, fixture.units.peerA.id] } });
    expect(rows.every((row) => row.notifiedAt !== null && row.mailedAt !== null)).toBe(true);

    const manager = org.managers[0]!;
    const completedKey = `${key}:completed`;
    expect(await db.models.Notification.count({ where: { dedupeKey: completedKey, userId: manager.id } })).toBe(1);
    const report = await db.models.Mail.findOne({ where: { dedupeKey: `${completedKey}:user-${manager.id}` }, rejectOnEmpty: true });
    expect(report.subject).toBe('Verbrauchsinformation Oktober 2026 bereitgestellt');
    expect(report.textBody).toContain('2 von 9 Wohnungen haben sie im Portal erhalten. 5 Mieter haben keinen Portalzugang');
    expect(report.textBody).toContain(`https://portal.example/monatsinformationen/${FIXTURE_MONTH}?status=no-account`);
  });

  test('a failed run is reported to the managers as urgent', async () => {
    const org = await createOrgFixture(db);
    const { runId } = await env.run(activities.startMonthlyRun, {
      workflowId: `monthly-fail-${uniqueSuffix()}`,
      month: FIXTURE_MONTH,
      organisationIds: [org.organisation.id],
    });
    await env.run(activities.finishMonthlyRun, { runId, status: 'failed', summary: { error: 'test' } });
    const entries = await inbox(`${monthlyNotificationKey(FIXTURE_MONTH)}:run-${runId}:failed`);
    expect(entries).toEqual([[org.managers[0]!.id, 'monthly-run-failed', 'urgent']]);
  });
});

describe('devices', () => {
  test('the property’s technician is reminded too and asked to schedule the work; the expiry is urgent', async () => {
    const fixture = await createOrgFixture(db);
    const technician = await createUserFixture(db, fixture.organisation.id, 'technician');
    await fixture.property.update({ technicianId: technician.id });
    await prefer(fixture.owner, 'device', true, false);
    const device = await createDeviceFixture(db, fixture);
    const dueAt = '2027-12-31';
    const reminderKey = deviceDedupeKey(device.id, dueAt, 'reminder-30');
    const escalationKey = deviceDedupeKey(device.id, dueAt, 'escalation');
    await env.run(activities.sendDeviceReminder, {
      deviceId: device.id,
      kind: 'calibration',
      dueAt,
      daysBefore: 30,
      dedupeKey: reminderKey,
    });
    await env.run(activities.escalateDevice, { deviceId: device.id, kind: 'calibration', dueAt, dedupeKey: escalationKey });

    const manager = fixture.managers[0]!;
    expect(await inbox(reminderKey)).toEqual(byId([manager, technician]).map((u) => [u.id, 'device-reminder', 'routine']));
    expect(await inbox(escalationKey)).toEqual(
      byId([manager, fixture.owner, technician]).map((u) => [u.id, 'device-escalation', 'urgent']),
    );
    const toTechnician = (await mails(reminderKey)).find((m) => m.toAddress === technician.email)!;
    expect(toTechnician.textBody).toContain('Bitte planen Sie den Austausch oder die Nacheichung rechtzeitig ein.');
    expect(toTechnician.htmlBody).toContain(device.serial);
    // The owner chose the portal only for device deadlines.
    expect((await mails(escalationKey)).map((m) => m.toAddress).sort()).toEqual([manager.email, technician.email].sort());
  });
});

describe('tickets and appointments', () => {
  test('an SLA breach is urgent and follows the escalation topic; the reply before it is routine', async () => {
    const org = await createOrgFixture(db, { managers: 2 });
    const [portalOnly, both] = org.managers as [User, User];
    await prefer(portalOnly, 'ticket-escalation', true, false);
    const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
    const now = new Date();
    const ticket = await db.models.Ticket.create({
      organisationId: org.organisation.id,
      propertyId: org.property.id,
      unitId: org.unit.id,
      createdBy: tenant.id,
      topic: 'hot_water',
      subject: 'Kein Warmwasser',
      body: 'Seit heute früh.',
      category: 'device_report',
      priority: 'urgent',
      status: 'open',
      slaClock: 'calendar',
      reactionDueAt: now,
      resolutionDueAt: now,
    });
    const actor = { actorId: null, actorName: 'System', actorRole: 'system', at: now };
    await db.models.TicketEvent.bulkCreate([
      { ticketId: ticket.id, seq: 1, kind: 'replied', visibility: 'public', ...actor, actorId: both.id, body: 'Wir kümmern uns.' },
      { ticketId: ticket.id, seq: 2, kind: 'sla_breached', visibility: 'internal', ...actor, body: null, details: { measure: 'reaction' } },
    ]);
    await env.run(activities.notifyTicketEvent, { ticketId: ticket.id, seq: 1, audience: { userIds: [tenant.id], managers: false } });
    await env.run(activities.notifyTicketEvent, { ticketId: ticket.id, seq: 2, audience: { userIds: [], managers: true } });

    expect(await inbox(ticketDedupeKey(ticket.id, 1))).toEqual([[tenant.id, 'ticket-replied', 'routine']]);
    expect(await inbox(ticketDedupeKey(ticket.id, 2))).toEqual(
      byId([portalOnly, both]).map((u) => [u.id, 'ticket-sla-breached', 'urgent']),
    );
    expect((await mails(ticketDedupeKey(ticket.id, 2))).map((m) => m.toAddress)).toEqual([both.email]);
  });

  test('an unconfirmed appointment request is escalated urgently to the managers', async () => {
    const org = await createOrgFixture(db);
    const tenant = await createUserFixture(db, org.organisation.id, 'tenant');
    const request = await db.models.AppointmentRequest.create({
      organisationId: org.organisation.id,
      propertyId: org.property.id,
      unitId: org.unit.id,
      tenantId: tenant.id,
      technicianId: null,
      reason: 'reading',
      note: null,
      status: 'requested',
      openOffer: [],
      confirmDueAt: new Date(),
    });
    await db.models.AppointmentEvent.create({
      appointmentId: request.id,
      seq: 1,
      kind: 'confirmation_overdue',
      actorId: null,
      actorName: 'System',
      actorRole: 'system',
      at: new Date(),
      body: null,
    });
    await env.run(activities.notifyAppointmentEvent, { appointmentId: request.id, seq: 1, audience: { userIds: [], managers: true } });
    const key = appointmentDedupeKey(request.id, 1);
    expect(await inbox(key)).toEqual([[org.managers[0]!.id, 'appointment-confirmation-overdue', 'urgent']]);
    expect((await mails(key)).map((m) => m.subject)).toEqual([
      `[Terminanfrage #${request.id}] SLA: Terminanfrage unbestätigt: Ablesung, ${org.property.street}, ${org.unit.label}`,
    ]);
  });
});
