// PostgreSQL killed (kill -9) and restarted by the supervisor, while a ticket's SLA breach falls due: the
// portal answers again, live streams resume (LISTEN reconnects and says "resync"), the timer's
// activity is retried until it succeeds, once, and no web or worker process had to be restarted.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Db } from '../../db';
import { eventually, sleep } from '../support/eventually';
import {
  CLUSTER_TEST_PASSWORD,
  LiveStream,
  clusterDb,
  clusterState,
  clusterTemporal,
  createManagerFixture,
  killService,
  logIn,
  servicePid,
  fileTicketWithReactionSla,
  ticketEvents,
  waitForRestart,
  waitUntilHealthy,
  webUrl,
} from './support/cluster';

const APP_PROCESSES = ['web-1', 'web-2', 'worker-1', 'worker-2'];
let db: Db;
let temporal: { client: Client; close(): Promise<void> };
const streams: LiveStream[] = [];

beforeAll(async () => {
  db = clusterDb();
  temporal = await clusterTemporal();
  await waitUntilHealthy();
});

afterAll(async () => {
  for (const stream of streams) stream.close();
  await temporal?.close();
  await db?.close();
});

test('kill -9 of PostgreSQL: portal, live streams and activities recover without restarting web or worker', async () => {
  const appPids = APP_PROCESSES.map(servicePid);
  const fixture = await createManagerFixture(db);
  const { url } = clusterState();
  const cookie = await logIn(url, fixture.email, CLUSTER_TEST_PASSWORD);
  // A stream on each web process: each has its own LISTEN connection to lose and regain.
  for (const web of ['web-1', 'web-2'] as const) streams.push(await LiveStream.open(webUrl(web), cookie));

  // The SLA breach falls due while PostgreSQL is down (reaction budget 20 s: warning at 15 s, breach at
  // 20 s; the gap leaves a loaded machine time to record the warning before the kill).
  const { ticketId, handle } = await fileTicketWithReactionSla(db, temporal.client, fixture, 20);
  // The workflow's timer runs from the ticket's own due time (set when it was filed), not from now.
  const { reactionDueAt } = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
  const dueAtMs = reactionDueAt!.getTime();
  await eventually(async () => expect(await ticketEvents(db, ticketId, 'sla_warning')).toBe(1), { timeoutMs: 30_000, intervalMs: 200 });
  await sleep(Math.max(0, dueAtMs - 1_000 - Date.now()));
  const killedAt = Date.now();
  const killedPid = killService('postgres', 'SIGKILL');
  await waitForRestart('postgres', killedPid);
  // The supervisor waits a second before the restart and then for PostgreSQL to be ready.
  expect(killedAt, 'PostgreSQL was killed before the breach fell due').toBeLessThan(dueAtMs);
  expect(Date.now(), 'PostgreSQL was down when the breach fell due').toBeGreaterThan(dueAtMs);

  // The portal answers again, with the session made before (sessions are rows).
  await eventually(
    async () => {
      const health = await fetch(`${url}/healthz`);
      expect(health.status, await health.text()).toBe(200);
      for (const base of [url, webUrl('web-1'), webUrl('web-2')]) {
        const page = await fetch(`${base}/geraete`, { headers: { Cookie: cookie } });
        await page.arrayBuffer();
        expect(page.status, `${base}/geraete`).toBe(200);
      }
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  // Each web process listens again and tells its pages to reload what they show.
  for (const stream of streams) await stream.waitFor((event) => event.type === 'resync', 30_000);

  // The breach's activities failed while the database was away and were retried: applied once.
  await eventually(async () => expect(await ticketEvents(db, ticketId, 'sla_breached')).toBe(1), { timeoutMs: 90_000, intervalMs: 500 });
  const [manager] = fixture.managers;
  // The notice is the workflow's next activity after the recorded step: it follows, once.
  await eventually(
    async () => expect(await db.models.Notification.count({ where: { userId: manager!.id, kind: 'ticket-sla-breached' } })).toBe(1),
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  // The breach's NOTIFY reached each page, or the page was told to reload after the breach was
  // written: the activity's retry and the LISTEN reconnect race (both back off on their own), and a
  // NOTIFY committed while a web process was not yet listening again is not delivered to it.
  const breach = await db.models.TicketEvent.findOne({ where: { ticketId, kind: 'sla_breached' }, rejectOnEmpty: true });
  for (const stream of streams) {
    await eventually(
      () =>
        expect(
          stream.events.some(
            ({ event, at }) =>
              (event.type === 'ticket' && event.ticketId === ticketId) || (event.type === 'resync' && at >= breach.createdAt.getTime()),
          ),
          JSON.stringify(stream.events),
        ).toBe(true),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  expect(APP_PROCESSES.map(servicePid)).toEqual(appPids);
  await handle.terminate();
  await waitUntilHealthy();
});
