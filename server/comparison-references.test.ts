// HKVO §6a reference values through the settings page and the monthly run against the real
// PostgreSQL: a small building without comparable flats is compared with the organisation's
// documented value, or with its own property's, and the published information says which.
import { afterAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createOrgFixture } from '../tests/support/fixtures';
import { FIXTURE_MONTH, createMonthlyFixture, publishFixtureMonth, type MonthlyFixture } from '../tests/support/monthly-fixtures';
import { cookieFor, createLoginUser, dataOf, makeRequest, run, testDb } from '../tests/support/web';
import { action, loader } from '../app/routes/einstellungen.vergleichswert';

const database = testDb();
afterAll(() => database.close());

const PATH = '/einstellungen/vergleichswert';

async function fixtureWithManager(): Promise<{ f: MonthlyFixture; cookie: string }> {
  const org = await createOrgFixture(database);
  const manager = await createLoginUser(database, org.organisation.id, 'manager');
  return { f: await createMonthlyFixture(database, { org }), cookie: await cookieFor(manager) };
}

const save = (cookie: string, form: Record<string, string>) => run(action, makeRequest(PATH, { cookie, form }));

const peersOf = async (unitId: number) =>
  (await database.models.MonthlyInformation.findOne({ where: { unitId, month: `${FIXTURE_MONTH}-01` }, rejectOnEmpty: true })).content
    .comparisons.peers;

const storedRows = (organisationId: number) =>
  database.sequelize.query<{ propertyId: number | null }>(
    'SELECT property_id AS "propertyId" FROM comparison_references WHERE organisation_id = :organisationId',
    { replacements: { organisationId }, type: QueryTypes.SELECT },
  );

describe('the §6a reference value', () => {
  test('the organisation’s documented value replaces the default, named with its source', async () => {
    const { f, cookie } = await fixtureWithManager();
    const saved = dataOf(
      await save(cookie, { scope: 'organisation', heatingKwhPerM2Year: '100', hotWaterKwhPerM2Year: '20', source: 'Energieausweise 2025' }),
    );
    expect(saved.ok).toBe(true);
    await publishFixtureMonth(database, f);
    // The 72 m² flat has no comparable flats (70–90 m²) anywhere. October: heating 100 × 72 × 80 ‰ = 576 kWh,
    // hot water 20 × 72 × 31/365 = 122.30 kWh.
    expect(await peersOf(f.secondUnits[1]!.id)).toMatchObject({
      kwh: 698.3,
      basis: 'reference',
      units: 0,
      source: 'Referenzwert der Verwaltung: Raumwärme 100 kWh/m² und Jahr, Warmwasser 20 kWh/m² und Jahr (Quelle: Energieausweise 2025)',
    });
    // A flat with a comparison group keeps it.
    expect(await peersOf(f.secondUnits[0]!.id)).toMatchObject({ basis: 'organisation' });
    const page = dataOf(await run(loader, makeRequest(PATH, { cookie })));
    expect(page.organisation).toEqual({ heatingKwhPerM2Year: 100, hotWaterKwhPerM2Year: 20, source: 'Energieausweise 2025' });
    expect(page.settingsPages.map((p) => p.to)).toContain(PATH);
  });

  test('a property’s own value wins over the organisation’s; removing it falls back', async () => {
    const { f, cookie } = await fixtureWithManager();
    await save(cookie, { scope: 'organisation', heatingKwhPerM2Year: '100', hotWaterKwhPerM2Year: '20', source: 'Energieausweise 2025' });
    const saved = dataOf(
      await save(cookie, {
        scope: String(f.secondProperty.id),
        heatingKwhPerM2Year: '60',
        hotWaterKwhPerM2Year: '15',
        source: 'Energieausweis Zweitstraße',
      }),
    );
    expect(saved.ok).toBe(true);
    await publishFixtureMonth(database, f);
    // Heating 60 × 72 × 80 ‰ = 345.6 kWh, hot water 15 × 72 × 31/365 = 91.73 kWh.
    expect(await peersOf(f.secondUnits[1]!.id)).toMatchObject({
      kwh: 437.33,
      basis: 'reference',
      source:
        'Referenzwert für diese Liegenschaft: Raumwärme 60 kWh/m² und Jahr, Warmwasser 15 kWh/m² und Jahr (Quelle: Energieausweis Zweitstraße)',
    });
    const page = dataOf(await run(loader, makeRequest(PATH, { cookie })));
    expect(page.properties.find((p) => p.id === f.secondProperty.id)?.reference).toMatchObject({ heatingKwhPerM2Year: 60 });

    expect(dataOf(await save(cookie, { scope: String(f.secondProperty.id), intent: 'reset' })).ok).toBe(true);
    expect((await storedRows(f.organisation.id)).map((r) => r.propertyId)).toEqual([null]);
    expect(await database.models.AuditEntry.count({ where: { entity: 'comparison-reference', organisationId: f.organisation.id } })).toBe(
      3,
    );
  });

  test('invalid input names its field and stores nothing; another organisation’s property is refused', async () => {
    const { f, cookie } = await fixtureWithManager();
    const zero = dataOf(await save(cookie, { scope: 'organisation', heatingKwhPerM2Year: '0', hotWaterKwhPerM2Year: '20', source: 'x' }));
    expect(zero).toMatchObject({ ok: false, field: 'heatingKwhPerM2Year' });
    expect(zero.message).toContain('Raumwärme (kWh/m² und Jahr)');
    const noSource = dataOf(
      await save(cookie, { scope: 'organisation', heatingKwhPerM2Year: '90', hotWaterKwhPerM2Year: '20', source: ' ' }),
    );
    expect(noSource).toMatchObject({ ok: false, field: 'source' });
    const other = await createOrgFixture(database);
    const foreign = dataOf(
      await save(cookie, { scope: String(other.property.id), heatingKwhPerM2Year: '90', hotWaterKwhPerM2Year: '20', source: 'x' }),
    );
    expect(foreign).toMatchObject({ ok: false, field: 'propertyId' });
    expect(await storedRows(f.organisation.id)).toEqual([]);
    expect(await storedRows(other.organisation.id)).toEqual([]);
  });
});
