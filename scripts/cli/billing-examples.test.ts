// Every worked example of docs/rules.md §1–§2 through the real command, `npm run -s cli -- billing
// compute FILE`: the figures of the document, to the cent.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTRACT_OUTPUT, combinedPlant, contractInput, fixtureInput, fixtureUnits } from '../../domain/billing/test-fixtures';

const root = fileURLToPath(new URL('../..', import.meta.url));

type Output = {
  methods: Record<string, string>;
  units: Array<Record<string, number | string> & { occupancies?: Array<Record<string, number | string>> }>;
  warnings: string[];
  combined?: Record<string, number | string>;
  co2?: Record<string, number>;
};

/** Runs the command on the input (standard input, FILE "-") and returns its parsed output. */
function compute(input: unknown): Output {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'billing', 'compute', '-'], {
    cwd: root,
    input: JSON.stringify(input),
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Output;
}

const column = (output: Output, key: string) => output.units.map((unit) => unit[key]);
const withUnitA = (patch: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  fixtureInput({ units: fixtureUnits().map((unit) => (unit.id === 'A' ? { ...unit, ...patch } : unit)), ...extra });
const hotWater3000 = { hotWater: { cost: 3000, consumptionShare: 0.5 } };
const plantInput = (plant: Record<string, unknown>) => fixtureInput({ heating: { consumptionShare: 0.7 }, combined: plant });

describe('docs/rules.md §1–§2 worked examples through `billing compute`', { timeout: 300_000 }, () => {
  it('§7: 10 000 € at 70/30 → A 2300, B 4700, C 3000; at 50/50 → A 2500, B 4500, C 3000', () => {
    expect(column(compute(fixtureInput()), 'heating')).toEqual([2300, 4700, 3000]);
    expect(column(compute(fixtureInput({ heating: { cost: 10000, consumptionShare: 0.5 } })), 'heating')).toEqual([2500, 4500, 3000]);
  });

  it('§7/§10: a share above 0.7 only with "agreed": true (80/20 → A 2200, B 4800, C 3000); below 0.5 never', () => {
    expect(column(compute(fixtureInput({ heating: { cost: 10000, consumptionShare: 0.8, agreed: true } })), 'heating')).toEqual([
      2200, 4800, 3000,
    ]);
    for (const heating of [
      { cost: 10000, consumptionShare: 0.8 },
      { cost: 10000, consumptionShare: 0.45, agreed: true },
    ]) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'billing', 'compute', '-'], {
        cwd: root,
        input: JSON.stringify(fixtureInput({ heating })),
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^billing compute: heating\.consumptionShare: must be between 0\.5 and/);
    }
  });

  it('§8: 3 000 € hot water at 50/50 → A 950, B 1350, C 700', () => {
    expect(column(compute(fixtureInput(hotWater3000)), 'hotWater')).toEqual([950, 1350, 700]);
  });

  it('§9: 34 000 kWh for 3 253.50 €, V 47.2 m³, t_w 60 °C → Q 5 900 kWh, share 0.173529, hot water 564.58, heating 2 688.92', () => {
    expect(compute(plantInput(combinedPlant())).combined).toMatchObject({
      hotWaterKwh: 5900,
      hotWaterShare: 0.173529,
      heatingCost: 2688.92,
      hotWaterCost: 564.58,
    });
  });

  it('§9: district heating, same inputs → Q 5 130.43 kWh; measured 12 000 of 100 000 kWh → share 12 %', () => {
    expect(compute(plantInput(combinedPlant({ districtHeating: true }))).combined).toMatchObject({ hotWaterKwh: 5130.43 });
    expect(compute(plantInput(combinedPlant({ hotWaterKwh: 12000, energyKwh: 100000 }))).combined).toMatchObject({
      hotWaterKwh: 12000,
      hotWaterShare: 0.12,
    });
  });

  it('§9(2): gas on gross calorific value → Q 6 549 kWh, share 19.2618 %, hot water 626.68, heating 2 626.82', () => {
    expect(compute(plantInput(combinedPlant({ grossCalorific: true }))).combined).toMatchObject({
      hotWaterKwh: 6549,
      hotWaterShare: 0.192618,
      hotWaterCost: 626.68,
      heatingCost: 2626.82,
    });
  });

  it('§9(2) S.4: area 700 m², no volume, district heating → Q = 22 400 / 1.15 = 19 478.26 kWh; t_w defaults to 60 °C', () => {
    const plant = { cost: 10000, energyKwh: 100000, hotWaterM3: null, area: 700, districtHeating: true };
    expect(compute(plantInput(plant)).combined).toMatchObject({ hotWaterKwh: 19478.26 });
    const { hotWaterTempC: _default, ...withoutTemperature } = combinedPlant();
    expect(compute(plantInput(withoutTemperature)).combined).toMatchObject({ hotWaterKwh: 5900, hotWaterCost: 564.58 });
  });

  it('§9a: B estimated (40 % of the area) → by area: A 3000, B 4000, C 3000; exactly 25 % stays by consumption', () => {
    const output = compute(
      fixtureInput({ units: fixtureUnits().map((unit) => (unit.id === 'B' ? { ...unit, estimated: ['heating'] } : unit)) }),
    );
    expect(column(output, 'heating')).toEqual([3000, 4000, 3000]);
    expect(output.methods.heating).toBe('area');
    const quarter = compute(
      fixtureInput({
        units: [
          { id: 'A', area: 25, heating: 1000, hotWater: 0, estimated: ['heating'] },
          { id: 'B', area: 75, heating: 3000, hotWater: 0 },
        ],
      }),
    );
    expect(quarter.methods.heating).toBe('consumption');
  });

  it('§9b and §2: the contract example exactly (A-1 1184.61 / 291.23, A-2 1115.39 / 658.77)', () => {
    const output = compute(contractInput());
    expect(output).toMatchObject(CONTRACT_OUTPUT);
    expect(output.warnings).toEqual([]);
  });

  it('§9b(3): without an intermediate reading A’s heating 2 300 € → 880.68 / 1 419.32, hot water 950 € → 192.60 / 757.40', () => {
    const input = contractInput();
    const occupancies = (input.units as Record<string, unknown>[])[0]!.occupancies as Record<string, unknown>[];
    for (const occupancy of occupancies) {
      delete occupancy.heating;
      delete occupancy.hotWater;
    }
    expect(compute(input).units[0]!.occupancies).toMatchObject([
      { id: 'A-1', heating: 880.68, hotWater: 192.6 },
      { id: 'A-2', heating: 1419.32, hotWater: 757.4 },
    ]);
  });

  it('§12: 2 300 € heating → 1 955 € (−15 %) or 2 231 € (−3 %); hot water alone billed wrongly → 142.50; reasons add up', () => {
    expect(compute(withUnitA({ cuts: ['not-consumption-based'] })).units[0]).toMatchObject({ cut: 345, total: 1955 });
    expect(compute(withUnitA({ cuts: ['no-remote-reading'] })).units[0]).toMatchObject({ cut: 69, total: 2231 });
    expect(compute(withUnitA({ cuts: ['not-consumption-based:hotWater'] }, hotWater3000)).units[0]).toMatchObject({
      heating: 2300,
      hotWater: 950,
      cut: 142.5,
    });
    // heating 15 % + 3 % of 2300 = 414, hot water 3 % of 950 = 28.50; cold water is never cut
    expect(
      compute(
        withUnitA(
          { cuts: ['not-consumption-based:heating', 'no-monthly-info'], coldWater: 10 },
          { ...hotWater3000, coldWater: { cost: 100 } },
        ),
      ).units[0],
    ).toMatchObject({ cut: 442.5, coldWater: 100, total: 3250 + 100 - 442.5 });
  });

  it('CO2KostAufG: 20 000 kg over 700 m² = 28.57 → 40 % → 360 of 900 €; over 273 days → 60 % → 540 of 900 €', () => {
    expect(compute(fixtureInput({ co2: { kg: 20000, cost: 900, area: 700 } })).co2).toEqual({
      kgPerM2: 28.57,
      landlordShare: 0.4,
      landlordCost: 360,
      tenantCost: 540,
    });
    expect(
      compute(fixtureInput({ period: { start: '2025-01-01', end: '2025-09-30' }, co2: { kg: 20000, cost: 900, area: 700 } })).co2,
    ).toEqual({
      kgPerM2: 28.57,
      landlordShare: 0.6,
      landlordCost: 540,
      tenantCost: 360,
    });
  });

  it('CO2KostAufG: 11.999 kg/m² is printed 11.99 (band 0 %), never "12"', () => {
    expect(compute(fixtureInput({ co2: { kg: 11999, cost: 900, area: 1000 } })).co2).toMatchObject({ kgPerM2: 11.99, landlordShare: 0 });
  });

  it('rounding: 100.00 € over three equal units → 33.34, 33.33, 33.33', () => {
    const units = ['A', 'B', 'C'].map((id) => ({ id, area: 50, heating: 10, hotWater: 0 }));
    expect(column(compute(fixtureInput({ heating: { cost: 100, consumptionShare: 0.5 }, units })), 'heating')).toEqual([
      33.34, 33.33, 33.33,
    ]);
  });

  it('a heating-only building: no hotWater and coldWater sections, units without hot-water readings', () => {
    const output = compute({
      period: { start: '2025-01-01', end: '2025-12-31' },
      heating: { cost: 10000, consumptionShare: 0.7 },
      units: fixtureUnits().map(({ id, area, heating }) => ({ id, area, heating })),
    });
    expect(
      output.units.map(({ id, heating, hotWater, coldWater, cut, total }) => ({ id, heating, hotWater, coldWater, cut, total })),
    ).toEqual([
      { id: 'A', heating: 2300, hotWater: 0, coldWater: 0, cut: 0, total: 2300 },
      { id: 'B', heating: 4700, hotWater: 0, coldWater: 0, cut: 0, total: 4700 },
      { id: 'C', heating: 3000, hotWater: 0, coldWater: 0, cut: 0, total: 3000 },
    ]);
    expect(output.methods).toEqual({ heating: 'consumption', hotWater: 'consumption', coldWater: 'consumption' });
  });
});
