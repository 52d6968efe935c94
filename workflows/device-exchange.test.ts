// The device exchange coordinated with the tenant, on Temporal's time-skipping test server with the
// real activities against the test run's PostgreSQL: the device workflow offers the exchange when its
// deadline comes within the organisation's lead time, the tenant answers (or does not) in the portal,
// a tenant without an account gets a letter, and the technician's recorded exchange closes the offer.
// Dates come from the test server's clock.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createDb, type User } from '../db';
import { addDays, addYears } from '../domain/dates';
import { deadlineOf, type DeviceFacts } from '../domain/deadlines';
import { appointmentDedupeKey } from '../domain/contracts/appointment';
import { deviceWorkflowId } from '../domain/contracts/device';
import { deviceExchangeDedupeKey, deviceExchangeWorkflowId, type DeviceExchangeStatus } from '../domain/contracts/device-exchange';
import type { Actor } from '../domain/contracts/ticket';
import { updateAppointment } from '../server/appointments';
import { ensureDeviceWorkflow, reportDeviceRecalibrated, reportDeviceReplaced } from '../server/device-obligation';
import { saveExchangeLeadDays } from '../server/device-exchange-settings';
import type { SessionUser } from '../server/session';
import { formatDate } from '../domain/format';
import { relayOutbox } from '../server/outbox';
import { settleOutbox } from '../tests/support/outbox-settle';
import { getStatus } from './shared/device';
import { eventually } from '../tests/support/eventually';
import { createDeviceFixture, createOrgFixture, createUserFixture, type OrgFixture } from '../tests/support/fixtures';
import { recordHistory, startTimeSkipping, type TimeSkipping } from '../tests/support/time-skipping';
import type { deviceExchange } from './device-exchange';
import { deviceExchangeStatus } from './shared/device-exchange';

// The letter is filed into the archive, encrypted at rest like every archived document.
process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');

const db = createDb(inject('databaseUrl'));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The machine is shared: effects of workflows may take a while to land.
const SLOW = { timeoutMs: 60_000, intervalMs: 250 };
const TEST_TIMEOUT_MS = 240_000;

let ts: TimeSkipping;
beforeAll(async () => {
  ts = await startTimeSkipping({ db });
});
afterAll(async () => {
  await ts?.stop();
  await db.close();
});

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const startOfDay = (date: string) => Date.parse(`${date}T00:00:00Z`);
const actor = (user: User): Actor => ({ userId: user.id, name: user.name, role: user.role });

async function skipTo(ms: number): Promise<void> {
  const now = await ts.now();
  if (ms > now) await ts.skip(ms - now);
}

interface Household extends OrgFixture {
  technician: User;
  tenant: User | null;
}

/** An organisation whose unit is let (to a tenant with or without a portal account), with the property's technician. */
async function household(options: { withAccount: boolean; leadDays?: number }): Promise<Household> {
  const org = await createOrgFixture(db);
  if (options.leadDays !== undefined) await org.organisation.update({ deviceExchangeLeadDays: options.leadDays });
  const technician = await createUserFixture(db, org.organisation.id, 'technician');
  await org.property.update({ technicianId: technician.id });
  const tenant = options.withAccount ? await createUserFixture(db, org.organisation.id, 'tenant') : null;
  await db.models.Tenancy.create({
    unitId: org.unit.id,
    userId: tenant?.id ?? null,
    tenantName: tenant?.name ?? 'Erika Mustermann',
    startsOn: '2020-01-01',
    endsOn: null,
  });
  return { ...org, technician, tenant };
}

/** A heat cost allocator in the unit whose replacement is due `days` after the test server's today. */
async function allocatorDueIn(place: OrgFixture, days: number) {
  const today = dateOf(await ts.now());
  const installedAt = addYears(addDays(today, days), -10);
  const device = await createDeviceFixture(db, place, { type: 'HKV', installedAt, calibratedYear: null });
  const facts: DeviceFacts = { type: 'HKV', installedAt, hkvLifetimeYears: 10 };
  await ensureDeviceWorkflow(ts.client, device.id, { db, taskQueue: ts.taskQueue });
  return { device, dueAt: deadlineOf(facts).dueAt };
}

function exchangeHandle(deviceId: number, dueAt: string) {
  return ts.client.workflow.getHandle<typeof deviceExchange>(deviceExchangeWorkflowId(deviceId, dueAt));
}

/**
 * The exchange workflow's result once its end arrived. The end is a signal through the outbox, sent at
 * once by the device workflow's activity; should that miss its deadline on a loaded machine, this
 * relays it as a worker's relay would (none runs here). Queries do not move the test server's clock.
 */
