// Roles and scope, checked the way a browser meets them: loaders and actions called with a
// Request that carries a real session cookie.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  closeWebResources,
  createLoginUser,
  cookieFor,
  createWebFixture,
  dataOf,
  makeRequest,
  run,
  testDb,
  type WebFixture,
} from '../../tests/support/web';
import { createDeviceFixture } from '../../tests/support/fixtures';
import { loader as indexLoader } from './_index';
import { loader as registerLoader } from './geraete._index';
import { loader as csvLoader } from './geraete[.]csv';
import { loader as deviceLoader } from './geraete.$id';
import { loader as propertiesLoader } from './liegenschaften._index';
import { loader as propertyLoader } from './liegenschaften.$id';
import { loader as myFlatLoader } from './meine-wohnung';
import { action as notificationsAction, loader as notificationsLoader } from './benachrichtigungen';
import { action as loginAction } from './login';
import { action as logoutAction } from './logout';

const database = testDb();
let f: WebFixture;
const cookies: Record<'manager' | 'owner' | 'tenant' | 'otherTenant' | 'technician', string> = {} as never;

beforeAll(async () => {
  f = await createWebFixture(database);
  cookies.manager = await cookieFor(f.manager);
  cookies.owner = await cookieFor(f.owner);
  cookies.tenant = await cookieFor(f.tenant);
  cookies.otherTenant = await cookieFor(f.otherTenant);
  cookies.technician = await cookieFor(f.technician);
});

afterAll(closeWebResources);

describe('without a session', () => {
  test.each([
    ['/geraete', registerLoader, {}],
    ['/liegenschaften', propertiesLoader, {}],
    ['/meine-wohnung', myFlatLoader, {}],
    ['/benachrichtigungen', notificationsLoader, {}],
  ] as const)('%s redirects to the login page and back', async (path, loader, params) => {
    const outcome = await run(loader, makeRequest(`${path}?x=1`), params);
    expect(outcome.kind === 'response' && outcome.status).toBe(302);
    if (outcome.kind === 'response')
      expect(outcome.response.headers.get('Location')).toBe(`/login?redirectTo=${encodeURIComponent(`${path}?x=1`)}`);
  });

  test('a forged or foreign cookie counts as none', async () => {
    const outcome = await run(registerLoader, makeRequest('/geraete', { cookie: '__klarmeter=eyJhIjoxfQ%3D%3D.forged' }));
    expect(outcome.kind === 'response' && outcome.response.headers.get('Location')).toMatch(/^\/login/);
  });
});

describe('tenant', () => {
  test('lands on its flat and sees exactly its unit’s devices', async () => {
    const home = await run(indexLoader, makeRequest('/', { cookie: cookies.tenant }));
    expect(home.kind === 'response' && home.response.headers.get('Location')).toBe('/meine-wohnung');
    const { units } = dataOf(await run(myFlatLoader, makeRequest('/meine-wohnung', { cookie: cookies.tenant })));
    expect(units).toHaveLength(1);
    expect(units[0]!.tenancy.unitId).toBe(f.unit.id);
    expect(units[0]!.devices.map((d) => d.id).sort()).toEqual(
      Object.values(f.devices)
        .map((d) => d.id)
        .sort(),
    );
    expect(units[0]!.status).toBe('red');
  });

  test('opens its own device', async () => {
    const { device } = dataOf(
      await run(deviceLoader, makeRequest(`/geraete/${f.devices.red.id}`, { cookie: cookies.tenant }), { id: String(f.devices.red.id) }),
    );
    expect(device.serial).toBe(f.devices.red.serial);
  });

  test.each([
    ['another unit in the same house', () => f.neighbourDevice.id],
    ['another property', () => f.foreignDevice.id],
    ['a device that does not exist', () => 999_999_999],
  ])('asking for a device in %s gets 404', async (_case, id) => {
    const outcome = await run(deviceLoader, makeRequest(`/geraete/${id()}`, { cookie: cookies.tenant }), { id: String(id()) });
    expect(outcome.kind === 'response' && outcome.status).toBe(404);
  });

  test('cannot open the register, the CSV export or the property overview', async () => {
    for (const [loader, path] of [
      [registerLoader, '/geraete'],
      [csvLoader, '/geraete.csv'],
      [propertiesLoader, '/liegenschaften'],
    ] as const) {
      const outcome = await run(loader, makeRequest(path, { cookie: cookies.tenant }));
      expect(outcome.kind === 'response' && outcome.status, path).toBe(403);
    }
  });

  test('loses sight of the unit when the tenancy has ended', async () => {
    const tenancy = await database.models.Tenancy.findOne({ where: { userId: f.otherTenant.id } });
    await tenancy!.update({ endsOn: '2021-12-31' });
    try {
      const outcome = await run(deviceLoader, makeRequest(`/geraete/${f.neighbourDevice.id}`, { cookie: cookies.otherTenant }), {
        id: String(f.neighbourDevice.id),
      });
      expect(outcome.kind === 'response' && outcome.status).toBe(404);
      const { units } = dataOf(await run(myFlatLoader, makeRequest('/meine-wohnung', { cookie: cookies.otherTenant })));
      expect(units).toEqual([]);
    } finally {
      await tenancy!.update({ endsOn: null });
    }
  });
});

