// HKVO §6a for small buildings, through the monthly run against the real PostgreSQL: a property
// of two flats gets its average user from the organisation's units of the same size class (or the
// documented reference value), named in the published information and on the tenant's page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { User } from '../db';
import { createOrgFixture } from '../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture, publishFixtureMonth, type MonthlyFixture } from '../tests/support/monthly-fixtures';
import { cookieFor, createLoginUser, dataOf, makeRequest, run, testDb } from '../tests/support/web';
import { loader as consumptionLoader } from '../app/routes/verbrauch';

const database = testDb();
let f: MonthlyFixture;
let tenant: User;

beforeAll(async () => {
  const org = await createOrgFixture(database);
  tenant = await createLoginUser(database, org.organisation.id, 'tenant');
  f = await createMonthlyFixture(database, { org });
  // The tenant of the second, small property's first flat has a portal account.
  await database.models.Tenancy.update({ userId: tenant.id }, { where: { unitId: f.secondUnits[0]!.id } });
  await publishFixtureMonth(database, f);
});

afterAll(() => database.close());

const informationOf = (unitId: number) =>
  database.models.MonthlyInformation.findOne({ where: { unitId, month: `${FIXTURE_MONTH}-01` }, rejectOnEmpty: true });

describe('the average user of a building with two flats', () => {
  test('comes from the organisation’s flats of the same size class, named, and is shown on the tenant’s page', async () => {
    const first = await informationOf(f.secondUnits[0]!.id);
    // 50–70 m² in October 2026, measured: 64.5 m² (230 + 50 kWh), 60, 62 and 68 m² (180 + 50 kWh each, factor 5 kWh per
    // allocator unit) and this 70 m² flat (21 × 2 × 4.5 = 189 + 50 kWh, default factor); the flat with a gap does not count.
    // Heating 959 kWh and hot water 250 kWh over 324.5 m², scaled to 70 m²: 206.87 + 53.93 = 260.80 kWh.
    expect(first.content.comparisons.peers).toEqual({
      kwh: 260.8,
      changePercent: -8.36,
      units: 5,
      basis: 'organisation',
      classLabel: '50–70 m²',
      groupLabel: 'Wohnungen 50–70 m² aller Liegenschaften der Verwaltung, 5 Wohnungen',
    });
    expect(first.changePeers).toBe(-8.36);

    const page = dataOf(await run(consumptionLoader, makeRequest('/verbrauch', { cookie: await cookieFor(tenant) })));
    expect(page.information?.content.comparisons.peers?.groupLabel).toBe(
      'Wohnungen 50–70 m² aller Liegenschaften der Verwaltung, 5 Wohnungen',
    );
  });

  test('without enough comparable flats anywhere: the documented reference value, with its source', async () => {
    // 72 m² (70–90 m²): besides it only the 90 m² flat of the other property. October: heating 130 × 72 × 80 ‰ = 748.8 kWh,
    // hot water 32 × 72 × 31/365 = 195.68 kWh.
    const second = await informationOf(f.secondUnits[1]!.id);
    expect(second.content.comparisons.peers).toMatchObject({
      kwh: 944.48,
      units: 0,
      basis: 'reference',
      groupLabel: 'Referenzwert (zu wenige vergleichbare Wohnungen)',
      source: expect.stringContaining('Raumwärme 130 kWh/m²'),
    });
  });

  test('the large property keeps its own groups', async () => {
    const own = await informationOf(f.units.own.id);
    expect(own.content.comparisons.peers).toMatchObject({ basis: 'class', groupLabel: 'Wohnungen 50–70 m² im Haus, 4 Wohnungen' });
  });
});
