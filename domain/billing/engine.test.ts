// Every worked example of docs/rules.md §1 and the §2 contract example, to the cent, through both the
// fast integer engine and the rational reference engine.
import { describe, expect, it } from 'vitest';
import type { BillingResult, UnitResult } from './types';
import {
  amountsOf,
  bill as billFast,
  billRational,
  CONTRACT_OUTPUT,
  combinedPlant,
  contractInput,
  fixtureInput,
  fixtureUnits,
} from './test-fixtures';

const amounts = (heating: number, hotWater: number, coldWater = 0) => ({ heating, hotWater, coldWater });

describe.each<[string, (raw: unknown) => BillingResult]>([
  ['integer engine', billFast],
  ['rational engine', billRational],
])('%s', (_engine, bill) => {
  function unitAmounts(raw: unknown) {
    return amountsOf(bill(raw)).map(({ id, heating, hotWater, coldWater }) => ({ id, ...amounts(heating, hotWater, coldWater) }));
  }

  describe('§7 heating', () => {
    it('10 000 € at 70/30: 1.40 €/unit and 15 €/m² → A 2300, B 4700, C 3000', () => {
      const result = bill(fixtureInput());
      expect(amountsOf(result).map((unit) => [unit.id, unit.heating])).toEqual([
        ['A', 2300],
        ['B', 4700],
        ['C', 3000],
      ]);
      expect(result.units[0]!.derivation.heating).toMatchObject({ pricePerConsumptionUnit: 1.4, pricePerM2: 15, consumption: 1000 });
      expect(result.methods.heating).toBe('consumption');
    });

    it('at 50/50 → A 2500, B 4500, C 3000', () => {
      const result = bill(fixtureInput({ heating: { cost: 10000, consumptionShare: 0.5 } }));
      expect(result.units.map((unit) => unit.heating)).toEqual([2500, 4500, 3000]);
    });
  });

  describe('§8 hot water', () => {
    it('3 000 € at 50/50: 25 €/m³ and 7.50 €/m² → A 950, B 1350, C 700', () => {
      const result = bill(fixtureInput({ hotWater: { cost: 3000, consumptionShare: 0.5 } }));
      expect(result.units.map((unit) => unit.hotWater)).toEqual([950, 1350, 700]);
      expect(result.units[0]!.derivation.hotWater).toMatchObject({ pricePerConsumptionUnit: 25, pricePerM2: 7.5 });
    });
  });

  describe('cold water (BetrKV)', () => {
    it('defaults to 100 % by consumption', () => {
      const units = fixtureUnits().map((unit, index) => ({ ...unit, coldWater: [10, 30, 60][index] }));
      const result = bill(fixtureInput({ heating: { cost: 0, consumptionShare: 0.7 }, coldWater: { cost: 500 }, units }));
      expect(result.units.map((unit) => unit.coldWater)).toEqual([50, 150, 300]);
    });

    it('takes a configurable share, the rest by area', () => {
      const units = fixtureUnits().map((unit, index) => ({ ...unit, coldWater: [10, 30, 60][index] }));
      const result = bill(
        fixtureInput({ heating: { cost: 0, consumptionShare: 0.7 }, coldWater: { cost: 500, consumptionShare: 0 }, units }),
      );
      expect(result.units.map((unit) => unit.coldWater)).toEqual([150, 200, 150]);
    });
  });

  describe('§9 combined plant', () => {
    it('34 000 kWh, 3 253.50 €, 47.2 m³ at 60 °C → Q 5900 kWh, hot water 564.58, heating 2688.92', () => {
      const result = bill(
        fixtureInput({ heating: { consumptionShare: 0.7 }, hotWater: { cost: 0, consumptionShare: 0.5 }, combined: combinedPlant() }),
      );
      expect(result.combined).toEqual({
        hotWaterKwh: 5900,
        hotWaterShare: 0.173529,
        heatingCost: 2688.92,
        hotWaterCost: 564.58,
        hotWaterKwhSource: 'formula',
      });
      const sum = (key: 'heating' | 'hotWater') => result.units.reduce((total, unit) => total + Math.round(unit[key] * 100), 0);
      expect(sum('heating')).toBe(268892);
      expect(sum('hotWater')).toBe(56458);
    });

    it('district heating divides the formula by 1.15 → Q 5130.43 kWh', () => {
      const result = bill(fixtureInput({ heating: { consumptionShare: 0.7 }, combined: combinedPlant({ districtHeating: true }) }));
      expect(result.combined).toMatchObject({ hotWaterKwh: 5130.43, hotWaterShare: 0.150895 });
      // 3253.50 × 5130.434…/34000 = 490.94 (rounded half up)
      expect(result.combined).toMatchObject({ hotWaterCost: 490.94, heatingCost: 2762.56 });
    });

    it('a measured Q of 12 000 of 100 000 kWh gives a share of 12 %', () => {
      const plant = combinedPlant({ energyKwh: 100000, hotWaterKwh: 12000, cost: 10000 });
      const result = bill(fixtureInput({ heating: { consumptionShare: 0.7 }, combined: plant }));
      expect(result.combined).toEqual({
        hotWaterKwh: 12000,
        hotWaterShare: 0.12,
        heatingCost: 8800,
        hotWaterCost: 1200,
        hotWaterKwhSource: 'measured',
      });
    });
  });

  describe('§9a substitute values', () => {
    it('B estimated (40 % of the area) → heating by area only: A 3000, B 4000, C 3000, with a warning', () => {
      const units = fixtureUnits().map((unit) => (unit.id === 'B' ? { ...unit, estimated: ['heating'] } : unit));
      const result = bill(fixtureInput({ units }));
      expect(result.units.map((unit) => unit.heating)).toEqual([3000, 4000, 3000]);
      expect(result.methods).toEqual({ heating: 'area', hotWater: 'consumption', coldWater: 'consumption' });
      expect(result.warnings).toEqual([expect.stringContaining('heating: substitute values cover 40 % of the area')]);
      expect(result.units[1]!.derivation.heating).toMatchObject({ estimated: true, method: 'area', consumptionShare: 0 });
    });

    it('exactly 25 % estimated is still billed by consumption; just above falls back', () => {
      const units = (estimatedArea: number) => [
        { id: 'A', area: estimatedArea, heating: 1000, hotWater: 0, estimated: ['heating'] },
        { id: 'B', area: 100 - estimatedArea, heating: 3000, hotWater: 0 },
      ];
      const atLimit = bill(fixtureInput({ units: units(25) }));
      expect(atLimit.methods.heating).toBe('consumption');
      expect(atLimit.warnings).toEqual([]);
      // 7000 × 1/4 + 3000 × 25/100 = 2500
      expect(atLimit.units.map((unit) => unit.heating)).toEqual([2500, 7500]);
      const above = bill(fixtureInput({ units: units(25.01) }));
      expect(above.methods.heating).toBe('area');
      expect(above.units.map((unit) => unit.heating)).toEqual([2501, 7499]);
    });

    it('applies per cost type: estimated hot water leaves heating by consumption', () => {
      const units = fixtureUnits().map((unit) => (unit.id === 'B' ? { ...unit, estimated: ['hotWater'] } : unit));
      const result = bill(fixtureInput({ hotWater: { cost: 3000, consumptionShare: 0.5 }, units }));
      expect(result.methods).toEqual({ heating: 'consumption', hotWater: 'area', coldWater: 'consumption' });
      expect(unitAmounts(fixtureInput({ hotWater: { cost: 3000, consumptionShare: 0.5 }, units }))).toEqual([
        { id: 'A', ...amounts(2300, 900) },
        { id: 'B', ...amounts(4700, 1200) },
        { id: 'C', ...amounts(3000, 900) },
      ]);
    });

    it('falls back to area with a warning when a cost is to be billed by consumption but nothing was consumed', () => {
      const result = bill(fixtureInput({ heating: { cost: 0, consumptionShare: 0.7 }, coldWater: { cost: 200 } }));
      expect(result.methods.coldWater).toBe('area');
      expect(result.units.map((unit) => unit.coldWater)).toEqual([60, 80, 60]);
      expect(result.warnings).toEqual(['coldWater: no unit has any consumption, so coldWater is distributed by area only']);
    });
  });

  describe('§9b change of tenant', () => {
    it('produces the contract example exactly (A-1 1184.61 / 291.23, A-2 1115.39 / 658.77)', () => {
      const result = bill(contractInput());
      expect(result).toMatchObject(CONTRACT_OUTPUT);
      expect(Object.keys(result)).toEqual(['methods', 'units', 'warnings']);
      expect(result.units[1]).not.toHaveProperty('occupancies');
      expect(result.units[0]!.derivation.occupancies).toEqual([
        { id: 'A-1', from: '2025-01-01', to: '2025-03-15', days: 74, dayShare: 0.20274, degreeDayShare: 0.382903 },
        { id: 'A-2', from: '2025-03-16', to: '2025-12-31', days: 291, dayShare: 0.79726, degreeDayShare: 0.617097 },
      ]);
    });

    it('splits a shorter billing period by its own degree days', () => {
      // 1 Jan – 30 Jun: 170 + 150 + 130 + 80 + 40 + 13.33 = 583.33 ‰; January alone is 170 / 583.33 of it.
      const input = fixtureInput({ period: { start: '2025-01-01', end: '2025-06-30' }, heating: { cost: 5833.3, consumptionShare: 0.5 } });
      (input.units as Record<string, unknown>[])[0]!.occupancies = [
        { id: 'A-1', from: '2025-01-01', to: '2025-01-31', heating: 0, hotWater: 0 },
        { id: 'A-2', from: '2025-02-01', to: '2025-06-30', heating: 1000, hotWater: 20 },
      ];
      const unitA = bill(input).units[0]!;
      // Fixed heating part of A: 2916.65 × 60/200 = 874.995; A-1 gets 874.995 × 170/583.33 = 255.00.
      expect(unitA.occupancies?.[0]?.heating).toBe(255);
      expect(unitA.derivation.occupancies?.[0]?.degreeDayShare).toBe(0.29143);
    });
  });

  describe('§12 cuts', () => {
    const withCuts = (cuts: string[], extra: Record<string, unknown> = {}) =>
      fixtureInput({ units: fixtureUnits().map((unit) => (unit.id === 'A' ? { ...unit, cuts } : unit)), ...extra });

    it('15 % of a 2 300 € heating share → 1 955 €', () => {
      const unitA = bill(withCuts(['not-consumption-based'])).units[0];
      expect(unitA).toMatchObject({ heating: 2300, cut: 345, total: 1955 });
    });

    it('3 % → 2 231 €; two 3 % reasons add up to 6 %', () => {
      expect(bill(withCuts(['no-remote-reading'])).units[0]).toMatchObject({ cut: 69, total: 2231 });
      expect(bill(withCuts(['no-remote-reading', 'no-monthly-info'])).units[0]).toMatchObject({ cut: 138, total: 2162 });
    });

    it('cuts heating and hot water but not cold water, rounded half up; the others pay nothing more', () => {
      const units = fixtureUnits().map((unit) =>
        unit.id === 'A' ? { ...unit, coldWater: 10, cuts: ['no-monthly-info'] } : { ...unit, coldWater: 10 },
      );
      const input = fixtureInput({ hotWater: { cost: 3000.5, consumptionShare: 0.5 }, coldWater: { cost: 300 }, units });
      const [unitA, unitB] = bill(input).units as [UnitResult, UnitResult];
      // hot water A 950.1583 → 950.16 (largest remainder); base 3250.16 → 3 % = 97.5048 → 97.50
      expect(unitA).toMatchObject({ heating: 2300, hotWater: 950.16, coldWater: 100, cut: 97.5, total: 3252.66 });
      // 3 % of 2300 = 69.00 and 3 % of 950.16 = 28.5048 → 28.50, each rounded half up
      expect(unitA.derivation.cut).toEqual({
        reasons: ['no-monthly-info'],
        percent: 3,
        base: 3250.16,
        heating: { reasons: ['no-monthly-info'], percent: 3, base: 2300, cut: 69 },
        hotWater: { reasons: ['no-monthly-info'], percent: 3, base: 950.16, cut: 28.5 },
      });
      expect(unitB).toMatchObject({ hotWater: 1350.22, cut: 0, total: 6150.22 });
    });

    it('rounds the cut half up to cents', () => {
      // 15 % of 10.10 € = 1.515 € → 1.52 €
      const units = [{ id: 'A', area: 1, heating: 1, hotWater: 0, cuts: ['not-consumption-based'] }];
      expect(bill(fixtureInput({ heating: { cost: 10.1, consumptionShare: 0.7 }, units })).units[0]).toMatchObject({
        cut: 1.52,
        total: 8.58,
      });
    });

    it('splits each cost type’s cut between the occupancies by their amounts of that type', () => {
      const input = contractInput();
      (input.units as Record<string, unknown>[])[0]!.cuts = ['not-consumption-based'];
      const unitA = bill(input).units[0]!;
      // 15 % of 2300 = 345.00, 15 % of 950 = 142.50
      expect(unitA).toMatchObject({ cut: 487.5, total: 2762.5 });
      // heating 345 × 1184.61/2300 = 177.6915 → 177.69 and 167.3085 → 167.31 (largest remainder);
      // hot water 142.50 × 291.23/950 = 43.6845 → 43.68 and 98.8155 → 98.82
      expect(unitA.occupancies).toMatchObject([
        { id: 'A-1', cut: 221.37, total: 1254.47 },
        { id: 'A-2', cut: 266.13, total: 1508.03 },
      ]);
    });
  });

  describe('CO2KostAufG', () => {
    it('20 000 kg over 700 m² = 28.57 kg/m² → 40 % → 360 of 900 €', () => {
      const result = bill(fixtureInput({ co2: { kg: 20000, cost: 900, area: 700 } }));
      expect(result.co2).toEqual({ kgPerM2: 28.57, landlordShare: 0.4, landlordCost: 360, tenantCost: 540 });
      expect(Object.keys(result)).toEqual(['methods', 'units', 'warnings', 'co2']);
    });

    it('defaults the area to the units’ area', () => {
      // 5 000 kg over 200 m² = 25 kg/m² → 30 %
      expect(bill(fixtureInput({ co2: { kg: 5000, cost: 100.01 } })).co2).toEqual({
        kgPerM2: 25,
        landlordShare: 0.3,
        landlordCost: 30,
        tenantCost: 70.01,
      });
    });

    it('puts combined before co2 in the output', () => {
      const result = bill(
        fixtureInput({ heating: { consumptionShare: 0.7 }, combined: combinedPlant(), co2: { kg: 1, cost: 1, area: 1 } }),
      );
      expect(Object.keys(result)).toEqual(['methods', 'units', 'warnings', 'combined', 'co2']);
    });
  });

  describe('rounding', () => {
    it('100.00 € over three equal units → 33.34, 33.33, 33.33', () => {
      const units = ['A', 'B', 'C'].map((id) => ({ id, area: 50, heating: 10, hotWater: 0 }));
      const result = bill(fixtureInput({ heating: { cost: 100, consumptionShare: 0.5 }, units }));
      expect(result.units.map((unit) => unit.heating)).toEqual([33.34, 33.33, 33.33]);
    });

    it('prints amounts from whole cents (no 0.30000000000000004)', () => {
      const units = [
        { id: 'A', area: 1, heating: 1, hotWater: 0 },
        { id: 'B', area: 2, heating: 2, hotWater: 0 },
      ];
      const result = bill(fixtureInput({ heating: { cost: 0.9, consumptionShare: 0.5 }, units }));
      expect(result.units.map((unit) => unit.heating)).toEqual([0.3, 0.6]);
      expect(JSON.stringify(result.units.map((unit) => unit.total))).toBe('[0.3,0.6]');
    });
  });
  describe('§10 agreed consumption share', () => {
    it('"agreed": true allows 80 %: 1.60 €/unit and 10 €/m² → A 2200, B 4800, C 3000', () => {
      const result = bill(fixtureInput({ heating: { cost: 10000, consumptionShare: 0.8, agreed: true } }));
      expect(result.units.map((unit) => unit.heating)).toEqual([2200, 4800, 3000]);
      expect(result.units[0]!.derivation.heating).toMatchObject({ consumptionShare: 0.8, pricePerConsumptionUnit: 1.6, pricePerM2: 10 });
    });

    it('and up to 100 %: A 2000, B 5000, C 3000 (nothing by area)', () => {
      const result = bill(fixtureInput({ heating: { cost: 10000, consumptionShare: 1, agreed: true } }));
      expect(result.units.map((unit) => unit.heating)).toEqual([2000, 5000, 3000]);
      expect(result.units[0]!.derivation.heating.pricePerM2).toBe(0);
    });
  });

  describe('§9(2) factors and Q without a volume', () => {
    const combinedInput = (plant: Record<string, unknown>) =>
      fixtureInput({ heating: { consumptionShare: 0.7 }, hotWater: { consumptionShare: 0.5 }, combined: plant });

    it('gas on gross calorific value: Q = 5900 × 1.11 = 6549 kWh, share 19.2618 % → hot water 626.68, heating 2626.82', () => {
      const result = bill(combinedInput(combinedPlant({ grossCalorific: true })));
      expect(result.combined).toEqual({
        hotWaterKwh: 6549,
        hotWaterShare: 0.192618,
        heatingCost: 2626.82,
        hotWaterCost: 626.68,
        hotWaterKwhSource: 'formula',
      });
    });

    it('area 700 m², no volume, district heating: Q = 22 400 / 1.15 = 19 478.26 kWh', () => {
      const plant = { cost: 10000, energyKwh: 100000, hotWaterKwh: null, hotWaterM3: null, area: 700, districtHeating: true };
      // 10 000 € × 19 478.2608…/100 000 = 1947.826… → 1947.83
      expect(bill(combinedInput(plant)).combined).toEqual({
        hotWaterKwh: 19478.26,
        hotWaterShare: 0.194783,
        heatingCost: 8052.17,
        hotWaterCost: 1947.83,
        hotWaterKwhSource: 'area',
      });
    });

    it('without a volume and an area, Q = 32 kWh/m² × the units’ 200 m² = 6400 kWh', () => {
      // 3253.50 € × 6400/34 000 = 612.4235 → 612.42
      const result = bill(combinedInput(combinedPlant({ hotWaterM3: null })));
      expect(result.combined).toMatchObject({ hotWaterKwh: 6400, hotWaterShare: 0.188235, hotWaterCost: 612.42, heatingCost: 2641.08 });
    });

    it('gross calorific and area: 32 × 200 × 1.11 = 7104 kWh; a measured Q is never scaled', () => {
      expect(bill(combinedInput(combinedPlant({ hotWaterM3: null, grossCalorific: true }))).combined?.hotWaterKwh).toBe(7104);
      const measured = combinedPlant({ hotWaterKwh: 12000, energyKwh: 100000, grossCalorific: true, districtHeating: true });
      expect(bill(combinedInput(measured)).combined).toMatchObject({ hotWaterKwh: 12000, hotWaterShare: 0.12 });
    });

    it('hotWaterTempC defaults to 60 °C', () => {
      const { hotWaterTempC: _omitted, ...plant } = combinedPlant();
      expect(bill(combinedInput(plant)).combined).toMatchObject({ hotWaterKwh: 5900, hotWaterCost: 564.58, heatingCost: 2688.92 });
    });
  });

  describe('§9b(3) change of tenant without an intermediate reading', () => {
    it('splits A’s whole amount by the fixed keys: heating 880.68 / 1419.32, hot water 192.60 / 757.40', () => {
      const input = contractInput();
      const occupancies = (input.units as Record<string, unknown>[])[0]!.occupancies as Record<string, unknown>[];
      for (const occupancy of occupancies) {
        delete occupancy.heating;
        delete occupancy.hotWater;
      }
      const unitA = bill(input).units[0]!;
      expect(unitA).toMatchObject({ heating: 2300, hotWater: 950, total: 3250 });
      expect(unitA.occupancies).toEqual([
        { id: 'A-1', heating: 880.68, hotWater: 192.6, coldWater: 0, cut: 0, total: 1073.28 },
        { id: 'A-2', heating: 1419.32, hotWater: 757.4, coldWater: 0, cut: 0, total: 2176.72 },
      ]);
      expect(unitA.derivation.occupancies?.[0]?.fixedKeysOnly).toEqual(['heating', 'hotWater']);
    });

    it('splits cold water by days when the occupancies give none', () => {
      const input = contractInput();
      input.coldWater = { cost: 365, consumptionShare: 1 };
      const units = input.units as Record<string, unknown>[];
      units.forEach((unit, index) => (unit.coldWater = [10, 5, 5][index]));
      for (const occupancy of units[0]!.occupancies as Record<string, unknown>[]) delete occupancy.coldWater;
      // A: 365 € × 10/20 = 182.50 → by days 74/365 and 291/365: 37.00 / 145.50
      expect(bill(input).units[0]!.occupancies?.map((o) => o.coldWater)).toEqual([37, 145.5]);
    });
  });

  describe('§12 cuts per cost type', () => {
    const withCuts = (cuts: string[]) =>
      fixtureInput({
        hotWater: { cost: 3000, consumptionShare: 0.5 },
        units: fixtureUnits().map((unit) => (unit.id === 'A' ? { ...unit, cuts } : unit)),
      });

    it('hot water alone billed wrongly → 15 % of 950 € = 142.50, heating uncut', () => {
      const unitA = bill(withCuts(['not-consumption-based:hotWater'])).units[0]!;
      expect(unitA).toMatchObject({ heating: 2300, hotWater: 950, cut: 142.5, total: 3107.5 });
      expect(unitA.derivation.cut).toMatchObject({ percent: null, heating: { cut: 0, percent: 0 }, hotWater: { cut: 142.5, percent: 15 } });
    });

    it('heating alone billed wrongly → 345 € off heating only', () => {
      expect(bill(withCuts(['not-consumption-based:heating'])).units[0]).toMatchObject({ cut: 345, total: 2905 });
    });

    it('cuts of several reasons add up per cost type: heating 15 % + 3 %, hot water 3 % → 414 + 28.50', () => {
      const unitA = bill(withCuts(['not-consumption-based:heating', 'no-remote-reading'])).units[0]!;
      expect(unitA).toMatchObject({ cut: 442.5, total: 2807.5 });
      expect(unitA.derivation.cut.heating).toEqual({
        reasons: ['not-consumption-based', 'no-remote-reading'],
        percent: 18,
        base: 2300,
        cut: 414,
      });
    });

    it('rounds each cut half up to cents: 15 % of 0.30 € = 4.5 ct → 5 ct, 3 % = 0.9 ct → 1 ct', () => {
      const units = [{ id: 'A', area: 1, heating: 1, hotWater: 0, cuts: ['not-consumption-based', 'no-monthly-info'] }];
      expect(bill(fixtureInput({ heating: { cost: 0.3, consumptionShare: 0.7 }, units })).units[0]).toMatchObject({
        cut: 0.06,
        total: 0.24,
      });
    });
  });

  describe('a building without central hot water and cold-water billing', () => {
    it('bills heating alone: no hotWater section, no hot-water readings', () => {
      const input = {
        period: { start: '2025-01-01', end: '2025-12-31' },
        heating: { cost: 10000, consumptionShare: 0.7 },
        units: [
          { id: 'A', area: 60, heating: 1000 },
          { id: 'B', area: 80, heating: 2500 },
          { id: 'C', area: 60, heating: 1500, cuts: ['no-monthly-info'] },
        ],
      };
      const result = bill(input);
      expect(result.methods).toEqual({ heating: 'consumption', hotWater: 'consumption', coldWater: 'consumption' });
      expect(result.warnings).toEqual([]);
      expect(amountsOf(result)).toEqual([
        { id: 'A', heating: 2300, hotWater: 0, coldWater: 0, cut: 0, total: 2300 },
        { id: 'B', heating: 4700, hotWater: 0, coldWater: 0, cut: 0, total: 4700 },
        { id: 'C', heating: 3000, hotWater: 0, coldWater: 0, cut: 90, total: 2910 },
      ]);
    });
  });

  describe('CO2KostAufG for a period shorter than a year (§5(1) S.4)', () => {
    const co2 = (period: { start: string; end: string }, kg: number, area: number, cost = 900) =>
      bill(fixtureInput({ period, co2: { kg, cost, area } })).co2;

    it('28.57 kg/m² over 01.01.–30.09.2025 (273 days) → limits × 273/365 → 60 % → 540 of 900 €', () => {
      expect(co2({ start: '2025-01-01', end: '2025-09-30' }, 20000, 700)).toEqual({
        kgPerM2: 28.57,
        landlordShare: 0.6,
        landlordCost: 540,
        tenantCost: 360,
      });
    });

    it('a half year at 7 kg/m² → 12 × 181/365 = 5.95 ≤ 7 → 10 %', () => {
      expect(co2({ start: '2025-01-01', end: '2025-06-30' }, 7000, 1000)).toMatchObject({
        kgPerM2: 7,
        landlordShare: 0.1,
        landlordCost: 90,
      });
    });

    it('a whole leap year keeps the limits: 12 kg/m² over 2024 → 10 %', () => {
      expect(co2({ start: '2024-01-01', end: '2024-12-31' }, 12000, 1000)).toMatchObject({ landlordShare: 0.1 });
      expect(co2({ start: '2024-03-01', end: '2025-02-28' }, 11999, 1000)).toMatchObject({ kgPerM2: 11.99, landlordShare: 0 });
    });

    it('prints a value that never contradicts its band: 11.999 → 11.99 (0 %), not 12.00', () => {
      expect(co2({ start: '2025-01-01', end: '2025-12-31' }, 11999, 1000)).toMatchObject({ kgPerM2: 11.99, landlordShare: 0 });
      expect(co2({ start: '2025-01-01', end: '2025-12-31' }, 12000, 1000)).toMatchObject({ kgPerM2: 12, landlordShare: 0.1 });
    });

    it('and with scaled limits: 8.9752 below 12 × 273/365 = 8.97534 prints 8.97; 27.674 above 37 × 273/365 = 27.67397 prints 27.68', () => {
      const nineMonths = { start: '2025-01-01', end: '2025-09-30' };
      expect(co2(nineMonths, 89752, 10000)).toMatchObject({ kgPerM2: 8.97, landlordShare: 0 });
      expect(co2(nineMonths, 89754, 10000)).toMatchObject({ kgPerM2: 8.98, landlordShare: 0.1 });
      expect(co2(nineMonths, 276740, 10000)).toMatchObject({ kgPerM2: 27.68, landlordShare: 0.6 });
    });
  });
});