describe('owner', () => {
  test('sees only its own properties', async () => {
    const { properties } = dataOf(await run(propertiesLoader, makeRequest('/liegenschaften', { cookie: cookies.owner })));
    expect(properties.map((p) => p.id)).toEqual([f.property.id]);
    const outcome = await run(propertyLoader, makeRequest(`/liegenschaften/${f.otherProperty.id}`, { cookie: cookies.owner }), {
      id: String(f.otherProperty.id),
    });
    expect(outcome.kind === 'response' && outcome.status).toBe(404);
  });

  test('register and devices are limited to its properties, even when filtering for another', async () => {
    const all = dataOf(await run(registerLoader, makeRequest('/geraete', { cookie: cookies.owner })));
    expect(all.page.rows.every((row) => row.propertyId === f.property.id)).toBe(true);
    expect(all.page.total).toBe(4);
    const forged = dataOf(await run(registerLoader, makeRequest(`/geraete?property=${f.otherProperty.id}`, { cookie: cookies.owner })));
    expect(forged.page.rows).toEqual([]);
    const outcome = await run(deviceLoader, makeRequest(`/geraete/${f.foreignDevice.id}`, { cookie: cookies.owner }), {
      id: String(f.foreignDevice.id),
    });
    expect(outcome.kind === 'response' && outcome.status).toBe(404);
  });

  test('property detail omits tenant names', async () => {
    const { units, withTenants } = dataOf(
      await run(propertyLoader, makeRequest(`/liegenschaften/${f.property.id}`, { cookie: cookies.owner }), { id: String(f.property.id) }),
    );
    expect(withTenants).toBe(false);
    expect(units.every((u) => u.tenantName === undefined)).toBe(true);
  });
});

describe('technician', () => {
  test('sees the devices of assigned properties only', async () => {
    const { page } = dataOf(await run(registerLoader, makeRequest('/geraete', { cookie: cookies.technician })));
    expect(new Set(page.rows.map((r) => r.propertyId))).toEqual(new Set([f.property.id]));
    const outcome = await run(propertiesLoader, makeRequest('/liegenschaften', { cookie: cookies.technician }));
    expect(outcome.kind === 'response' && outcome.status).toBe(403);
  });
});

