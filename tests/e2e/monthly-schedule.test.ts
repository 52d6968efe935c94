// The monthly information's Schedule on the Temporal dev server of the test run (the time-skipping
// test server has no Schedules): created at start-up, updated on the next, and a trigger starts a run.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ensureMonthlySchedule } from '../../server/monthly-schedule';
import { MONTHLY_SCHEDULE_ID } from '../../domain/contracts/monthly';
import { eventually } from '../support/eventually';
import { uniqueSuffix } from '../support/fixtures';
import { connectTestClient, type TestClient } from '../support/temporal';

// A queue without a worker: the triggered run is started, but never touches the shared test database.
const idleQueue = `monthly-schedule-${uniqueSuffix()}`;
let temporal: TestClient;
let client: Client;

beforeAll(async () => {
  temporal = await connectTestClient();
  client = temporal.client;
});

afterAll(async () => {
  await client.schedule
    .getHandle(MONTHLY_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await temporal?.close();
});

test('exists after start-up: the 5th at 06:00 German time, overlap skip, catch-up 7 days; a second call updates it', async () => {
  await client.schedule
    .getHandle(MONTHLY_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  expect(await ensureMonthlySchedule(client, idleQueue)).toBe('created');
  expect(await ensureMonthlySchedule(client, idleQueue)).toBe('updated');
  const schedule = await client.schedule.getHandle(MONTHLY_SCHEDULE_ID).describe();
  expect(schedule.spec.timezone).toBe('Europe/Berlin');
  expect(schedule.spec.calendars?.[0]).toMatchObject({
    dayOfMonth: [{ start: 5, end: 5, step: 1 }],
    hour: [{ start: 6, end: 6, step: 1 }],
    minute: [{ start: 0, end: 0, step: 1 }],
  });
  expect(schedule.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 7 * 24 * 3_600_000 });
  expect(schedule.action).toMatchObject({ workflowType: 'monthlyInformationRun', taskQueue: idleQueue });
  const next = schedule.info.nextActionTimes[0];
  expect(
    new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(next),
  ).toBe('5, 06:00');
});

test('trigger starts a run (at most one at a time)', async () => {
  const handle = client.schedule.getHandle(MONTHLY_SCHEDULE_ID);
  await handle.trigger(ScheduleOverlapPolicy.SKIP);
  const running = await eventually(
    async () => {
      const { info } = await handle.describe();
      expect(info.runningActions).toHaveLength(1);
      return info.runningActions[0]!.workflow;
    },
    { timeoutMs: 15_000 },
  );
  expect(running.workflowId).toMatch(/^monthly-information-/);
  await client.workflow.getHandle(running.workflowId).terminate('test: the run would process the whole shared database');
});
