// The appointment workflow against the real Temporal dev server and PostgreSQL: the technician's
// confirmation window and the tenant's reminder run in seconds on the wall clock.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';

import type { Client } from '@temporalio/client';

import { createDb, type User } from '../db';

import { requestAppointment, updateAppointment, type RequestAppointmentOptions } from '../server/appointments';

import { eventually, sleep } from '../tests/support/eventually';

import { createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';

import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';

import { appointmentDedupeKey, appointmentWorkflowId, type AppointmentEventKind } from '../domain/contracts/appointment';

import type { Actor } from '../domain/contracts/ticket';

const db = createDb(inject('databaseUrl'));
const taskQueue = `appointments-${uniqueSuffix()}`;
let temporal: TestClient;
let client: Client;
let worker: RunningWorker;
let org: OrgFixture;
let tenant: User;
let technician: User;

beforeAll(async () => {
  const bundle = await bundleWorkflows();
  temporal = await connectTestClient();
  client = temporal.client;
  worker = await startTestWorker({ taskQueue, db, workflowBundle: bundle });
  org = await createOrgFixture(db);
  tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  technician = await createUserFixture(db, org.organisation.id, 'technician');
  await org.property.update({ technicianId: technician.id });
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await db.close();
});

const actor = (user: User): Actor => ({ userId: user.id, name: user.name, role: user.role });
const slotIn = (fromNowMs: number, lengthMs = 2 * 3_600_000) => ({
  startsAt: new Date(Date.now() + fromNowMs).toISOString(),
  endsAt: new Date(Date.now() + fromNowMs + lengthMs).toISOString(),
});
const DAY = 86_400_000;

function request(slots = [slotIn(2 * DAY), slotIn(3 * DAY)], timing: RequestAppointmentOptions['timing'] = {}) {
  return requestAppointment(
    {
      organisationId: org.organisation.id,
      unitId: org.unit.id,
      tenantId: tenant.id,
      reason: 'device_exchange',
      note: 'Bitte vormittags.',
      slots,
    },
    { db, client, taskQueue, timing: { confirmClock: 'calendar', finishedLingerMs: 1_000, ...timing } },
  );
}

function update<C extends Parameters<typeof updateAppointment>[1]>(
  appointmentId: number,
  change: C,
  arg: Parameters<typeof updateAppointment<C>>[2],
) {
  return updateAppointment(appointmentId, change, arg, { client });
}

async function events(appointmentId: number, kind?: AppointmentEventKind) {
  return db.models.AppointmentEvent.findAll({ where: { appointmentId, ...(kind ? { kind } : {}) }, order: [['seq', 'ASC']] });
}

async function toldUsers(appointmentId: number, seq: number): Promise<number[]> {
  const rows = await db.models.Notification.findAll({ where: { dedupeKey: appointmentDedupeKey(appointmentId, seq) } });
  return rows.map((n) => n.userId).sort((a, b) => a - b);
}

describe('confirmation window (2 s)', () => {
  test('the request goes to the property’s technician; unconfirmed, it escalates to the managers exactly once', async () => {
    const { appointmentId } = await request(undefined, { confirmWithinMs: 2_000 });
    const row = await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true });
    expect(row).toMatchObject({ status: 'requested', technicianId: technician.id, openOffer: [0, 1] });
    await eventually(async () => expect(await toldUsers(appointmentId, 1)).toEqual([tenant.id, technician.id].sort((a, b) => a - b)));

    await eventually(async () => expect(await events(appointmentId, 'confirmation_overdue')).toHaveLength(1), { timeoutMs: 10_000 });
    await sleep(1_500);
    const [overdue] = await events(appointmentId, 'confirmation_overdue');
    expect(await events(appointmentId, 'confirmation_overdue')).toHaveLength(1);
    expect(overdue.at.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(2_000);
    await eventually(async () =>
      expect(await toldUsers(appointmentId, overdue.seq)).toEqual([org.managers[0].id, technician.id].sort((a, b) => a - b)),
    );
    expect((await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true })).escalatedAt).not.toBeNull();

    // Still answerable after the escalation.
    const confirmed = await update(appointmentId, 'choose', { actor: actor(technician), position: 1 });
    expect(confirmed.ok && confirmed.result).toMatchObject({
      status: 'confirmed',
      confirmedSlot: { position: 1 },
      confirmationOverdue: true,
    });
    await client.workflow.getHandle(appointmentWorkflowId(appointmentId)).terminate();
  });

  test('a confirmation in time means no escalation', async () => {
    const { appointmentId } = await request(undefined, { confirmWithinMs: 2_000 });
    await update(appointmentId, 'choose', { actor: actor(technician), position: 0 });
    await sleep(3_000);
    expect(await events(appointmentId, 'confirmation_overdue')).toHaveLength(0);
    await client.workflow.getHandle(appointmentWorkflowId(appointmentId)).terminate();
  });
});

