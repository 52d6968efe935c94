// The appointment workflow on Temporal's time-skipping test server, with the real activities against
// the test run's PostgreSQL: the technician's two working days to answer, the tenant's reminder a day
// before the slot and the day a finished request lingers, with the clock moved instead of waited for.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { createDb, type User } from '../db';
import { BUSINESS_DAY_MS, addBusinessTime } from '../domain/business-hours';
import { requestAppointment, updateAppointment } from '../server/appointments';
import { createOrgFixture, createUserFixture, type OrgFixture } from '../tests/support/fixtures';
import { recordHistory, timeSkippingPerTest, type TimeSkipping } from '../tests/support/time-skipping';
import { appointmentDedupeKey, appointmentWorkflowId, type AppointmentEventKind } from '../domain/contracts/appointment';
import type { Actor } from '../domain/contracts/ticket';

const db = createDb(inject('databaseUrl'));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let org: OrgFixture;
let tenant: User;
let technician: User;

beforeAll(async () => {
  org = await createOrgFixture(db);
  tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  technician = await createUserFixture(db, org.organisation.id, 'technician');
  await org.property.update({ technicianId: technician.id });
});

afterAll(async () => {
  await db.close();
});

// Requests are filed at the real now: every test gets a server whose clock starts there.
let ts: TimeSkipping;
const server = timeSkippingPerTest({ db });
beforeEach(() => {
  ts = server.current;
});

const actor = (user: User): Actor => ({ userId: user.id, name: user.name, role: user.role });
/** A slot of two hours starting `fromNowMs` after the real now (a whole hour, as people book). */
const slotIn = (fromNowMs: number, lengthMs = 2 * HOUR) => {
  const start = Math.ceil((Date.now() + fromNowMs) / HOUR) * HOUR;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + lengthMs).toISOString() };
};

function request(slots = [slotIn(10 * DAY), slotIn(11 * DAY)]) {
  return requestAppointment(
    {
      organisationId: org.organisation.id,
      unitId: org.unit.id,
      tenantId: tenant.id,
      reason: 'device_exchange',
      note: 'Bitte vormittags.',
      slots,
    },
    { db, client: ts.client, taskQueue: ts.taskQueue },
  );
}

function update<C extends Parameters<typeof updateAppointment>[1]>(
  appointmentId: number,
  change: C,
  arg: Parameters<typeof updateAppointment<C>>[2],
) {
  return updateAppointment(appointmentId, change, arg, { client: ts.client });
}

async function events(appointmentId: number, kind?: AppointmentEventKind) {
  return db.models.AppointmentEvent.findAll({ where: { appointmentId, ...(kind ? { kind } : {}) }, order: [['seq', 'ASC']] });
}

async function toldUsers(appointmentId: number, seq: number): Promise<number[]> {
  const rows = await db.models.Notification.findAll({ where: { dedupeKey: appointmentDedupeKey(appointmentId, seq) } });
  return rows.map((n) => n.userId).sort((a, b) => a - b);
}

/** Moves the server's clock to `ms`, firing every timer before it. */
async function skipTo(ms: number): Promise<void> {
  const now = await ts.now();
  if (ms > now) await ts.skip(ms - now);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** When the technician's two working days (in the property's state) run out. */
async function confirmDueAt(appointmentId: number): Promise<number> {
  const row = await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true });
  return addBusinessTime(row.createdAt.getTime(), 2 * BUSINESS_DAY_MS, { federalState: 'BE' });
}

describe('confirmation window (two working days)', () => {
  test('unconfirmed, it escalates to the managers once; confirmed late, the tenant is reminded a day ahead; the outcome closes it', async () => {
    const slots = [slotIn(10 * DAY), slotIn(11 * DAY)];
    const { appointmentId } = await request(slots);
    const row = await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true });
    expect(row).toMatchObject({ status: 'requested', technicianId: technician.id, openOffer: [0, 1] });
    await ts.skip('1 minute');
    expect(await toldUsers(appointmentId, 1)).toEqual(sorted([tenant.id, technician.id]));

    const dueAt = await confirmDueAt(appointmentId);
    await skipTo(dueAt - 60_000);
    expect(await events(appointmentId, 'confirmation_overdue')).toHaveLength(0);
    await skipTo(dueAt + DAY);
    const [overdue, ...more] = await events(appointmentId, 'confirmation_overdue');
    expect(more).toHaveLength(0);
    expect(Math.abs(overdue!.at.getTime() - dueAt)).toBeLessThan(1_000);
    expect(await toldUsers(appointmentId, overdue!.seq)).toEqual(sorted([org.managers[0]!.id, technician.id]));
    expect((await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true })).escalatedAt).not.toBeNull();

    // Still answerable after the escalation; the tenant may not confirm their own slot.
    expect(await update(appointmentId, 'choose', { actor: actor(tenant), position: 0 })).toEqual({
      ok: false,
      message: 'Bitte warten Sie auf die Bestätigung durch die Technik.',
    });
    const confirmed = await update(appointmentId, 'choose', { actor: actor(technician), position: 1 });
    const slotStart = Date.parse(slots[1]!.startsAt);
    expect(confirmed.ok && confirmed.result).toMatchObject({
      status: 'confirmed',
      confirmedSlot: { position: 1 },
      confirmationOverdue: true,
      reminderAt: new Date(slotStart - DAY).toISOString(),
    });
    expect(await update(appointmentId, 'record', { actor: actor(technician), outcome: 'done' })).toEqual({
      ok: false,
      message: 'Der Termin hat noch nicht begonnen.',
    });

    await skipTo(slotStart - DAY - 60_000);
    expect(await events(appointmentId, 'reminded')).toHaveLength(0);
    await skipTo(slotStart - DAY + 60_000);
    const [reminded] = await events(appointmentId, 'reminded');
    expect(await toldUsers(appointmentId, reminded!.seq)).toEqual(sorted([tenant.id, technician.id]));
    const note = await db.models.Notification.findOne({
      where: { dedupeKey: appointmentDedupeKey(appointmentId, reminded!.seq), userId: tenant.id },
      rejectOnEmpty: true,
    });
    expect(note.title).toBe('Erinnerung: morgen Gerätetausch');

    await skipTo(slotStart + HOUR);
    const done = await update(appointmentId, 'record', { actor: actor(technician), outcome: 'done', note: 'Zähler getauscht.' });
    expect(done.ok && done.result.status).toBe('done');
    // A finished request answers for a day more, then its workflow ends.
    await ts.skip(DAY + HOUR);
    const handle = ts.client.workflow.getHandle(appointmentWorkflowId(appointmentId));
    expect((await handle.result()).status).toBe('done');
    expect((await events(appointmentId)).map((e) => e.kind)).toEqual([
      'requested',
      'confirmation_overdue',
      'confirmed',
      'reminded',
      'done',
    ]);
    expect(await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true })).toMatchObject({
      status: 'done',
      confirmedSlot: 1,
    });
    await recordHistory(handle, 'overdue-confirmed-reminded-done');
  });

  test('a confirmation in time means no escalation', async () => {
    const { appointmentId } = await request();
    await ts.skip(HOUR);
    await update(appointmentId, 'choose', { actor: actor(technician), position: 0 });
    await skipTo((await confirmDueAt(appointmentId)) + DAY);
    expect(await events(appointmentId, 'confirmation_overdue')).toHaveLength(0);
  });
});

