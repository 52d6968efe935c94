// The extended HKVO contract through a statement assembled from stored readings (real PostgreSQL):
// the §9 worked examples of shared/HKVO.md §1 for gross calorific value and Q from the area, a
// half-year CO₂ period, and a heating-only building.
import { afterAll, describe, expect, test } from 'vitest';
import { testDb } from '../tests/support/web';
import { createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';
import { previewStatement } from './statements';
import type { StatementData, StatementRequest } from '../domain/billing/statement';
import { renderStatementHtml, statementDocumentModel } from '../server/statement-documents';

const database = testDb();
afterAll(() => database.close());

/** The statement page of a unit as text, entities as the template escapes them. */
const pageOf = (statement: StatementData) =>
  renderStatementHtml(statementDocumentModel(statement, { unitId: statement.units[0]!.unitId, occupancyKey: null }, { standalone: false })!)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

/** The house with the handbook's plant: 3 400 l oil = 34 000 kWh for 3 253.50 €. */
function handbookPlant(f: StatementFixture, parameters: Partial<StatementRequest['parameters']>): StatementRequest {
  return {
    ...f.request,
    costs: [
      {
        kind: 'fuel',
        category: 'Erdgas',
        description: null,
        invoiceDate: null,
        amount: 3253.5,
        taxesAndLevies: null,
        kwh: 34000,
        litres: null,
      },
    ],
    parameters: { ...f.request.parameters, hotWaterM3Entered: 47.2, hotWaterTempC: 60, ...parameters },
  };
}

describe('§9(2) through a statement', () => {
  test('the handbook example: Q = 5 900 kWh, hot water 564.58 €, heating 2 688.92 €', async () => {
    const f = await createStatementFixture(database);
    const statement = (await previewStatement(database, handbookPlant(f, {})))!;
    expect(statement.summary.combined).toMatchObject({ hotWaterKwh: 5900, hotWaterCost: 564.58, heatingCost: 2688.92 });
  });

  test('gas on its gross calorific value: Q = 6 549 kWh, share 19.2618 %, hot water 626.68 €, heating 2 626.82 €', async () => {
    const f = await createStatementFixture(database);
    const statement = (await previewStatement(database, handbookPlant(f, { grossCalorific: true })))!;
    expect(statement.summary.combined).toEqual({
      hotWaterKwh: 6549,
      hotWaterKwhSource: 'formula',
      hotWaterShare: 0.192618,
      hotWaterCost: 626.68,
      heatingCost: 2626.82,
    });
    const cents = (type: 'heating' | 'hotWater') => statement.units.reduce((sum, u) => sum + Math.round(u.amounts[type] * 100), 0);
    expect([cents('heating'), cents('hotWater')]).toEqual([262682, 62668]);
    expect(pageOf(statement)).toContain(
      'Q = 2,5 kWh/(m³·K) × 47,2 m³ × (60 − 10) °C × 1,11 (Brennwert), von 34.000 kWh insgesamt 6.549,00 kWh',
    );
  });

  test('no volume, 700 m², district heating: Q = 22 400 / 1.15 = 19 478.26 kWh', async () => {
    const f = await createStatementFixture(database);
    const statement = (await previewStatement(
      database,
      handbookPlant(f, { hotWaterMethod: 'area', hotWaterM3Entered: null, heatedAreaM2: 700, districtHeating: true }),
    ))!;
    expect(statement.summary.combined?.hotWaterKwh).toBe(19478.26);
    expect(pageOf(statement)).toContain(
      'Q = 32 kWh/m² × 700,00 m² Wohnfläche (kein Warmwasservolumen gemessen, §9 Abs. 2 S. 4 HKVO) ÷ 1,15 (Fernwärme)',
    );
  });
});

test('CO₂ for 01.01.–30.09.2025 (273 days): 28.57 kg/m² falls in the shrunk band of 60 % → 540 of 900 €', async () => {
  const f = await createStatementFixture(database);
  const statement = (await previewStatement(database, {
    ...f.request,
    period: { start: '2025-01-01', end: '2025-09-30' },
    parameters: { ...f.request.parameters, co2Kg: 20000, co2Cost: 900, heatedAreaM2: 700 },
  }))!;
  expect(statement.summary.co2).toMatchObject({ landlordShare: 0.6, landlordCost: 540, tenantCost: 360 });
  const credits = statement.units.reduce((sum, u) => sum + Math.round(u.amounts.co2Credit * 100), 0);
  expect(credits).toBe(54000);
});

test('a heating-only building: the whole plant cost is heating, no water is billed, nothing asks for water readings', async () => {
  const f = await createStatementFixture(database);
  const statement = (await previewStatement(database, {
    ...f.request,
    parameters: { ...f.request.parameters, hotWaterMethod: 'none', coldWaterCost: 0 },
  }))!;
  expect(statement.summary.costTypes).toEqual(['heating']);
  expect(statement.summary.combined).toBeUndefined();
  const heating = statement.units.reduce((sum, u) => sum + Math.round(u.amounts.heating * 100), 0);
  expect(heating).toBe(Math.round(statement.summary.plant.cost * 100));
  for (const unit of statement.units) {
    expect([unit.amounts.hotWater, unit.amounts.coldWater]).toEqual([0, 0]);
    expect(unit.readings.every((r) => r.type === 'HKV')).toBe(true);
  }
  const page = pageOf(statement);
  expect(page).toContain('Keine zentrale Warmwasserbereitung: die Kosten der Heizanlage sind Heizkosten');
  expect(page).not.toContain('Warmwasser: ');
});