async function ended(handle: ReturnType<typeof exchangeHandle>): Promise<DeviceExchangeStatus> {
  await eventually(async () => {
    await relayOutbox({ db, client: ts.client, taskQueue: ts.taskQueue, deadlineMs: 30_000 });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  }, SLOW);
  return handle.result();
}

/** The offer once the exchange workflow has opened it. */
function offered(deviceId: number, dueAt: string): Promise<DeviceExchangeStatus> {
  return eventually(async () => {
    const status = await exchangeHandle(deviceId, dueAt).query(deviceExchangeStatus);
    expect(status.channel).not.toBeNull();
    return status;
  }, SLOW);
}

async function toldUsers(dedupeKey: string): Promise<number[]> {
  const rows = await db.models.Notification.findAll({ where: { dedupeKey } });
  return rows.map((row) => row.userId).sort((a, b) => a - b);
}

/** The manager as the settings page sees them. */
const sessionUser = (user: User, organisationName: string): SessionUser => ({
  id: user.id,
  organisationId: user.organisationId,
  organisationName,
  email: user.email,
  name: user.name,
  role: user.role,
});

const ids = (users: User[]) => users.map((u) => u.id).sort((a, b) => a - b);

async function replaced(deviceId: number) {
  await reportDeviceReplaced(ts.client, deviceId, { replacedAt: dateOf(await ts.now()) }, { db, taskQueue: ts.taskQueue });
}

