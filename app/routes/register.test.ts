// The register's serial search through the page's loader with real sessions on real PostgreSQL,
// and device_light_counts (kept by triggers, read by the dashboard), which must equal a count of
// the rows themselves after every kind of change.
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDeviceFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { cookieFor, createWebFixture, dataOf, makeRequest, run, testDb, type WebFixture } from '../../tests/support/web';
import { aggregatedLightCounts } from '../../server/devices';
import { loader } from './geraete._index';

const database = testDb();
let f: WebFixture;
const cookies = {} as Record<'manager' | 'tenant' | 'owner', string>;

beforeAll(async () => {
  f = await createWebFixture(database);
  cookies.manager = await cookieFor(f.manager);
  cookies.tenant = await cookieFor(f.tenant);
  cookies.owner = await cookieFor(f.owner);
});

afterAll(async () => {
  await database.close();
});

async function register(cookie: string, query: string) {
  return dataOf(await run(loader, makeRequest(`/geraete${query}`, { cookie })));
}

/** The same counts, straight from the rows. */
async function scannedCounts(propertyId: number) {
  const rows = await database.sequelize.query<{ light: string | null; n: number }>(
    'SELECT light, count(*)::int AS n FROM devices WHERE property_id = :propertyId AND removed_at IS NULL GROUP BY light',
    { replacements: { propertyId }, type: QueryTypes.SELECT },
  );
  const counts = { red: 0, yellow: 0, green: 0, unknown: 0 };
  for (const { light, n } of rows) counts[(light ?? 'unknown') as keyof typeof counts] += n;
  return counts;
}

describe('serial search', () => {
  test('a prefix finds the device whatever the case and blanks; the counts are those of the matches', async () => {
    const serial = f.devices.yellow.serial; // HKV-<suffix>
    const typed = ` ${serial.slice(0, 7).toLowerCase()} `;
    const page = (await register(cookies.manager, `?serial=${encodeURIComponent(typed)}`)).page;
    expect(page.rows.map((r) => r.serial)).toContain(serial);
    expect(page.rows.every((r) => r.serial.toUpperCase().startsWith(serial.slice(0, 7).toUpperCase()))).toBe(true);
    const exact = (await register(cookies.manager, `?serial=${serial}`)).page;
    expect(exact.rows.map((r) => r.id)).toEqual([f.devices.yellow.id]);
    expect(exact.counts).toEqual({ red: 0, yellow: 1, green: 0, unknown: 0 });
    expect(exact.total).toBe(1);
  });

  test('LIKE wildcards are taken literally', async () => {
    for (const wildcard of ['%', '_', f.devices.yellow.serial.slice(0, 3) + '%']) {
      const page = (await register(cookies.manager, `?serial=${encodeURIComponent(wildcard)}`)).page;
      expect(page.rows).toEqual([]);
      expect(page.total).toBe(0);
    }
  });

  test('the search stays within the scope: an owner does not find the other property’s device; tenants have no register', async () => {
    const tenant = await run(loader, makeRequest(`/geraete?serial=${f.neighbourDevice.serial}`, { cookie: cookies.tenant }));
    expect(tenant.kind === 'response' && tenant.status).toBe(403);
    const foreign = (await register(cookies.owner, `?serial=${f.foreignDevice.serial}`)).page;
    expect(foreign.rows).toEqual([]);
    const managerSees = (await register(cookies.manager, `?serial=${f.foreignDevice.serial}`)).page;
    expect(managerSees.rows.map((r) => r.id)).toEqual([f.foreignDevice.id]);
  });

  test('the filter keeps its value in the page’s links', async () => {
    const data = await register(cookies.manager, '?serial=hkv');
    expect(data.filters.serial).toBe('HKV');
  });
});

describe('light counts from the aggregate', () => {
  test('equal the rows after inserts, light changes, removal and deletion', async () => {
    const property = f.otherProperty;
    const check = async () => {
      expect(await aggregatedLightCounts([property.id])).toEqual(await scannedCounts(property.id));
    };
    await check();
    const place = { property, unit: f.otherUnit };
    const added = await Promise.all(
      (['green', 'green', 'yellow', null] as const).map((light) =>
        createDeviceFixture(database, place, { light, serial: `AGG-${uniqueSuffix()}`, dueAt: '2031-01-01', deadlineKind: 'calibration' }),
      ),
    );
    await check();
    await added[0]!.update({ light: 'red' });
    await check();
    // A reading changes nothing counted.
    await added[1]!.update({ lastReadingAt: new Date(), lastReadingValue: 12.5 });
    await check();
    await added[2]!.update({ removedAt: new Date().toISOString().slice(0, 10) });
    await check();
    await database.sequelize.query('DELETE FROM devices WHERE id = :id', { replacements: { id: added[3]!.id } });
    await check();
    const byType = await aggregatedLightCounts([property.id], 'WZ-K');
    const [row] = await database.sequelize.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM devices WHERE property_id = :id AND type = 'WZ-K' AND removed_at IS NULL",
      { replacements: { id: property.id }, type: QueryTypes.SELECT },
    );
    expect(byType.red + byType.yellow + byType.green + byType.unknown).toBe(row!.n);
  });
});

describe('the register’s summary without a scan', () => {
  test('per property and type: the kept light counts and the meters of unknown calibration year equal the rows', async () => {
    const property = f.property;
    const place = { property, unit: f.unit };
    await createDeviceFixture(database, place, { light: 'green', calibratedYear: null, serial: `UNK-${uniqueSuffix()}` });
    await createDeviceFixture(database, place, { light: 'red', type: 'HKV', calibratedYear: null, serial: `HKV-${uniqueSuffix()}` });
    await createDeviceFixture(database, place, { light: 'yellow', serial: `KNOWN-${uniqueSuffix()}` });
    const [unknown] = await database.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM devices
        WHERE property_id = :id AND removed_at IS NULL AND calibrated_year IS NULL AND type IN ('WZ-K', 'WZ-W', 'WMZ', 'GZ')`,
      { replacements: { id: property.id }, type: QueryTypes.SELECT },
    );
    const { page } = await register(cookies.manager, `?property=${property.id}`);
    expect(page.counts).toEqual(await scannedCounts(property.id));
    // A heat cost allocator has no calibration year to know: it does not count.
    expect(page.calibrationYearUnknown).toBe(unknown!.n);
    expect(page.calibrationYearUnknown).toBeGreaterThanOrEqual(1);
    const byType = (await register(cookies.manager, `?property=${property.id}&type=HKV`)).page;
    expect(byType.calibrationYearUnknown).toBe(0);
    expect(byType.total).toBeGreaterThanOrEqual(1);
  });
});