describe('confirming, proposing, reminding, recording', () => {
  test('the tenant is reminded before the slot; the outcome can be recorded once it has begun', async () => {
    const { appointmentId } = await request([slotIn(5_000, 60_000), slotIn(DAY)], { reminderLeadMs: 3_000 });
    const tenantTry = await update(appointmentId, 'choose', { actor: actor(tenant), position: 0 });
    expect(tenantTry).toEqual({ ok: false, message: 'Bitte warten Sie auf die Bestätigung durch die Technik.' });
    const confirmed = await update(appointmentId, 'choose', { actor: actor(technician), position: 0 });
    expect(confirmed.ok && confirmed.result.reminderAt).not.toBeNull();
    await eventually(async () => expect(await toldUsers(appointmentId, 2)).toEqual([tenant.id]));

    const early = await update(appointmentId, 'record', { actor: actor(technician), outcome: 'done' });
    expect(early).toEqual({ ok: false, message: 'Der Termin hat noch nicht begonnen.' });

    await eventually(async () => expect(await events(appointmentId, 'reminded')).toHaveLength(1), { timeoutMs: 10_000 });
    const [reminded] = await events(appointmentId, 'reminded');
    await eventually(async () =>
      expect(await toldUsers(appointmentId, reminded.seq)).toEqual([tenant.id, technician.id].sort((a, b) => a - b)),
    );
    const note = await db.models.Notification.findOne({
      where: { dedupeKey: appointmentDedupeKey(appointmentId, reminded.seq), userId: tenant.id },
      rejectOnEmpty: true,
    });
    expect(note.title).toBe('Erinnerung: morgen Gerätetausch');

    await eventually(
      async () => {
        const done = await update(appointmentId, 'record', { actor: actor(technician), outcome: 'done', note: 'Zähler getauscht.' });
        expect(done.ok && done.result.status).toBe('done');
      },
      { timeoutMs: 10_000, intervalMs: 500 },
    );
    const final = await client.workflow.getHandle(appointmentWorkflowId(appointmentId)).result();
    expect(final.status).toBe('done');
    expect((await events(appointmentId)).map((e) => e.kind)).toEqual(['requested', 'confirmed', 'reminded', 'done']);
    expect(await events(appointmentId, 'reminded')).toHaveLength(1);
    expect(await db.models.AppointmentRequest.findByPk(appointmentId, { rejectOnEmpty: true })).toMatchObject({
      status: 'done',
      confirmedSlot: 0,
    });
  });

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
    const confirmedSeq = (await events(appointmentId, 'confirmed'))[0].seq;
    await eventually(async () => expect(await toldUsers(appointmentId, confirmedSeq)).toEqual([technician.id]));

    const cancelled = await update(appointmentId, 'cancel', { actor: actor(tenant), reason: 'Ich bin verreist.' });
    expect(cancelled.ok && cancelled.result.status).toBe('cancelled');
    expect(await update(appointmentId, 'choose', { actor: actor(tenant), position: 2 })).toEqual({
      ok: false,
      message: 'Diese Terminanfrage ist abgeschlossen und kann nicht mehr geändert werden.',
    });
    await client.workflow.getHandle(appointmentWorkflowId(appointmentId)).result();
  });

  test('nobody home: the managers hear of it too', async () => {
    const { appointmentId } = await request([slotIn(1_500, 60_000)]);
    await update(appointmentId, 'choose', { actor: actor(technician), position: 0 });
    await sleep(1_600);
    const outcome = await update(appointmentId, 'record', { actor: actor(technician), outcome: 'no_show', note: 'Niemand öffnete.' });
    expect(outcome.ok && outcome.result.status).toBe('no_show');
    const [noShow] = await events(appointmentId, 'no_show');
    await eventually(async () =>
      expect(await toldUsers(appointmentId, noShow.seq)).toEqual([tenant.id, org.managers[0].id].sort((a, b) => a - b)),
    );
    await client.workflow.getHandle(appointmentWorkflowId(appointmentId)).result();
  });
});