describe('device exchange with the tenant', () => {
  test(
    '60 days ahead the tenant is offered the technician’s slots, picks one, and the recorded exchange closes the offer',
    async () => {
      const home = await household({ withAccount: true });
      const tenant = home.tenant!;
      const { device, dueAt } = await allocatorDueIn(home, 75);
      await skipTo(startOfDay(dueAt) - 61 * DAY);
      await expect(exchangeHandle(device.id, dueAt).query(deviceExchangeStatus)).rejects.toThrow();

      await skipTo(startOfDay(dueAt) - 60 * DAY + HOUR);
      const offer = await offered(device.id, dueAt);
      expect(offer).toMatchObject({ state: 'offered', channel: 'portal', letterDocumentId: null });
      const appointmentId = offer.appointmentId!;
      const request = await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true });
      expect(request).toMatchObject({
        reason: 'device_exchange',
        status: 'proposed',
        tenantId: tenant.id,
        technicianId: home.technician.id,
      });
      const slots = await db.models.AppointmentSlot.findAll({ where: { appointmentId }, order: [['position', 'ASC']] });
      expect(slots.map((s) => s.offeredBy)).toEqual(['technician', 'technician', 'technician']);
      expect(slots.every((s) => s.startsAt.getTime() > request.createdAt.getTime() + 6 * DAY)).toBe(true);
      // The tenant and the technician hear of the offer in the portal.
      await eventually(
        async () => expect(await toldUsers(appointmentDedupeKey(appointmentId, 1))).toEqual(ids([tenant, home.technician])),
        SLOW,
      );

      const chosen = await updateAppointment(appointmentId, 'choose', { actor: actor(tenant), position: 1 }, { client: ts.client });
      expect(chosen).toMatchObject({ ok: true });
      await skipTo(request.createdAt.getTime() + 15 * DAY);
      const handle = exchangeHandle(device.id, dueAt);
      expect(await handle.query(deviceExchangeStatus)).toMatchObject({ state: 'answered', reminded: false, escalated: false });
      expect(await toldUsers(deviceExchangeDedupeKey(device.id, dueAt, 'escalation'))).toEqual([]);

      await replaced(device.id);
      expect(await ended(handle)).toMatchObject({ state: 'exchanged', exchangedAt: dateOf(await ts.now()) });
      await recordHistory(handle, 'offered-answered-exchanged');
      // The device workflow's side too: it offered the exchange and signalled the recorded one.
      const deviceHandle = ts.client.workflow.getHandle(deviceWorkflowId(device.id));
      await deviceHandle.result();
      await recordHistory(deviceHandle, 'exchange-offered-removed');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'without an answer the tenant is reminded after 7 days and the managers are told after 14',
    async () => {
      const home = await household({ withAccount: true });
      const tenant = home.tenant!;
      const { device, dueAt } = await allocatorDueIn(home, 70);
      await skipTo(startOfDay(dueAt) - 60 * DAY + HOUR);
      const offer = await offered(device.id, dueAt);
      const request = await db.models.AppointmentRequest.findByPk(offer.appointmentId!, { rejectOnEmpty: true });
      const offeredAt = request.createdAt.getTime();

      await skipTo(offeredAt + 7 * DAY + HOUR);
      const reminderKey = deviceExchangeDedupeKey(device.id, dueAt, 'reminder');
      await eventually(async () => expect(await toldUsers(reminderKey)).toEqual([tenant.id]), SLOW);
      const escalationKey = deviceExchangeDedupeKey(device.id, dueAt, 'escalation');
      expect(await toldUsers(escalationKey)).toEqual([]);

      await skipTo(offeredAt + 14 * DAY + HOUR);
      await eventually(async () => expect(await toldUsers(escalationKey)).toEqual(ids(home.managers)), SLOW);
      const handle = exchangeHandle(device.id, dueAt);
      expect(await handle.query(deviceExchangeStatus)).toMatchObject({ state: 'escalated', reminded: true, escalated: true });

      await replaced(device.id);
      expect(await ended(handle)).toMatchObject({ state: 'exchanged', escalated: true });
      await recordHistory(handle, 'reminded-escalated-exchanged');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'a tenant without an account gets a letter with the slots, in the archive; the lead time is the organisation’s',
    async () => {
      const home = await household({ withAccount: false, leadDays: 30 });
      const { device, dueAt } = await allocatorDueIn(home, 45);
      await skipTo(startOfDay(dueAt) - 31 * DAY);
      await expect(exchangeHandle(device.id, dueAt).query(deviceExchangeStatus)).rejects.toThrow();

      await skipTo(startOfDay(dueAt) - 30 * DAY + HOUR);
      const offer = await eventually(async () => {
        const status = await exchangeHandle(device.id, dueAt).query(deviceExchangeStatus);
        expect(status.letterDocumentId).not.toBeNull();
        return status;
      }, SLOW);
      expect(offer).toMatchObject({ channel: 'letter', appointmentId: null });
      const [letter] = await db.sequelize.query<{ kind: string; title: string; deviceId: number; contentType: string }>(
        `SELECT d.kind, d.title, d.device_id AS "deviceId", v.content_type AS "contentType"
         FROM archive_documents d JOIN archive_versions v ON v.document_id = d.id WHERE d.id = :id`,
        { replacements: { id: offer.letterDocumentId }, type: QueryTypes.SELECT },
      );
      expect(letter).toMatchObject({ kind: 'other', deviceId: device.id, contentType: 'application/pdf' });
      expect(letter?.title).toContain('Brief Gerätetausch');
      expect(await db.models.AppointmentRequest.count({ where: { unitId: home.unit.id } })).toBe(0);
      // The managers learn that the letter waits to be posted.
      await eventually(
        async () => expect(await toldUsers(`${deviceExchangeDedupeKey(device.id, dueAt, 'offer')}:letter`)).toEqual(ids(home.managers)),
        SLOW,
      );

      await replaced(device.id);
      expect(await ended(exchangeHandle(device.id, dueAt))).toMatchObject({ state: 'exchanged', channel: 'letter', reminded: false });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'a raised lead time starts the offer at once; a shortened one delays an offer not yet started',
    async () => {
      const home = await household({ withAccount: true, leadDays: 30 });
      const manager = sessionUser(home.managers[0], home.organisation.name);
      const near = await allocatorDueIn(home, 80);
      const far = await allocatorDueIn(home, 120);
      const t0 = await ts.now();
      await skipTo(t0 + 10 * DAY);
      // Both deadlines lie beyond 30 days: no offer yet, the workflows sleep until 30 days before.
      await expect(exchangeHandle(near.device.id, near.dueAt).query(deviceExchangeStatus)).rejects.toThrow();

      const saved = await saveExchangeLeadDays(manager, 90, null, { db, client: ts.client, taskQueue: ts.taskQueue });
      expect(saved).toEqual({ devices: 2, batches: 1 });
      await settleOutbox(db, ts.client, ts.taskQueue);
      // The near device is now 70 days before its deadline, within 90: the offer starts without any time passing.
      expect(await offered(near.device.id, near.dueAt)).toMatchObject({ state: 'offered', channel: 'portal' });
      await expect(exchangeHandle(far.device.id, far.dueAt).query(deviceExchangeStatus)).rejects.toThrow();

      // Shortened to 20 days before the far device's offer (due at 90 days) started: it waits for 20.
      expect(await saveExchangeLeadDays(manager, 20, null, { db, client: ts.client, taskQueue: ts.taskQueue })).toEqual({
        devices: 2,
        batches: 1,
      });
      await settleOutbox(db, ts.client, ts.taskQueue);
      // (The signal is in the far workflow's history before time moves on, so its old wake-up at 90 days finds the new lead time.)
      await skipTo(startOfDay(far.dueAt) - 89 * DAY);
      await expect(exchangeHandle(far.device.id, far.dueAt).query(deviceExchangeStatus)).rejects.toThrow();
      await skipTo(startOfDay(far.dueAt) - 20 * DAY + HOUR);
      expect(await offered(far.device.id, far.dueAt)).toMatchObject({ state: 'offered', channel: 'portal' });
      // The offer already made stays (escalated by now: nobody answered it).
      expect(await exchangeHandle(near.device.id, near.dueAt).query(deviceExchangeStatus)).toMatchObject({
        state: 'escalated',
        withdrawnFor: null,
      });
      await recordHistory(ts.client.workflow.getHandle(deviceWorkflowId(near.device.id)), 'lead-time-raised-offered');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'a recalibration during the open offer withdraws it: the request is cancelled with a note, and no second offer starts',
    async () => {
      const home = await household({ withAccount: true });
      const tenant = home.tenant!;
      // A water meter whose calibration runs out at the end of the year at least 62 days ahead.
      const today = dateOf(await ts.now());
      const calibratedYear = Number(addDays(today, 62).slice(0, 4)) - 6;
      const meter = await createDeviceFixture(db, home, { type: 'WZ-K', installedAt: `${calibratedYear}-03-01`, calibratedYear });
      const dueAt = `${calibratedYear + 6}-12-31`;
      await ensureDeviceWorkflow(ts.client, meter.id, { db, taskQueue: ts.taskQueue });
      await skipTo(startOfDay(dueAt) - 60 * DAY + HOUR);
      const offer = await offered(meter.id, dueAt);
      const appointmentId = offer.appointmentId!;

      // The technician recalibrates the meter: the deadline moves a year on, far beyond the lead time.
      await meter.update({ calibratedYear: calibratedYear + 1 });
      await reportDeviceRecalibrated(ts.client, meter.id, { calibratedYear: calibratedYear + 1 }, { db, taskQueue: ts.taskQueue });
      const handle = exchangeHandle(meter.id, dueAt);
      const nextDueAt = `${calibratedYear + 7}-12-31`;
      // Watched by queries, which do not move the test server's clock (no reminder may slip in meanwhile).
      await eventually(async () => {
        const request = await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true });
        expect(request.status).toBe('cancelled');
      }, SLOW);
      expect(await ended(handle)).toMatchObject({ state: 'withdrawn', withdrawnFor: nextDueAt, exchangedAt: null, reminded: false });
      // The withdrawal went through the outbox, behind the offer's start (server/device-exchange-outbox.test.ts: while that start waits).
      const entries = await db.sequelize.query<{ kind: string; signal: string | null; sent: boolean }>(
        `SELECT kind, payload->>'signal' AS signal, sent_at IS NOT NULL AS sent FROM workflow_outbox WHERE workflow_id = :workflowId ORDER BY id`,
        { replacements: { workflowId: deviceExchangeWorkflowId(meter.id, dueAt) }, type: QueryTypes.SELECT },
      );
      expect(entries).toEqual([
        { kind: 'start', signal: null, sent: true },
        { kind: 'signal', signal: 'deviceExchangeWithdrawn', sent: true },
      ]);
      const cancelled = await db.models.AppointmentEvent.findOne({ where: { appointmentId, kind: 'cancelled' }, rejectOnEmpty: true });
      expect(cancelled.body).toContain('nicht mehr nötig');
      expect(cancelled.body).toContain(formatDate(nextDueAt));
      // The tenant hears of it in the portal.
      await eventually(async () => expect(await toldUsers(appointmentDedupeKey(appointmentId, cancelled.seq))).toContain(tenant.id), SLOW);

      // The device workflow plans the new deadline, with no offer for it (nor a second one for the old).
      const device = await ts.client.workflow.getHandle(deviceWorkflowId(meter.id)).query(getStatus);
      expect(device).toMatchObject({ dueAt: nextDueAt, state: 'watching' });
      await expect(exchangeHandle(meter.id, nextDueAt).query(deviceExchangeStatus)).rejects.toThrow();
      const [offers] = await db.sequelize.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM device_exchange_offers WHERE device_id = :deviceId',
        { replacements: { deviceId: meter.id }, type: QueryTypes.SELECT },
      );
      expect(offers?.count).toBe(1);
      expect(await db.models.AppointmentRequest.count({ where: { unitId: home.unit.id } })).toBe(1);
      await recordHistory(handle, 'offered-withdrawn');
      await recordHistory(ts.client.workflow.getHandle(deviceWorkflowId(meter.id)), 'exchange-withdrawn-replanned');
    },
    TEST_TIMEOUT_MS,
  );
});