describe('manager', () => {
  test('overview: counts per light, status and next action per property', async () => {
    const { properties } = dataOf(await run(propertiesLoader, makeRequest('/liegenschaften', { cookie: cookies.manager })));
    const own = properties.find((p) => p.id === f.property.id)!;
    expect(own).toMatchObject({ unitCount: 2, deviceCount: 4, counts: { red: 1, yellow: 1, green: 2, unknown: 0 }, status: 'red' });
    expect(own.nextAction).toMatchObject({ serial: f.devices.red.serial, deadlineKind: 'calibration', dueAt: '2024-12-31' });
    expect(properties.map((p) => p.id).sort()).toEqual([f.property.id, f.otherProperty.id].sort());
  });

  test('property detail lists units with their tenants', async () => {
    const { units } = dataOf(
      await run(propertyLoader, makeRequest(`/liegenschaften/${f.property.id}`, { cookie: cookies.manager }), {
        id: String(f.property.id),
      }),
    );
    expect(units.map((u) => [u.label, u.deviceCount, u.worst, u.tenantName])).toEqual([
      ['Whg. 1.03', 3, 'red', f.tenant.name],
      ['Whg. 2.01', 1, 'green', f.otherTenant.name],
    ]);
  });

  test('register: filters by property, type and light; sorted by due date; counts ignore the light filter', async () => {
    const { page } = dataOf(await run(registerLoader, makeRequest(`/geraete?property=${f.property.id}`, { cookie: cookies.manager })));
    expect(page.rows.map((r) => r.dueAt)).toEqual(['2024-12-31', '2030-03-01', '2031-12-31', '2031-12-31']);
    const red = dataOf(await run(registerLoader, makeRequest(`/geraete?property=${f.property.id}&light=red`, { cookie: cookies.manager })));
    expect(red.page.rows.map((r) => r.id)).toEqual([f.devices.red.id]);
    expect(red.page.counts).toEqual({ red: 1, yellow: 1, green: 2, unknown: 0 });
    expect(red.page.total).toBe(1);
    const hkv = dataOf(
      await run(registerLoader, makeRequest(`/geraete?property=${f.property.id}&type=HKV&light=bogus`, { cookie: cookies.manager })),
    );
    expect(hkv.page.rows.map((r) => r.id)).toEqual([f.devices.yellow.id]);
    expect(hkv.filters.light).toBeNull();
  });

  test('register pages hold 50 devices', async () => {
    const units = Array.from({ length: 55 }, (_, i) => ({ dueAt: `2040-01-${String((i % 28) + 1).padStart(2, '0')}` }));
    for (const { dueAt } of units)
      await createDeviceFixture(
        database,
        { property: f.otherProperty, unit: f.otherUnit },
        { light: 'green', dueAt, deadlineKind: 'calibration' },
      );
    const first = dataOf(await run(registerLoader, makeRequest(`/geraete?property=${f.otherProperty.id}`, { cookie: cookies.manager })));
    expect(first.page).toMatchObject({ total: 56, page: 1, pageCount: 2 });
    expect(first.page.rows).toHaveLength(50);
    const second = dataOf(
      await run(registerLoader, makeRequest(`/geraete?property=${f.otherProperty.id}&page=2`, { cookie: cookies.manager })),
    );
    expect(second.page.rows).toHaveLength(6);
    expect(new Set([...first.page.rows, ...second.page.rows].map((r) => r.id)).size).toBe(56);
  });

  test('CSV export: BOM, semicolons, German labels, same filters; ?format=csv redirects there', async () => {
    const outcome = await run(csvLoader, makeRequest(`/geraete.csv?property=${f.property.id}&light=yellow`, { cookie: cookies.manager }));
    if (outcome.kind !== 'response') throw new Error('expected a response');
    expect(outcome.response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await outcome.response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM (text() would strip it)
    const lines = new TextDecoder().decode(bytes).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Seriennummer;Gerätetyp;Liegenschaft;Wohneinheit;Einbauort;Eingebaut am;Eichjahr;Frist;Fällig am;Batterie (%);Funk;Ampel',
    );
    expect(lines.slice(1)).toEqual([
      `${f.devices.yellow.serial};Heizkostenverteiler;${f.property.name};Whg. 1.03;Wohnzimmer;02.01.${new Date().getUTCFullYear()};;Austausch;01.03.2030;20;Gut;Warnung`,
    ]);
    const alias = await run(registerLoader, makeRequest(`/geraete?format=csv&light=red`, { cookie: cookies.manager }));
    expect(alias.kind === 'response' && alias.response.headers.get('Location')).toBe('/geraete.csv?light=red');
    const audit = await database.models.AuditEntry.findOne({ where: { action: 'export', actorId: f.manager.id } });
    expect(audit?.details).toMatchObject({ format: 'csv', rows: 1 });
  });

  test('device detail shows the exchange chain and degrades without a workflow', async () => {
    const place = { property: f.property, unit: f.unit };
    const old = await createDeviceFixture(database, place, { installedAt: '2015-03-01', removedAt: '2021-05-31' });
    const current = await createDeviceFixture(database, place, { installedAt: '2021-06-01', predecessorId: old.id });
    await old.update({ successorId: current.id });
    const { history, workflow } = dataOf(
      await run(deviceLoader, makeRequest(`/geraete/${old.id}`, { cookie: cookies.manager }), { id: String(old.id) }),
    );
    expect(history.map((h) => [h.id, h.position, h.removedAt])).toEqual([
      [old.id, 0, '2021-05-31'],
      [current.id, 1, null],
    ]);
    expect(workflow.available).toBe(false);
    const fromNew = dataOf(
      await run(deviceLoader, makeRequest(`/geraete/${current.id}`, { cookie: cookies.manager }), { id: String(current.id) }),
    );
    expect(fromNew.history.map((h) => h.position)).toEqual([-1, 0]);
  });

  test('a manager of another organisation sees none of it', async () => {
    const stranger = await createLoginUser(
      database,
      (await database.models.Organisation.create({ name: 'Fremdverwaltung' })).id,
      'manager',
    );
    const cookie = await cookieFor(stranger);
    const outcome = await run(deviceLoader, makeRequest(`/geraete/${f.devices.red.id}`, { cookie }), { id: String(f.devices.red.id) });
    expect(outcome.kind === 'response' && outcome.status).toBe(404);
    const { page } = dataOf(await run(registerLoader, makeRequest('/geraete', { cookie })));
    expect(page.total).toBe(0);
  });
});