describe('proposing and recording', () => {
  test('the technician proposes other slots and the tenant takes one; stale and own offers are refused', async () => {
    const { appointmentId } = await request();
    const proposal = [slotIn(4 * DAY), slotIn(5 * DAY)];
    const proposed = await update(appointmentId, 'propose', {
      actor: actor(technician),
      slots: proposal,
      note: 'Diese Woche geht es nicht.',
    });
    expect(proposed.ok && proposed.result).toMatchObject({ status: 'proposed', openOffer: [2, 3] });
    const slots = await db.models.AppointmentSlot.findAll({ where: { appointmentId }, order: [['position', 'ASC']] });
    expect(slots.map((s) => [s.position, s.offeredBy])).toEqual([
      [0, 'tenant'],
      [1, 'tenant'],
      [2, 'technician'],
      [3, 'technician'],
    ]);

    expect(await update(appointmentId, 'choose', { actor: actor(technician), position: 3 })).toEqual({
      ok: false,
      message: 'Sie können nur einen Termin bestätigen, den der Mieter angeboten hat.',
    });
    expect(await update(appointmentId, 'choose', { actor: actor(technician), position: 0 })).toEqual({
      ok: false,
      message: 'Dieser Termin wurde durch neuere Vorschläge ersetzt.',
    });
    expect(await update(appointmentId, 'propose', { actor: actor(tenant), slots: proposal })).toEqual({
      ok: false,
      message: 'Nur die Technik kann andere Termine vorschlagen.',
    });
    expect(await update(appointmentId, 'propose', { actor: actor(technician), slots: [slotIn(-DAY)] })).toEqual({
      ok: false,
      message: 'Termine müssen in der Zukunft liegen.',
    });

    const taken = await update(appointmentId, 'choose', { actor: actor(tenant), position: 3 });
    expect(taken.ok && taken.result).toMatchObject({ status: 'confirmed', confirmedSlot: { position: 3, offeredBy: 'technician' } });
    await ts.skip('1 minute');
    const confirmedSeq = (await events(appointmentId, 'confirmed'))[0]!.seq;
    expect(await toldUsers(appointmentId, confirmedSeq)).toEqual([technician.id]);

    const cancelled = await update(appointmentId, 'cancel', { actor: actor(tenant), reason: 'Ich bin verreist.' });
    expect(cancelled.ok && cancelled.result.status).toBe('cancelled');
    expect(await update(appointmentId, 'choose', { actor: actor(tenant), position: 2 })).toEqual({
      ok: false,
      message: 'Diese Terminanfrage ist abgeschlossen und kann nicht mehr geändert werden.',
    });
    await ts.skip(DAY + HOUR);
    const handle = ts.client.workflow.getHandle(appointmentWorkflowId(appointmentId));
    expect((await handle.result()).status).toBe('cancelled');
    await recordHistory(handle, 'proposed-taken-cancelled');
  });

  test('nobody home: the managers hear of it too', async () => {
    const slots = [slotIn(3 * DAY)];
    const { appointmentId } = await request(slots);
    await update(appointmentId, 'choose', { actor: actor(technician), position: 0 });
    await skipTo(Date.parse(slots[0]!.startsAt) + HOUR);
    const outcome = await update(appointmentId, 'record', { actor: actor(technician), outcome: 'no_show', note: 'Niemand öffnete.' });
    expect(outcome.ok && outcome.result.status).toBe('no_show');
    await ts.skip('1 minute');
    const [noShow] = await events(appointmentId, 'no_show');
    expect(await toldUsers(appointmentId, noShow!.seq)).toEqual(sorted([tenant.id, org.managers[0]!.id]));
  });
});
