// The Temporal server killed (kill -9) and restarted by the supervisor: a timer a workflow set before
// fires after the restart, once; its activity's NOTIFY (from a worker) reaches a live stream.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Db } from '../../db';
import { eventually } from '../support/eventually';
import {
  CLUSTER_TEST_PASSWORD,
  LiveStream,
  clusterDb,
  clusterTemporal,
  createManagerFixture,
  killService,
  logIn,
  fileTicketWithReactionSla,
  ticketEvents,
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
  stream = await LiveStream.open(webUrl('web-2'), await logIn(webUrl('web-2'), fixture.email, CLUSTER_TEST_PASSWORD));

  // A reaction budget of 40 s: the SLA warning fires at 30 s, the breach at 40 s; both timers are set at the start.
  const startedAt = Date.now();
  const { ticketId, handle } = await fileTicketWithReactionSla(db, temporal.client, fixture, 40);
  // Its first workflow task has set the SLA timers (a kill before that would only delay the task).
  await eventually(
    async () => expect((await handle.fetchHistory()).events?.some((event) => event.timerStartedEventAttributes)).toBe(true),
    { timeoutMs: 15_000, intervalMs: 200 },
  );

  const killedAt = Date.now();
  const killedPid = killService('temporal', 'SIGKILL');
  expect(killedAt, 'the server was killed before the first timer was due').toBeLessThan(startedAt + 30_000);
  await waitForRestart('temporal', killedPid);

  // A slow restart on a loaded machine may let both timers fall due while the server is down; they
  // then fire together after it, in either order of their writes: wait for both.
  await eventually(
    async () => {
      expect(await ticketEvents(db, ticketId, 'sla_breached')).toBe(1);
      expect(await ticketEvents(db, ticketId, 'sla_warning')).toBe(1);
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
  // Nothing fires while the server is down: written after the kill means fired after the restart.
  const warning = await db.models.TicketEvent.findOne({ where: { ticketId, kind: 'sla_warning' }, rejectOnEmpty: true });
  expect(warning.createdAt.getTime()).toBeGreaterThanOrEqual(killedAt);
  // Each step was told once to the managers, however the restart interrupted the workers' polls.
  const [manager] = fixture.managers;
  // The notice is the activity after the event's, so it may land a moment later.
  await eventually(
    async () => {
      const notices = await db.models.Notification.findAll({
        where: { userId: manager!.id, kind: ['ticket-sla-warning', 'ticket-sla-breached'] },
      });
      expect(notices.map((n) => n.kind).sort()).toEqual(['ticket-sla-breached', 'ticket-sla-warning']);
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );

  // The worker's NOTIFY of the breached ticket reached the manager's page on a web process.
  await stream.waitFor((event) => event.type === 'ticket' && event.ticketId === ticketId, 30_000);
  await handle.terminate();
  await waitUntilHealthy();
});
