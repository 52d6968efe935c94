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
import { ensureDeviceWorkflow, reportDeviceReplaced } from '../server/device-obligation';
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
      expect(await handle.result()).toMatchObject({ state: 'exchanged', exchangedAt: dateOf(await ts.now()) });
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
      expect(await handle.result()).toMatchObject({ state: 'exchanged', escalated: true });
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
      expect(await exchangeHandle(device.id, dueAt).result()).toMatchObject({ state: 'exchanged', channel: 'letter', reminded: false });
    },
    TEST_TIMEOUT_MS,
  );
});
