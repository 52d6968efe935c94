// Test data shared by the billing tests: the fixture and the contract example of docs/rules.md §1–2.
import { computeBilling } from './engine';
import { computeBillingRational } from './rational-engine';
import { parseBillingInput } from './parse';
import type { BillingResult, UnitResult } from './types';

export const PERIOD_2025 = { start: '2025-01-01', end: '2025-12-31' };

/** Units A, B, C of the docs/rules.md §1 fixture (200 m², 5000 heating units, 60 m³ hot water). */
export function fixtureUnits(): Record<string, unknown>[] {
  return [
    { id: 'A', area: 60, heating: 1000, hotWater: 20, coldWater: 0 },
    { id: 'B', area: 80, heating: 2500, hotWater: 30, coldWater: 0 },
    { id: 'C', area: 60, heating: 1500, hotWater: 10, coldWater: 0 },
  ];
}

/** The fixture with the given costs (euros) and consumption shares; fields in `extra` override. */
export function fixtureInput(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    period: PERIOD_2025,
    heating: { cost: 10000, consumptionShare: 0.7 },
    hotWater: { cost: 0, consumptionShare: 0.5 },
    coldWater: { cost: 0, consumptionShare: 1 },
    units: fixtureUnits(),
    ...extra,
  };
}

/** The input of docs/rules.md §2, verbatim. */
export function contractInput(): Record<string, unknown> {
  return {
    period: { start: '2025-01-01', end: '2025-12-31' },
    heating: { cost: 10000, consumptionShare: 0.7 },
    hotWater: { cost: 3000, consumptionShare: 0.5 },
    coldWater: { cost: 0, consumptionShare: 1.0 },
    units: [
      {
        id: 'A',
        area: 60,
        heating: 1000,
        hotWater: 20,
        coldWater: 0,
        estimated: [],
        cuts: [],
        occupancies: [
          { id: 'A-1', from: '2025-01-01', to: '2025-03-15', heating: 600, hotWater: 8, coldWater: 0 },
          { id: 'A-2', from: '2025-03-16', to: '2025-12-31', heating: 400, hotWater: 12, coldWater: 0 },
        ],
      },
      { id: 'B', area: 80, heating: 2500, hotWater: 30, coldWater: 0 },
      { id: 'C', area: 60, heating: 1500, hotWater: 10, coldWater: 0 },
    ],
  };
}

/** The output of docs/rules.md §2, verbatim; results may carry more keys (derivation, occupancy cut). */
export const CONTRACT_OUTPUT = {
  methods: { heating: 'consumption', hotWater: 'consumption', coldWater: 'consumption' },
  units: [
    {
      id: 'A',
      heating: 2300,
      hotWater: 950,
      coldWater: 0,
      cut: 0,
      total: 3250,
      occupancies: [
        { id: 'A-1', heating: 1184.61, hotWater: 291.23, coldWater: 0, total: 1475.84 },
        { id: 'A-2', heating: 1115.39, hotWater: 658.77, coldWater: 0, total: 1774.16 },
      ],
    },
    { id: 'B', heating: 4700, hotWater: 1350, coldWater: 0, cut: 0, total: 6050 },
    { id: 'C', heating: 3000, hotWater: 700, coldWater: 0, cut: 0, total: 3700 },
  ],
  warnings: [],
};

/** The §9 example plant: 34 000 kWh for 3 253.50 €, 47.2 m³ heated to 60 °C. */
export function combinedPlant(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { cost: 3253.5, energyKwh: 34000, hotWaterKwh: null, hotWaterM3: 47.2, hotWaterTempC: 60, districtHeating: false, ...extra };
}

/** Raw JSON-like input through the same path as the CLI. */
export function bill(raw: unknown): BillingResult {
  return computeBilling(parseBillingInput(raw));
}

/** A unit's amounts without its derivation, for compact expectations. */
export function amountsOf(result: BillingResult): Omit<UnitResult, 'occupancies' | 'derivation'>[] {
  return result.units.map(({ id, heating, hotWater, coldWater, cut, total }) => ({ id, heating, hotWater, coldWater, cut, total }));
}

/** The same through the reference engine on exact fractions. */
export function billRational(raw: unknown): BillingResult {
  return computeBillingRational(parseBillingInput(raw));
}
