// The device deadline workflow on Temporal's time-skipping test server, with the real activities
// against the test run's PostgreSQL: devices whose deadlines are months ahead, and the clock moved
// to each reminder, the warning and the deadline instead of waiting for them.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Op } from 'sequelize';
import { createDb } from '../db';
import { addDays, addMonths, addYears } from '../domain/dates';
import { WARNING_MONTHS, deadlineOf, lightForDue, type DeviceFacts } from '../domain/deadlines';
import { deviceDedupeKey, deviceWorkflowId } from '../domain/contracts/device';
import { ticketWorkflowId } from '../domain/contracts/ticket';
import {
  loadDeviceWorkflowStarts,
  startDeviceWorkflow,
  ensureDeviceWorkflow,
  ensureDeviceWorkflows,
  reportDeviceHealth,
  reportDeviceRecalibrated,
  reportDeviceReplaced,
} from '../server/device-obligation';
import { createDeviceFixture, createOrgFixture } from '../tests/support/fixtures';
import { recordHistory, startTimeSkipping, type TimeSkipping, runsFrom } from '../tests/support/time-skipping';
import type { deviceDeadline } from './device-deadline';
import { getStatus } from './shared/device';

const db = createDb(inject('databaseUrl'));
const DAY = 86_400_000;

// One test server for the file: every test takes its dates from the server's clock, so the jumps of
// earlier tests do not matter. Without a workflow cache every task replays the history from the
// start (a determinism check on the way), and a stopped worker leaves no task on a sticky queue.
let ts: TimeSkipping;
beforeAll(async () => {
  ts = await startTimeSkipping({ db, workerOptions: { maxCachedWorkflows: 0 } });
});
afterAll(async () => {
  await ts?.stop();
  await db.close();
});

type DeviceHandle = WorkflowHandle<typeof deviceDeadline>;

function handleOf(deviceId: number): DeviceHandle {
  return ts.client.workflow.getHandle<typeof deviceDeadline>(deviceWorkflowId(deviceId));
}

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Moves the test server's clock to `ms`, firing every timer before it. */
async function skipTo(ms: number): Promise<void> {
  const now = await ts.now();
  if (ms > now) await ts.skip(ms - now);
}

const startOfDay = (date: string) => Date.parse(`${date}T00:00:00Z`);

async function notifiedUsers(dedupeKey: string): Promise<number[]> {
  const rows = await db.models.Notification.findAll({ where: { dedupeKey }, order: [['userId', 'ASC']] });
  return rows.map((row) => row.userId);
}