describe('notifications and CSRF', () => {
  test('marking read works for one’s own notifications only', async () => {
    const { Notification } = database.models;
    const mine = await Notification.create({
      userId: f.manager.id,
      kind: 'deadline',
      title: 'Eichfrist',
      body: 'bald',
      link: null,
      dedupeKey: `n-${Date.now()}-a`,
    });
    const theirs = await Notification.create({
      userId: f.owner.id,
      kind: 'deadline',
      title: 'Eichfrist',
      body: 'bald',
      link: null,
      dedupeKey: `n-${Date.now()}-b`,
    });
    await run(notificationsAction, makeRequest('/benachrichtigungen', { cookie: cookies.manager, form: { id: String(theirs.id) } }));
    await run(notificationsAction, makeRequest('/benachrichtigungen', { cookie: cookies.manager, form: { id: String(mine.id) } }));
    await Promise.all([mine.reload(), theirs.reload()]);
    expect(mine.readAt).not.toBeNull();
    expect(theirs.readAt).toBeNull();
  });

  test.each([
    ['another site as Origin', { origin: 'https://evil.example' }],
    ['no Origin and no Referer', { origin: null }],
    ['a malformed Origin', { origin: 'not a url' }],
  ])('POST with %s is rejected with 403', async (_case, { origin }) => {
    const notification = await database.models.Notification.create({
      userId: f.manager.id,
      kind: 'x',
      title: 't',
      body: 'b',
      link: null,
      dedupeKey: `csrf-${Date.now()}-${Math.random()}`,
    });
    const forms = [
      [notificationsAction, '/benachrichtigungen', { cookie: cookies.manager, form: { id: String(notification.id) }, origin }],
      [logoutAction, '/logout', { cookie: cookies.manager, form: {}, origin }],
      [loginAction, '/login', { form: { email: f.manager.email, password: 'x' }, origin }],
    ] as const;
    for (const [action, path, options] of forms) {
      const outcome = await run(action, makeRequest(path, options));
      expect(outcome.kind === 'response' && outcome.status, path).toBe(403);
    }
    await notification.reload();
    expect(notification.readAt).toBeNull();
  });

  test('a same-origin Referer is accepted when Origin is missing', async () => {
    const request = makeRequest('/benachrichtigungen', {
      cookie: cookies.manager,
      form: { intent: 'read-all' },
      origin: null,
      referer: 'http://klarmeter.test/benachrichtigungen',
    });
    expect(dataOf(await run(notificationsAction, request))).toMatchObject({ ok: true });
  });
});
