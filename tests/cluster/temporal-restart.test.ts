// The Temporal server killed (kill -9) and restarted by the supervisor: a timer a workflow set before
// fires after the restart, once; its activity's NOTIFY (from a worker) reaches a live stream.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Db } from '../../db';
import { deviceDedupeKey } from '../../domain/contracts/device';
import { getStatus } from '../../workflows/shared/device';
import { eventually } from '../support/eventually';
import { createDeviceFixture } from '../support/fixtures';
import {
  CLUSTER_TEST_PASSWORD,
  LiveStream,
  clusterDb,
  clusterTemporal,
  createManagerFixture,
  killService,
  lightChanges,
  logIn,
  scheduledActivities,
  startDeviceDeadline,
  waitForRestart,
  waitUntilHealthy,
  webUrl,
} from './support/cluster';

let db: Db;
let temporal: { client: Client; close(): Promise<void> };
let stream: LiveStream | undefined;

beforeAll(async () => {
  db = clusterDb();
  temporal = await clusterTemporal();
  await waitUntilHealthy();
});

afterAll(async () => {
  stream?.close();
  await temporal?.close();
  await db?.close();
});

test('kill -9 of the Temporal server: timers set before the restart fire after it, each once', async () => {
  const fixture = await createManagerFixture(db);
  const device = await createDeviceFixture(db, fixture);
  stream = await LiveStream.open(webUrl('web-2'), await logIn(webUrl('web-2'), fixture.email, CLUSTER_TEST_PASSWORD));

  // A reminder 20 s from now and the deadline 40 s from now: both timers are set at the start.
  const dueAtMs = Date.now() + 40_000;
  const reminderAtMs = dueAtMs - 20_000;
  const handle = await startDeviceDeadline(db, temporal.client, device.id, { dueAtMs, reminderLeadMs: [20_000] });
  await eventually(async () => expect((await db.models.Device.findByPk(device.id, { rejectOnEmpty: true })).light).toBe('yellow'), {
    timeoutMs: 15_000,
  });

  const killedPid = killService('temporal', 'SIGKILL');
  await waitForRestart('temporal', killedPid);
  const restartedAt = Date.now();
  expect(restartedAt, 'the server is back before the first timer is due').toBeLessThan(reminderAtMs);

  await eventually(async () => expect((await handle.query(getStatus)).state).toBe('escalated'), { timeoutMs: 60_000, intervalMs: 500 });
  const dueAt = new Date(dueAtMs).toISOString().slice(0, 10);
  const [manager] = fixture.managers;
  const reminders = await db.models.Notification.findAll({ where: { dedupeKey: deviceDedupeKey(device.id, dueAt, 'reminder-20000ms') } });
  expect(reminders.map((n) => n.userId)).toEqual([manager!.id]);
  expect(reminders[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(restartedAt);
  const escalations = await db.models.Notification.findAll({ where: { dedupeKey: deviceDedupeKey(device.id, dueAt, 'escalation') } });
  expect(escalations.map((n) => n.userId).sort((a, b) => a - b)).toEqual([manager!.id, fixture.owner.id].sort((a, b) => a - b));
  expect(await scheduledActivities(handle, 'sendDeviceReminder')).toBe(1);
  expect(await scheduledActivities(handle, 'escalateDevice')).toBe(1);
  expect(await lightChanges(db, device.id)).toEqual(['yellow', 'red']);

  // The worker's NOTIFY of the red light reached the manager's page on a web process.
  await stream.waitFor((event) => event.type === 'device' && event.deviceId === device.id && event.light === 'red');
  await handle.terminate();
  await waitUntilHealthy();
});