async function mailedAddresses(dedupeKey: string): Promise<string[]> {
  const rows = await db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${dedupeKey}:%` } } });
  return rows.map((row) => row.toAddress).sort();
}

/** How often a run scheduled an activity: "exactly once" in the history, not only in the tables. */
async function scheduledActivities(handle: WorkflowHandle, activityType: string): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType).length;
}

/** The runs of a workflow, first to last, following continue-as-new from the first run. */
async function deviceRow(deviceId: number) {
  return db.models.Device.findByPk(deviceId, { rejectOnEmpty: true });
}

function ids(users: { id: number }[]): number[] {
  return users.map((user) => user.id).sort((a, b) => a - b);
}

function emails(users: { email: string }[]): string[] {
  return users.map((user) => user.email).sort();
}

/** The first day on which the deadline alone turns the light yellow (about three months before it). */
function firstYellowDay(dueAt: string): string {
  let day = addDays(addMonths(dueAt, -WARNING_MONTHS), -3);
  while (lightForDue(dueAt, day) === 'green') day = addDays(day, 1);
  return day;
}

/** A heat cost allocator whose replacement is due `days` after the test server's today. */
async function allocatorDueIn(fixture: Awaited<ReturnType<typeof createOrgFixture>>, days: number) {
  const today = dateOf(await ts.now());
  const installedAt = addYears(addDays(today, days), -10);
  const device = await createDeviceFixture(db, fixture, { type: 'HKV', installedAt, calibratedYear: null });
  const facts: DeviceFacts = { type: 'HKV', installedAt, hkvLifetimeYears: 10 };
  return { device, dueAt: deadlineOf(facts).dueAt };
}

// Generous per test: the first test also starts the exchange offer of a device in a flat, and the machine is shared.
describe('device deadline workflow', { timeout: 180_000 }, () => {
  test('reminders 90, 30 and 7 days ahead, yellow three months before, red and one escalation at the deadline', async () => {
    const fixture = await createOrgFixture(db, { managers: 2 });
    const { device, dueAt } = await allocatorDueIn(fixture, 100);
    const started = await ensureDeviceWorkflow(ts.client, device.id, { db, taskQueue: ts.taskQueue });
    const handle = handleOf(device.id);
    await ts.skip('1 hour');
    expect(await deviceRow(device.id)).toMatchObject({ light: 'green', dueAt });
    const status = await handle.query(getStatus);
    expect(status).toMatchObject({ state: 'watching', kind: 'replacement', dueAt, light: 'green', escalated: false });
    expect(status.reminders.map((r) => [r.daysBefore, r.at, r.handled])).toEqual([
      [90, `${addDays(dueAt, -90)}T00:00:00.000Z`, false],
      [30, `${addDays(dueAt, -30)}T00:00:00.000Z`, false],
      [7, `${addDays(dueAt, -7)}T00:00:00.000Z`, false],
    ]);

    // About three months before the deadline the light turns yellow, and 90 days before the first reminder goes out.
    const yellowAt = startOfDay(firstYellowDay(dueAt));
    const reminderAt = startOfDay(addDays(dueAt, -90));
    await skipTo(Math.min(yellowAt, reminderAt) - 3_600_000);
    expect((await deviceRow(device.id)).light).toBe('green');
    expect(await notifiedUsers(deviceDedupeKey(device.id, dueAt, 'reminder-90'))).toEqual([]);
    await skipTo(Math.max(yellowAt, reminderAt) + 3_600_000);
    expect((await deviceRow(device.id)).light).toBe('yellow');
    const first = deviceDedupeKey(device.id, dueAt, 'reminder-90');
    expect(await notifiedUsers(first)).toEqual(ids(fixture.managers));
    expect(await mailedAddresses(first)).toEqual(emails(fixture.managers));

    await skipTo(startOfDay(addDays(dueAt, -1)));
    for (const days of [30, 7]) {
      const key = deviceDedupeKey(device.id, dueAt, `reminder-${days}`);
      expect(await notifiedUsers(key)).toEqual(ids(fixture.managers));
    }
    expect((await deviceRow(device.id)).escalatedAt).toBeNull();

    await skipTo(startOfDay(dueAt) + 3_600_000);
    const escalationKey = deviceDedupeKey(device.id, dueAt, 'escalation');
    expect(await notifiedUsers(escalationKey)).toEqual(ids([...fixture.managers, fixture.owner]));
    expect(await mailedAddresses(escalationKey)).toEqual(emails([...fixture.managers, fixture.owner]));
    expect(await deviceRow(device.id)).toMatchObject({ light: 'red', dueAt, escalatedAt: expect.any(Date) });
    expect(await handle.query(getStatus)).toMatchObject({ state: 'escalated', light: 'red', escalated: true, nextWakeAt: null });
    const mail = await db.models.Mail.findOne({ where: { dedupeKey: `${escalationKey}:user-${fixture.owner.id}` }, rejectOnEmpty: true });
    expect(mail.textBody).toContain(`/geraete/${device.id}`);

    // Months later nothing more has been sent.
    await ts.skip(60 * DAY);
    expect(await scheduledActivities(handle, 'sendDeviceReminder')).toBe(3);
    expect(await scheduledActivities(handle, 'escalateDevice')).toBe(1);
    const lightChanges = await db.models.AuditEntry.findAll({
      where: { entity: 'device', entityId: String(device.id), action: 'device.light_changed' },
      order: [['id', 'ASC']],
    });
    expect(lightChanges.map((entry) => entry.details.to)).toEqual(['green', 'yellow', 'red']);

    // Removed without a successor: the obligation ends.
    await reportDeviceReplaced(ts.client, device.id, { replacedAt: dateOf(await ts.now()) }, { db, taskQueue: ts.taskQueue });
    expect(await handle.result()).toMatchObject({ state: 'removed', successorWorkflowId: null });
    await recordHistory(ts.client.workflow.getHandle(deviceWorkflowId(device.id), started!.runId!), 'reminders-escalation-removed');
  });

  test('a first start after reminder points have passed sends only the latest of them, and none twice', async () => {
    const fixture = await createOrgFixture(db);
    const { device, dueAt } = await allocatorDueIn(fixture, 20);
    await ensureDeviceWorkflow(ts.client, device.id, { db, taskQueue: ts.taskQueue });
    await ts.skip('1 hour');
    expect(await notifiedUsers(deviceDedupeKey(device.id, dueAt, 'reminder-90'))).toEqual([]);
    expect(await notifiedUsers(deviceDedupeKey(device.id, dueAt, 'reminder-30'))).toEqual(ids(fixture.managers));
    expect((await handleOf(device.id).query(getStatus)).reminders.map((r) => r.handled)).toEqual([true, true, false]);
    await skipTo(startOfDay(dueAt) + 3_600_000);
    expect(await notifiedUsers(deviceDedupeKey(device.id, dueAt, 'reminder-7'))).toEqual(ids(fixture.managers));
    expect(await notifiedUsers(deviceDedupeKey(device.id, dueAt, 'escalation'))).toEqual(ids([...fixture.managers, fixture.owner]));
    expect(await scheduledActivities(handleOf(device.id), 'sendDeviceReminder')).toBe(2);
    await ts.terminate(handleOf(device.id));
  });

  test('replacement: the predecessor ends, the successor runs, both are linked', async () => {
    const fixture = await createOrgFixture(db);
    const old = await createDeviceFixture(db, fixture);
    const successor = await createDeviceFixture(db, fixture);
    const options = { db, taskQueue: ts.taskQueue };
    await ensureDeviceWorkflow(ts.client, old.id, options);
    const today = dateOf(await ts.now());

    await reportDeviceReplaced(ts.client, old.id, { successorId: successor.id, replacedAt: today }, options);

    const result = await handleOf(old.id).result();
    expect(result).toMatchObject({ state: 'replaced', successorWorkflowId: deviceWorkflowId(successor.id) });
    const [oldRow, successorRow] = await Promise.all([deviceRow(old.id), deviceRow(successor.id)]);
    expect({ successorId: oldRow.successorId, removedAt: oldRow.removedAt }).toEqual({ successorId: successor.id, removedAt: today });
    expect(successorRow.predecessorId).toBe(old.id);

    const successorHandle = handleOf(successor.id);
    const description = await successorHandle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.memo).toMatchObject({ predecessorWorkflowId: deviceWorkflowId(old.id) });
    expect((await handleOf(old.id).describe()).memo).toMatchObject({ successorWorkflowId: deviceWorkflowId(successor.id) });
    expect((await successorHandle.query(getStatus)).predecessorWorkflowId).toBe(deviceWorkflowId(old.id));

    // The replaced device's obligation has ended: starting it again does nothing.
    expect(await ensureDeviceWorkflow(ts.client, old.id, options)).toBeNull();
    await ts.terminate(successorHandle);
  });

  test('recalibration moves the deadline; battery 20 % turns it yellow, 0 % red', async () => {
    const fixture = await createOrgFixture(db);
    const thisYear = new Date(await ts.now()).getUTCFullYear();
    // Calibrated eight years ago: expired at the end of the year before last.
    const device = await createDeviceFixture(db, fixture, { installedAt: `${thisYear - 8}-03-01`, calibratedYear: thisYear - 8 });
    await ensureDeviceWorkflow(ts.client, device.id, { db, taskQueue: ts.taskQueue });
    const handle = handleOf(device.id);
    await ts.skip('1 hour');
    expect(await deviceRow(device.id)).toMatchObject({ light: 'red', dueAt: `${thisYear - 2}-12-31` });
    expect((await handle.query(getStatus)).state).toBe('escalated');

    await reportDeviceRecalibrated(ts.client, device.id, { calibratedYear: thisYear });
    await ts.skip('1 hour');
    const newDueAt = `${thisYear + 6}-12-31`;
    expect(await handle.query(getStatus)).toMatchObject({ dueAt: newDueAt, light: 'green', state: 'watching' });
    expect(await deviceRow(device.id)).toMatchObject({ light: 'green', dueAt: newDueAt, escalatedAt: null });

    await reportDeviceHealth(ts.client, device.id, { batteryPercent: 20 });
    await ts.skip('1 hour');
    expect((await handle.query(getStatus)).light).toBe('yellow');
    expect((await deviceRow(device.id)).light).toBe('yellow');

    await reportDeviceHealth(ts.client, device.id, { batteryPercent: 0 });
    await ts.skip('1 hour');
    expect((await deviceRow(device.id)).light).toBe('red');
    // Red from a flat battery is no expired deadline: nothing to escalate.
    expect(await handle.query(getStatus)).toMatchObject({ dueAt: newDueAt, light: 'red', state: 'watching' });
    await ts.terminate(handle);
  });

  test('a device silent for more than 30 days turns red by itself, and a reading brings it back', async () => {
    const fixture = await createOrgFixture(db);
    const today = dateOf(await ts.now());
    const device = await createDeviceFixture(db, fixture, { lastReadingAt: new Date(`${today}T06:00:00Z`) });
    await ensureDeviceWorkflow(ts.client, device.id, { db, taskQueue: ts.taskQueue });
    await skipTo(startOfDay(addDays(today, 31)) - 3_600_000);
    expect((await deviceRow(device.id)).light).toBe('green');
    await skipTo(startOfDay(addDays(today, 31)) + 3_600_000);
    expect((await deviceRow(device.id)).light).toBe('red');
    await reportDeviceHealth(ts.client, device.id, { lastReadingAt: dateOf(await ts.now()) });
    await ts.skip('1 hour');
    expect((await deviceRow(device.id)).light).toBe('green');
    await ts.terminate(handleOf(device.id));
  });

  test('a worker stopped during the wait: the next one picks the workflow up and escalates once', async () => {
    const fixture = await createOrgFixture(db);
    const { device, dueAt } = await allocatorDueIn(fixture, 20);
    await ensureDeviceWorkflow(ts.client, device.id, { db, taskQueue: ts.taskQueue });
    await skipTo(startOfDay(dueAt) - DAY);
    await ts.stopWorker();
    // The deadline's timer fires with no worker there: the escalation waits for one.
    const skipping = skipTo(startOfDay(dueAt) + 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await deviceRow(device.id)).escalatedAt).toBeNull();
    await ts.startWorker();
    await skipping;
    const escalationKey = deviceDedupeKey(device.id, dueAt, 'escalation');
    expect(await notifiedUsers(escalationKey)).toEqual(ids([...fixture.managers, fixture.owner]));
    expect(await scheduledActivities(handleOf(device.id), 'escalateDevice')).toBe(1);
    expect(await deviceRow(device.id)).toMatchObject({ light: 'red', escalatedAt: expect.any(Date) });
    await ts.terminate(handleOf(device.id));
  });

  test('a long run continues as new and carries its state: the reminders sent, then one escalation', async () => {
    const fixture = await createOrgFixture(db);
    const { device, dueAt } = await allocatorDueIn(fixture, 100);
    const [start] = await loadDeviceWorkflowStarts(db, [device.id]);
    const { runId } = await startDeviceWorkflow(ts.client, { ...start!, input: { ...start!.input, maxIterationsPerRun: 3 } }, ts.taskQueue);

    // Iterations: the start, the yellow light, the 90-day reminder; the fourth (30 days) begins a new run.
    await skipTo(startOfDay(dueAt) + 3_600_000);
    const status = await handleOf(device.id).query(getStatus);
    expect(status).toMatchObject({ state: 'escalated', light: 'red' });
    expect(status.reminders.map((r) => r.handled)).toEqual([true, true, true]);
    const runs = await runsFrom(ts.client, deviceWorkflowId(device.id), runId!);
    expect(runs.length).toBeGreaterThan(1);
    const total = async (activityType: string) => {
      let count = 0;
      for (const run of runs)
        count += await scheduledActivities(ts.client.workflow.getHandle(deviceWorkflowId(device.id), run), activityType);
      return count;
    };
    expect(await total('sendDeviceReminder')).toBe(3);
    expect(await total('escalateDevice')).toBe(1);
    expect(await total('recordDeviceDeadline')).toBe(3); // green, yellow, red
    await ts.terminate(handleOf(device.id));
  });

  test('a smoke alarm reporting a fault turns yellow and gets one technician ticket per fault episode', async () => {
    const fixture = await createOrgFixture(db);
    const today = dateOf(await ts.now());
    const alarm = await createDeviceFixture(db, fixture, {
      type: 'RWM',
      installedAt: today,
      calibratedYear: null,
      lastInspectionAt: today,
    });
    await ensureDeviceWorkflow(ts.client, alarm.id, { db, taskQueue: ts.taskQueue });
    const handle = handleOf(alarm.id);
    await ts.skip('1 hour');
    expect((await deviceRow(alarm.id)).light).toBe('green');
    const faultTickets = () =>
      db.models.Ticket.findAll({ where: { propertyId: fixture.property.id, category: 'device_report' }, order: [['id', 'ASC']] });

    await reportDeviceHealth(ts.client, alarm.id, { reportedStatus: 'ERROR_FLAGS_800' });
    await ts.skip('1 hour');
    expect((await deviceRow(alarm.id)).light).toBe('yellow');
    const [ticket, ...more] = await faultTickets();
    expect(more).toEqual([]);
    expect(ticket?.subject).toContain(alarm.serial);
    expect(ticket?.body).toContain('ERROR_FLAGS_800');

    // The same fault again is the same episode: no second ticket, no second activity.
    await reportDeviceHealth(ts.client, alarm.id, { reportedStatus: 'ERROR_FLAGS_800' });
    await ts.skip('1 hour');
    expect(await faultTickets()).toHaveLength(1);
    expect(await scheduledActivities(handle, 'reportDeviceFault')).toBe(1);

    // "ok" ends the episode; the next fault opens a new one.
    await reportDeviceHealth(ts.client, alarm.id, { reportedStatus: 'ok' });
    await ts.skip('1 hour');
    expect((await deviceRow(alarm.id)).light).toBe('green');
    await reportDeviceHealth(ts.client, alarm.id, { reportedStatus: 'UNKNOWN_C0' });
    await ts.skip('1 hour');
    const tickets = await faultTickets();
    expect(tickets.map((t) => t.body.includes('UNKNOWN_C0'))).toEqual([false, true]);
    for (const t of tickets) await ts.terminate(ts.client.workflow.getHandle(ticketWorkflowId(t.id)));
    await ts.terminate(handle);
  });

  test('a water meter reporting a fault turns yellow without a ticket', async () => {
    const fixture = await createOrgFixture(db);
    const today = dateOf(await ts.now());
    const meter = await createDeviceFixture(db, fixture, { installedAt: today, calibratedYear: Number(today.slice(0, 4)) });
    await ensureDeviceWorkflow(ts.client, meter.id, { db, taskQueue: ts.taskQueue });
    await reportDeviceHealth(ts.client, meter.id, { reportedStatus: 'ERROR_FLAGS_8' });
    await ts.skip('1 hour');
    expect((await deviceRow(meter.id)).light).toBe('yellow');
    expect(await scheduledActivities(handleOf(meter.id), 'reportDeviceFault')).toBe(0);
    await ts.terminate(handleOf(meter.id));
  });

  test('starting is idempotent: one run per device, none for a removed device', async () => {
    const fixture = await createOrgFixture(db);
    const device = await createDeviceFixture(db, fixture);
    const removed = await createDeviceFixture(db, fixture, { removedAt: dateOf(await ts.now()) });
    const options = { db, taskQueue: ts.taskQueue };

    const first = await ensureDeviceWorkflow(ts.client, device.id, options);
    const second = await ensureDeviceWorkflow(ts.client, device.id, options);
    expect(first?.runId).toBeTruthy();
    expect(second).toEqual(first);
    expect(await ensureDeviceWorkflows(ts.client, [device.id, device.id, removed.id], options)).toEqual({ ensured: 1, skipped: 1 });
    expect(await ensureDeviceWorkflow(ts.client, removed.id, options)).toBeNull();

    expect((await handleOf(device.id).describe()).runId).toBe(first!.runId);
    await expect(handleOf(removed.id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await ts.terminate(handleOf(device.id));
  });
});
