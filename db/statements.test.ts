// Statements against the real PostgreSQL of the test run: assembled from stored readings, stored as
// immutable versions, corrected into new versions.
import { afterAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { testDb } from '../tests/support/web';
import { CHANGE_A, CHANGE_D, createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';
import { ValidationError } from '../domain/validation';
import { loadStatement, previewStatement, saveStatement, statementVersions } from './statements';
import { boundaryValue, occupancySegments, type StatementData, type StatementUnitData } from '../domain/billing/statement';

const database = testDb();
afterAll(() => database.close());

const actorOf = (f: StatementFixture) => ({
  userId: f.org.managers[0].id,
  email: f.org.managers[0].email,
  organisationId: f.org.organisation.id,
});
const unitOf = (statement: StatementData, unitId: number): StatementUnitData => statement.units.find((u) => u.unitId === unitId)!;
const cents = (euros: number) => Math.round(euros * 100);
const sumCents = (values: number[]) => values.reduce((sum, v) => sum + cents(v), 0);

describe('assembling a statement from the stored readings', () => {
  test('consumption per unit from the readings at the period boundaries', async () => {
    const f = await createStatementFixture(database);
    const statement = (await previewStatement(database, f.request))!;
    expect(unitOf(statement, f.units.c.id).consumption).toEqual({ heating: 1500, hotWater: 10, coldWater: 25 });
    expect(unitOf(statement, f.units.c.id).estimated).toEqual([]);
    expect(statement.summary.plant).toMatchObject({
      cost: 11000,
      energyKwh: 100000,
      hotWaterM3: 60,
      hotWaterM3Source: 'meters',
      taxesAndLevies: 2000,
      meteringFees: 700,
    });
    // §9: Q = 2.5 × 60 m³ × 50 K = 7 500 kWh of 100 000 → 7.5 % of 11 000 €.
    expect(statement.summary.combined).toMatchObject({ hotWaterKwh: 7500, hotWaterCost: 825, heatingCost: 10175 });
    expect(statement.summary.methods).toEqual({ heating: 'consumption', hotWater: 'consumption', coldWater: 'consumption' });
    for (const [type, cost] of [
      ['heating', 10175],
      ['hotWater', 825],
      ['coldWater', 1000],
    ] as const) {
      expect(sumCents(statement.units.map((u) => u.amounts[type]))).toBe(cents(cost));
    }
  });

  test('a unit without an end reading gets a marked substitute value (§9a): the others’ average per m² × its area', async () => {
    const f = await createStatementFixture(database);
    const b = unitOf((await previewStatement(database, f.request))!, f.units.b.id);
    const perM2 = (1000 + 1500 + 2000) / (64.5 + 60 + 70);
    expect(b.estimated).toEqual(['heating']);
    expect(b.consumption.heating).toBe(Math.round(perM2 * 40 * 1000) / 1000);
    expect(b.substitutes.heating).toMatchObject({ method: 'average-per-m2', perM2: Math.round(perM2 * 1000) / 1000 });
    expect(b.substitutes.heating!.devices).toHaveLength(1);
    expect(b.readings.find((r) => r.type === 'HKV')).toMatchObject({ problem: 'missing-end', consumption: null });
    expect(b.derivation.heating.estimated).toBe(true);
  });

  test('a change of tenant with an intermediate reading splits consumption by the readings (§9b)', async () => {
    const f = await createStatementFixture(database);
    const a = unitOf((await previewStatement(database, f.request))!, f.units.a.id);
    expect(a.occupancies.map((o) => [o.tenantName, o.from, o.to])).toEqual([
      ['Paul Altmieter', '2025-01-01', '2025-03-15'],
      ['Anna Neumieter', CHANGE_A, '2025-12-31'],
    ]);
    expect(a.occupancies.map((o) => o.consumption)).toEqual([
      { heating: 300, hotWater: 4, coldWater: 5 },
      { heating: 700, hotWater: 16, coldWater: 25 },
    ]);
    expect(a.occupancies.every((o) => o.fixedKeysOnly.length === 0)).toBe(true);
    for (const type of ['heating', 'hotWater', 'coldWater', 'co2Credit', 'amountDue'] as const) {
      expect(sumCents(a.occupancies.map((o) => o.amounts[type]))).toBe(cents(a.amounts[type]));
    }
    expect(a.readings.find((r) => r.type === 'HKV')!.intermediate).toEqual([
      { day: CHANGE_A, value: { value: 400, readOn: CHANGE_A, how: 'reading' } },
    ]);
  });

  test('a change of tenant without an intermediate reading is split by the fixed keys and flagged (§9b(3))', async () => {
    const f = await createStatementFixture(database);
    const d = unitOf((await previewStatement(database, f.request))!, f.units.d.id);
    expect(d.occupancies.map((o) => o.from)).toEqual(['2025-01-01', CHANGE_D]);
    expect(d.occupancies.every((o) => o.fixedKeysOnly.length === 3)).toBe(true);
    // Heating by degree days: January–June are 583.33 of 1 000 ‰, so 2 000 units → 1 166.66 / 833.34
    // in whole thousandths that add up exactly; hot water by days (181 of 365).
    expect(d.occupancies.map((o) => o.consumption.heating)).toEqual([1166.66, 833.34]);
  });

  test('the landlord’s CO2 share is credited to the units and adds up exactly', async () => {
    const f = await createStatementFixture(database);
    const statement = (await previewStatement(database, f.request))!;
    // 20 000 kg over 234.5 m² = 85.29 kg/m² → 95 % of 900 €.
    expect(statement.summary.co2).toMatchObject({ kgPerM2: 85.29, landlordShare: 0.95, landlordCost: 855, tenantCost: 45 });
    expect(sumCents(statement.units.map((u) => u.amounts.co2Credit))).toBe(cents(855));
    for (const unit of statement.units)
      expect(cents(unit.amounts.amountDue)).toBe(cents(unit.amounts.total) - cents(unit.amounts.co2Credit));
  });

  test('input errors name the field in German', async () => {
    const f = await createStatementFixture(database);
    const request = { ...f.request, costs: [{ ...f.request.costs[0]!, kwh: null }] };
    const error = await previewStatement(database, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'costs[0].kwh' });
    expect((error as Error).message).toMatch(/Energiemenge/);
  });
});

describe('boundary values and occupancies (pure)', () => {
  const point = (day: string, value: number, setDateValue: number | null = null) => ({
    day,
    at: Date.parse(`${day}T04:00:00Z`),
    value,
    setDateValue,
  });

  test('a reading on the day, else late the day before, else at a set date the stored set-date value', () => {
    expect(boundaryValue([point('2026-01-01', 7)], '2026-01-01', true)).toEqual({ value: 7, readOn: '2026-01-01', how: 'reading' });
    expect(boundaryValue([point('2025-12-31', 6)], '2026-01-01', true)).toEqual({ value: 6, readOn: '2025-12-31', how: 'reading' });
    expect(boundaryValue([point('2026-01-03', 9, 7)], '2026-01-01', true)).toEqual({ value: 7, readOn: '2026-01-03', how: 'set-date' });
    expect(boundaryValue([point('2026-01-03', 9, 7)], '2026-01-01', false)).toBeNull();
    expect(boundaryValue([point('2026-02-05', 9, 7)], '2026-01-01', true)).toBeNull();
  });

  test('tenancies are clipped to the period and gaps become vacancies', () => {
    const segments = occupancySegments(
      [
        { id: 1, tenantName: 'Alt', startsOn: '2010-01-01', endsOn: '2025-04-30' },
        { id: 2, tenantName: 'Neu', startsOn: '2025-06-01', endsOn: null },
      ],
      { start: '2025-01-01', end: '2025-12-31' },
    );
    expect(segments.map((s) => [s.key, s.tenantName, s.from, s.to])).toEqual([
      ['T1', 'Alt', '2025-01-01', '2025-04-30'],
      ['L1', null, '2025-05-01', '2025-05-31'],
      ['T2', 'Neu', '2025-06-01', '2025-12-31'],
    ]);
  });
});

describe('stored statements', () => {
  test('a correction makes version 2 under the same document number; version 1 stays readable', async () => {
    const f = await createStatementFixture(database);
    const v1 = await saveStatement(database, f.request, actorOf(f));
    expect(v1.stored).toMatchObject({ version: 1, status: 'draft', supersedesId: null });
    expect(v1.stored!.documentNumber).toMatch(/^DOC-\d{4}-\d{5}$/);

    const corrected = {
      ...f.request,
      costs: [{ ...f.request.costs[0]!, amount: 12000 }, ...f.request.costs.slice(1)],
      correctionReason: 'Gasrechnung korrigiert',
    };
    const v2 = await saveStatement(database, corrected, actorOf(f));
    expect(v2.stored).toMatchObject({ version: 2, supersedesId: v1.stored!.id, correctionReason: 'Gasrechnung korrigiert' });
    expect(v2.stored!.documentNumber).toBe(v1.stored!.documentNumber);
    expect(v2.summary.plant.cost).toBe(13000);

    const reread = (await loadStatement(database, v1.stored!.id))!;
    expect(reread.summary.plant.cost).toBe(11000);
    expect(reread.units).toEqual(v1.units);
    expect(reread.costs).toEqual(f.request.costs);
    expect((await statementVersions(database, f.property.id, f.request.period)).map((v) => v.version)).toEqual([2, 1]);
  });

  test('the stored statement equals its preview, and creating it is audited', async () => {
    const f = await createStatementFixture(database);
    const preview = (await previewStatement(database, f.request))!;
    const stored = await saveStatement(database, f.request, actorOf(f));
    expect(stored.units).toEqual(preview.units);
    expect(stored.summary).toEqual(preview.summary);
    const entry = await database.models.AuditEntry.findOne({ where: { entity: 'statement', entityId: String(stored.stored!.id) } });
    expect(entry).toMatchObject({ action: 'statement_created', actorId: f.org.managers[0].id });
    expect(entry!.details).toMatchObject({ version: 1, documentNumber: stored.stored!.documentNumber });
  });

  describe('immutability', () => {
    const query = (sql: string, id: number) => database.sequelize.query(sql, { replacements: { id } });

    // The application role is refused by its privileges; the triggers stand behind them for the owner.
    test.each([
      ['UPDATE statement_unit_results SET total = 0 WHERE statement_id = :id', /permission denied/],
      ['DELETE FROM statement_unit_results WHERE statement_id = :id', /permission denied/],
      ['UPDATE statement_occupancies SET amount_due = 0 WHERE statement_id = :id', /permission denied/],
      ['UPDATE statement_keys SET heating = 0 WHERE statement_id = :id', /permission denied/],
      ['DELETE FROM statement_costs WHERE statement_id = :id', /permission denied/],
      ["UPDATE statements SET summary = '{}' WHERE id = :id", /permission denied/],
      ["UPDATE statements SET status = 'approved', version = 9 WHERE id = :id", /permission denied/],
      ['DELETE FROM statements WHERE id = :id', /permission denied/],
    ])('%s raises', async (sql, message) => {
      const f = await createStatementFixture(database);
      const { stored } = await saveStatement(database, f.request, actorOf(f));
      await expect(query(sql, stored!.id)).rejects.toThrow(message);
    });

    test('the status may change (the lifecycle moves it), nothing else', async () => {
      const f = await createStatementFixture(database);
      const { stored } = await saveStatement(database, f.request, actorOf(f));
      await query("UPDATE statements SET status = 'approved', status_changed_at = now() WHERE id = :id", stored!.id);
      const [row] = await database.sequelize.query<{ status: string }>('SELECT status FROM statements WHERE id = :id', {
        replacements: { id: stored!.id },
        type: QueryTypes.SELECT,
      });
      expect(row!.status).toBe('approved');
    });
  });
});
