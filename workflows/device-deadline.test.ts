// The device deadline workflow against the real Temporal dev server and PostgreSQL of the test run:
// timers really fire, activities really write. Deadlines seconds ahead use the input's override.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Op } from 'sequelize';
import { createDb } from '../db';
import { loadDeviceWorkflowStarts, startDeviceWorkflow } from '../server/device-obligation';
import { deviceWorkflowId } from '../domain/contracts/device';
import {
  ensureDeviceWorkflow,
  ensureDeviceWorkflows,
  reportDeviceHealth,
  reportDeviceRecalibrated,
  reportDeviceReplaced,
} from '../server/device-obligation';
import { eventually, sleep } from '../tests/support/eventually';
import { createDeviceFixture, createOrgFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';
import type { deviceDeadline } from './device-deadline';
import { getStatus } from './shared/device';
import { deviceDedupeKey, type DeadlineOverride } from '../domain/contracts/device';

const db = createDb(inject('databaseUrl'));
const taskQueue = `device-deadline-${uniqueSuffix()}`;
const today = new Date().toISOString().slice(0, 10);
const thisYear = new Date().getUTCFullYear();

let temporal: TestClient;
let client: Client;
let bundle: WorkflowBundleWithSourceMap;
let worker: RunningWorker;

beforeAll(async () => {
  [temporal, bundle] = await Promise.all([connectTestClient(), bundleWorkflows()]);
  client = temporal.client;
  worker = await startTestWorker({ taskQueue, db, workflowBundle: bundle });
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await db.close();
});

type DeviceHandle = WorkflowHandle<typeof deviceDeadline>;

function handleOf(deviceId: number): DeviceHandle {
  return client.workflow.getHandle<typeof deviceDeadline>(deviceWorkflowId(deviceId));
}

/** Starts the device's workflow as the app would, but with a deadline at an instant (the test hook). */
async function startWithOverride(
  deviceId: number,
  override: DeadlineOverride,
  options: { queue?: string; maxIterationsPerRun?: number } = {},
): Promise<DeviceHandle> {
  const [start] = await loadDeviceWorkflowStarts(db, [deviceId]);
  const input = { ...start.input, override, maxIterationsPerRun: options.maxIterationsPerRun };
  await startDeviceWorkflow(client, { ...start, input }, options.queue ?? taskQueue);
  return handleOf(deviceId);
}

async function notifiedUsers(dedupeKey: string): Promise<number[]> {
  const rows = await db.models.Notification.findAll({ where: { dedupeKey }, order: [['userId', 'ASC']] });
  return rows.map((row) => row.userId);
}

async function mailedAddresses(dedupeKey: string): Promise<string[]> {
  const rows = await db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${dedupeKey}:%` } } });
  return rows.map((row) => row.toAddress).sort();
}

/** How often the workflow scheduled an activity: "exactly once" in the history, not only in the tables. */
async function scheduledActivities(handle: DeviceHandle, activityType: string): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType).length;
}

/** The same count over every run of the chain (continue-as-new starts a run with its own history). */
async function scheduledActivitiesInAllRuns(workflowId: string, activityType: string): Promise<number> {
  let total = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    total += await scheduledActivities(client.workflow.getHandle(workflowId, execution.runId), activityType);
  }
  return total;
}

async function deviceRow(deviceId: number) {
  return db.models.Device.findByPk(deviceId, { rejectOnEmpty: true });
}

function ids(users: { id: number }[]): number[] {
  return users.map((user) => user.id).sort((a, b) => a - b);
}

function emails(users: { email: string }[]): string[] {
  return users.map((user) => user.email).sort();
}

describe('device deadline workflow', () => {
  test('a deadline seconds ahead: each reminder once to the managers, yellow, then red and one escalation to managers and owner', async () => {
    const fixture = await createOrgFixture(db, { managers: 2 });
    const device = await createDeviceFixture(db, fixture);
    const dueAtMs = Date.now() + 6_000;
    const handle = await startWithOverride(device.id, { dueAtMs, reminderLeadMs: [4_000, 2_000] });
    const dueAt = new Date(dueAtMs).toISOString().slice(0, 10);

    await eventually(async () => expect((await deviceRow(device.id)).light).toBe('yellow'));
    expect(Date.now()).toBeLessThan(dueAtMs);
    // The workflow's status turns 'escalated' once the escalation activity (notifications and mails) completed.
    await eventually(async () => expect((await handle.query(getStatus)).state).toBe('escalated'), { timeoutMs: 15_000 });
    expect(await deviceRow(device.id)).toMatchObject({ light: 'red', dueAt, escalatedAt: expect.any(Date) });

    for (const lead of [4_000, 2_000]) {
      const key = deviceDedupeKey(device.id, dueAt, `reminder-${lead}ms`);
      expect(await notifiedUsers(key)).toEqual(ids(fixture.managers));
      expect(await mailedAddresses(key)).toEqual(emails(fixture.managers));
    }
    const escalationKey = deviceDedupeKey(device.id, dueAt, 'escalation');
    expect(await notifiedUsers(escalationKey)).toEqual(ids([...fixture.managers, fixture.owner]));
    expect(await mailedAddresses(escalationKey)).toEqual(emails([...fixture.managers, fixture.owner]));

    const status = await handle.query(getStatus);
    expect(status).toMatchObject({ light: 'red', escalated: true, overridden: true, nextWakeAt: null });
    expect(status.reminders.map((r) => r.handled)).toEqual([true, true]);
    expect(await scheduledActivities(handle, 'sendDeviceReminder')).toBe(2);
    expect(await scheduledActivities(handle, 'escalateDevice')).toBe(1);

    const lightChanges = await db.models.AuditEntry.findAll({
      where: { entity: 'device', entityId: String(device.id), action: 'device.light_changed' },
      order: [['id', 'ASC']],
    });
    expect(lightChanges.map((entry) => entry.details.to)).toEqual(['yellow', 'red']);

    const mail = await db.models.Mail.findOne({ where: { dedupeKey: `${escalationKey}:user-${fixture.owner.id}` }, rejectOnEmpty: true });
    expect(mail.subject).toBe(`Eichfrist abgelaufen: ${device.serial} (${fixture.property.street}, Whg. 1.03)`);
    expect(mail.textBody).toContain(`/geraete/${device.id}`);
    await handle.terminate();
  });

  test('replacement: the predecessor ends, the successor runs, both are linked', async () => {
    const fixture = await createOrgFixture(db);
    const old = await createDeviceFixture(db, fixture);
    const successor = await createDeviceFixture(db, fixture);
    await ensureDeviceWorkflow(client, old.id, { db, taskQueue });

    await reportDeviceReplaced(client, old.id, { successorId: successor.id, replacedAt: today }, { db, taskQueue });

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
    const status = await eventually(() => successorHandle.query(getStatus));
    expect(status.predecessorWorkflowId).toBe(deviceWorkflowId(old.id));

    // The replaced device's obligation has ended: starting it again does nothing.
    expect(await ensureDeviceWorkflow(client, old.id, { db, taskQueue })).toBeNull();
    await successorHandle.terminate();
  });

  test('recalibration moves the deadline; battery 20 % turns it yellow, 0 % red', async () => {
    const fixture = await createOrgFixture(db);
    // Calibrated eight years ago: expired at the end of the year before last.
    const device = await createDeviceFixture(db, fixture, { installedAt: `${thisYear - 8}-03-01`, calibratedYear: thisYear - 8 });
    await ensureDeviceWorkflow(client, device.id, { db, taskQueue });
    const handle = handleOf(device.id);
    await eventually(async () => expect(await deviceRow(device.id)).toMatchObject({ light: 'red', dueAt: `${thisYear - 2}-12-31` }));
    await eventually(async () => expect((await handle.query(getStatus)).state).toBe('escalated'));

    await reportDeviceRecalibrated(client, device.id, { calibratedYear: thisYear });
    const newDueAt = `${thisYear + 6}-12-31`;
    await eventually(async () =>
      expect(await handle.query(getStatus)).toMatchObject({ dueAt: newDueAt, light: 'green', state: 'watching' }),
    );
    await eventually(async () => expect(await deviceRow(device.id)).toMatchObject({ light: 'green', dueAt: newDueAt, escalatedAt: null }));

    await reportDeviceHealth(client, device.id, { batteryPercent: 20 });
    await eventually(async () => expect((await handle.query(getStatus)).light).toBe('yellow'));
    await eventually(async () => expect((await deviceRow(device.id)).light).toBe('yellow'));

    await reportDeviceHealth(client, device.id, { batteryPercent: 0 });
    await eventually(async () => expect((await deviceRow(device.id)).light).toBe('red'));
    // Red from a flat battery is no expired deadline: nothing to escalate.
    expect(await handle.query(getStatus)).toMatchObject({ dueAt: newDueAt, light: 'red', state: 'watching' });
    await handle.terminate();
  });

  test('a worker stopped during the wait: the next one escalates once, and the reminder missed meanwhile is not sent late', async () => {
    const queue = `${taskQueue}-restart`;
    // A short sticky timeout hands the stopped worker's pending task to the next worker quickly.
    const workerOptions = { stickyQueueScheduleToStartTimeout: 1_000 };
    const first = await startTestWorker({ taskQueue: queue, db, workflowBundle: bundle, workerOptions });
    const fixture: OrgFixture = await createOrgFixture(db);
    const device = await createDeviceFixture(db, fixture);
    const dueAtMs = Date.now() + 5_000;
    const dueAt = new Date(dueAtMs).toISOString().slice(0, 10);
    const handle = await startWithOverride(device.id, { dueAtMs, reminderLeadMs: [2_000] }, { queue });
    await eventually(async () => expect((await deviceRow(device.id)).light).toBe('yellow'));
    await first.stop();

    await sleep(dueAtMs + 1_000 - Date.now());
    expect((await deviceRow(device.id)).escalatedAt).toBeNull();

    const second = await startTestWorker({ taskQueue: queue, db, workflowBundle: bundle, workerOptions });
    try {
      await eventually(async () => expect((await handle.query(getStatus)).state).toBe('escalated'), { timeoutMs: 20_000 });
      const escalationKey = deviceDedupeKey(device.id, dueAt, 'escalation');
      expect(await notifiedUsers(escalationKey)).toEqual(ids([...fixture.managers, fixture.owner]));
      expect(await scheduledActivities(handle, 'escalateDevice')).toBe(1);
      expect(await notifiedUsers(deviceDedupeKey(device.id, dueAt, 'reminder-2000ms'))).toEqual([]);
      expect((await deviceRow(device.id)).escalatedAt).not.toBeNull();
      expect((await deviceRow(device.id)).light).toBe('red');
      await handle.terminate();
    } finally {
      await second.stop();
    }
  });

  test('a long run continues as new and carries its state: facts, the reminder sent, then one escalation', async () => {
    const fixture = await createOrgFixture(db);
    const device = await createDeviceFixture(db, fixture);
    const dueAtMs = Date.now() + 7_000;
    const handle = await startWithOverride(device.id, { dueAtMs, reminderLeadMs: [5_000] }, { maxIterationsPerRun: 3 });
    const { runId: firstRunId } = await handle.describe();

    // Iterations: the start, the reminder, then one per health report; the fourth begins a new run.
    await eventually(async () => expect((await handle.query(getStatus)).reminders[0].handled).toBe(true));
    for (const batteryPercent of [90, 80]) {
      await reportDeviceHealth(client, device.id, { batteryPercent });
      await eventually(async () => expect((await handle.query(getStatus)).facts.batteryPercent).toBe(batteryPercent));
    }
    await eventually(async () => expect((await handle.describe()).runId).not.toBe(firstRunId));
    expect((await handle.query(getStatus)).reminders[0].handled).toBe(true);

    await eventually(async () => expect((await handle.query(getStatus)).state).toBe('escalated'), { timeoutMs: 15_000 });
    const workflowId = deviceWorkflowId(device.id);
    await eventually(async () => expect(await client.workflow.count(`WorkflowId = "${workflowId}"`)).toMatchObject({ count: 2 }));
    expect(await scheduledActivitiesInAllRuns(workflowId, 'sendDeviceReminder')).toBe(1);
    expect(await scheduledActivitiesInAllRuns(workflowId, 'escalateDevice')).toBe(1);
    expect(await scheduledActivitiesInAllRuns(workflowId, 'recordDeviceDeadline')).toBe(2); // yellow, then red
    await handle.terminate();
  });

  test('starting is idempotent: one run per device, none for a removed device', async () => {
    const fixture = await createOrgFixture(db);
    const device = await createDeviceFixture(db, fixture);
    const removed = await createDeviceFixture(db, fixture, { removedAt: today });

    const first = await ensureDeviceWorkflow(client, device.id, { db, taskQueue });
    const second = await ensureDeviceWorkflow(client, device.id, { db, taskQueue });
    expect(first?.runId).toBeTruthy();
    expect(second).toEqual(first);
    expect(await ensureDeviceWorkflows(client, [device.id, device.id, removed.id], { db, taskQueue })).toEqual({ ensured: 1, skipped: 1 });
    expect(await ensureDeviceWorkflow(client, removed.id, { db, taskQueue })).toBeNull();

    await eventually(async () =>
      expect(await client.workflow.count(`WorkflowId = "${deviceWorkflowId(device.id)}"`)).toMatchObject({ count: 1 }),
    );
    expect(await client.workflow.count(`WorkflowId = "${deviceWorkflowId(removed.id)}"`)).toMatchObject({ count: 0 });
    await handleOf(device.id).terminate();
  });
});
