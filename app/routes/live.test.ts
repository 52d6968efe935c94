// /live against the real database: NOTIFY reaches the open stream, filtered by what the user may
// see, and the one LISTEN connection survives being killed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LIVE_CHANNEL } from '../../db';
import { eventually } from '../../tests/support/eventually';
import { closeWebResources, cookieFor, createWebFixture, makeRequest, testDb, type WebFixture } from '../../tests/support/web';
import { liveHub } from '../../server/live';
import { loader as liveLoader } from './live';

const database = testDb();
let f: WebFixture;

beforeAll(async () => {
  f = await createWebFixture(database);
});

afterAll(closeWebResources);

interface Stream {
  status: number;
  /** The next `data:` event, skipping comments and the retry line. */
  next(): Promise<Record<string, unknown>>;
  close(): void;
}

async function openStream(cookie: string): Promise<Stream> {
  const abort = new AbortController();
  const request = new Request(makeRequest('/live', { cookie }), { signal: abort.signal });
  const response = (await liveLoader({ request, params: {}, context: {} })) as Response;
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<Record<string, unknown>> = [];
  let buffer = '';
  return {
    status: response.status,
    async next() {
      while (events.length === 0) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        const frames = (buffer + decoder.decode(value, { stream: true })).split('\n\n');
        buffer = frames.pop() ?? '';
        for (const frame of frames) {
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice('data: '.length)) as Record<string, unknown>);
        }
      }
      return events.shift()!;
    },
    close: () => abort.abort(),
  };
}

async function notify(payload: Record<string, unknown>) {
  await database.notify(LIVE_CHANNEL, payload);
}

function deviceEvent(device: { id: number; propertyId: number; unitId: number | null }, light = 'red') {
  return { type: 'device', deviceId: device.id, propertyId: device.propertyId, unitId: device.unitId, light, dueAt: '2026-12-31' };
}

describe('/live', () => {
  test('without a session: 401, so EventSource stops retrying', async () => {
    const response = (await liveLoader({ request: makeRequest('/live'), params: {}, context: {} })) as Response;
    expect(response.status).toBe(401);
  });

  test('a tenant hears about its unit only; the owner about its property only', async () => {
    const tenant = await openStream(await cookieFor(f.tenant));
    const owner = await openStream(await cookieFor(f.owner));
    try {
      expect(tenant.status).toBe(200);
      await liveHub().ensureConnected();
      await notify(deviceEvent(f.foreignDevice));
      await notify(deviceEvent(f.neighbourDevice));
      await notify(deviceEvent(f.devices.green, 'yellow'));
      expect(await tenant.next()).toMatchObject({ deviceId: f.devices.green.id, light: 'yellow' });
      expect(await owner.next()).toMatchObject({ deviceId: f.neighbourDevice.id });
      expect(await owner.next()).toMatchObject({ deviceId: f.devices.green.id });
    } finally {
      tenant.close();
      owner.close();
    }
  });

  test('notifications reach the users they are for, without naming anybody', async () => {
    const manager = await openStream(await cookieFor(f.manager));
    try {
      await liveHub().ensureConnected();
      await notify({ type: 'notification', userIds: [f.owner.id, f.tenant.id] });
      await notify({ type: 'notification', userIds: [f.owner.id, f.manager.id] });
      expect(await manager.next()).toEqual({ type: 'notification' });
    } finally {
      manager.close();
    }
  });

  // Issue 12: owners and technicians were sent ticket events (ids, unit, user, status) they may not read.
  test('ticket, appointment, statement and monthly events reach exactly those whose pages show them', async () => {
    const roles = ['manager', 'owner', 'technician', 'tenant', 'otherTenant'] as const;
    const streams = Object.fromEntries(
      await Promise.all(roles.map(async (role) => [role, await openStream(await cookieFor(f[role]))] as const)),
    ) as Record<(typeof roles)[number], Stream>;
    try {
      await liveHub().ensureConnected();
      const inHouse = { propertyId: f.property.id, unitId: f.unit.id };
      await notify({ type: 'ticket', ticketId: 1, ...inHouse, userId: f.tenant.id, status: 'open' });
      await notify({ type: 'appointment', appointmentId: 2, ...inHouse, userId: f.tenant.id, status: 'requested' });
      await notify({ type: 'statement', statementId: 3, version: 1, step: 'opened', propertyId: f.property.id });
      await notify({ type: 'monthly', propertyId: f.property.id, month: '2026-01' });
      await notify({ type: 'monthly', ...inHouse, month: '2026-01' });
      await notify({ type: 'something-new', ...inHouse });
      // The marker every one of them may hear: whatever arrives before it was let through.
      await notify(deviceEvent(f.devices.red, 'yellow'));
      const heard = async (stream: Stream) => {
        const types: string[] = [];
        for (let event = await stream.next(); event.type !== 'device'; event = await stream.next()) {
          expect(event).not.toHaveProperty('userId');
          types.push(String(event.type));
        }
        return types;
      };
      expect(await heard(streams.manager)).toEqual(['ticket', 'appointment', 'statement', 'monthly', 'monthly']);
      expect(await heard(streams.owner)).toEqual(['statement']);
      // The technician serves the property: its tickets are the technician's work (issue 14, work routing).
      expect(await heard(streams.technician)).toEqual(['ticket', 'appointment']);
      expect(await heard(streams.tenant)).toEqual(['ticket', 'appointment', 'monthly']);
      // The neighbour's stream carries none of it (and not the marker either: another flat's device).
      await notify(deviceEvent(f.neighbourDevice, 'yellow'));
      expect(await heard(streams.otherTenant)).toEqual([]);
    } finally {
      for (const stream of Object.values(streams)) stream.close();
    }
  });

  test('closing the page unsubscribes it', async () => {
    const before = liveHub().subscriberCount;
    const stream = await openStream(await cookieFor(f.manager));
    expect(liveHub().subscriberCount).toBe(before + 1);
    stream.close();
    expect(liveHub().subscriberCount).toBe(before);
  });

  test('a killed LISTEN connection is re-established and pages are told to resync', async () => {
    const manager = await openStream(await cookieFor(f.manager));
    try {
      await liveHub().ensureConnected();
      await database.sequelize.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'klarmeter-web-live' AND datname = current_database() AND pid <> pg_backend_pid()`,
      );
      expect(await manager.next()).toEqual({ type: 'resync' });
      await eventually(() => expect(liveHub().connected).toBe(true));
      await notify(deviceEvent(f.devices.red, 'green'));
      expect(await manager.next()).toMatchObject({ deviceId: f.devices.red.id, light: 'green' });
    } finally {
      manager.close();
    }
  });
});
