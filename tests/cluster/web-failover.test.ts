// Two web processes behind HAProxy: a killed one costs no request and no live stream, and a change
// made on one web process reaches pages connected to the other (PostgreSQL LISTEN/NOTIFY, no
// in-process bus). Real processes of `npm run cluster`, real HTTP, the demo manager's session.
import { Op } from 'sequelize';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Db } from '../../db';
import { DEMO_PASSWORD } from '../../db/seed/demo';
import { eventually, sleep } from '../support/eventually';
import {
  LiveStream,
  clusterDb,
  clusterState,
  killService,
  logIn,
  postForm,
  waitForRestart,
  waitUntilHealthy,
  webUrl,
  type LiveEvent,
} from './support/cluster';

const MANAGER = 'verwaltung@klarmeter.de';
let db: Db;
let deviceId: number;
const streams: LiveStream[] = [];

beforeAll(async () => {
  db = clusterDb();
  const manager = await db.models.User.findOne({ where: { email: MANAGER }, rejectOnEmpty: true });
  // A demo device with a battery: "Batterie gewechselt" is device work any manager may record.
  const properties = await db.models.Property.findAll({ where: { organisationId: manager.organisationId }, attributes: ['id'] });
  const device = await db.models.Device.findOne({
    where: { propertyId: properties.map((p) => p.id), batteryPercent: { [Op.ne]: null }, removedAt: null, successorId: null },
    order: [['id', 'ASC']],
    rejectOnEmpty: true,
  });
  deviceId = device.id;
  await waitUntilHealthy();
});

afterAll(async () => {
  for (const stream of streams) stream.close();
  await db?.close();
});

async function open(baseUrl: string, cookie: string): Promise<LiveStream> {
  const stream = await LiveStream.open(baseUrl, cookie);
  streams.push(stream);
  return stream;
}

/** Records a battery change through the device page's form at `baseUrl` (a document POST, as without JavaScript). */
async function recordBatteryChange(baseUrl: string, cookie: string): Promise<void> {
  const response = await postForm(baseUrl, `/geraete/${deviceId}`, cookie, { intent: 'battery' });
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('Batteriewechsel erfasst.');
}

const aboutDevice = (event: LiveEvent) => event.type === 'device' && event.deviceId === deviceId;

test('kill -9 of one web process: requests and live streams continue through HAProxy on the other', async () => {
  const { url } = clusterState();
  const cookie = await logIn(url, MANAGER, DEMO_PASSWORD);
  // One stream on each web process. HAProxy balances by least connections, but counts a closed
  // stream until its next heartbeat: open until both processes serve one.
  const byBackend = new Map<string | null | undefined, LiveStream>();
  for (let i = 0; i < 8 && byBackend.size < 2; i++) {
    const stream = await open(url, cookie);
    if (byBackend.has(stream.current?.backend)) stream.close();
    else byBackend.set(stream.current?.backend, stream);
  }
  const onVictim = byBackend.get('web-1');
  const onSurvivor = byBackend.get('web-2');
  expect(onVictim, 'a stream served by web-1').toBeDefined();
  expect(onSurvivor, 'a stream served by web-2').toBeDefined();

  const killedPid = killService('web-1', 'SIGKILL');
  const answers: Array<{ status: number; web: string | null }> = [];
  for (let i = 0; i < 30; i++) {
    const response = await fetch(`${url}/geraete`, { headers: { Cookie: cookie } });
    await response.arrayBuffer();
    answers.push({ status: response.status, web: response.headers.get('x-klarmeter-web') });
    await sleep(100);
  }
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(answers.some((a) => a.web === 'web-2')).toBe(true);

  // The stream on the killed process ends; like EventSource it reconnects through HAProxy.
  await eventually(
    () => {
      expect(onVictim!.connections[0]!.endedAt).not.toBeNull();
      expect(onVictim!.connections.length).toBeGreaterThanOrEqual(2);
      expect(onVictim!.current).not.toBeNull();
    },
    { timeoutMs: 30_000 },
  );
  // The one on the surviving process never noticed.
  expect(onSurvivor!.connections).toHaveLength(1);
  expect(onSurvivor!.current).not.toBeNull();

  // Both hear the next change.
  await recordBatteryChange(url, cookie);
  await onSurvivor!.waitFor(aboutDevice);
  const reconnected = await onVictim!.waitFor(aboutDevice);
  expect(reconnected.connection).toBeGreaterThanOrEqual(1);

  // The supervisor restarts the killed process and HAProxy sends it requests again.
  await waitForRestart('web-1', killedPid);
  await waitUntilHealthy();
  const served = new Set<string | null>();
  for (let i = 0; i < 10; i++) {
    const response = await fetch(`${url}/healthz`);
    await response.arrayBuffer();
    served.add(response.headers.get('x-klarmeter-web'));
  }
  expect(served).toContain('web-1');
});

test('a change made on one web process reaches live streams on the other (LISTEN/NOTIFY)', async () => {
  const [web1, web2] = [webUrl('web-1'), webUrl('web-2')];
  // Sessions are rows in PostgreSQL: a session made on one process is valid on the other.
  const cookie = await logIn(web1, MANAGER, DEMO_PASSWORD);
  const on1 = await open(web1, cookie);
  const on2 = await open(web2, cookie);

  // The NOTIFY commits with the change, before the form's answer: the other process hears it within
  // seconds of that answer (measured from it, so a slow POST on a loaded machine does not count).
  await recordBatteryChange(web1, cookie);
  const saved = Date.now();
  const heardOn2 = await on2.waitFor(aboutDevice);
  expect(heardOn2.at - saved).toBeLessThan(5_000);
  await on1.waitFor(aboutDevice);

  // And the other way round.
  on1.events.length = 0;
  on2.events.length = 0;
  await recordBatteryChange(web2, cookie);
  await on1.waitFor(aboutDevice);
  await on2.waitFor(aboutDevice);
});
