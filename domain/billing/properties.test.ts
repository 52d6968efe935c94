// Invariants over generated buildings: amounts add up to the cent, occupancies to their unit, and
// input is either rejected with a ValidationError or fully billed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../dates';
import { ValidationError } from '../validation';
import { parseBillingInput } from './parse';
import { COST_TYPES, CUT_PERCENT, CUT_REASONS, type BillingInput, type BillingResult, type CostType } from './types';
import { bill } from './test-fixtures';

const cents = (euros: number) => Math.round(euros * 100);
const sumCents = (values: number[]) => values.reduce((sum, value) => sum + cents(value), 0);

const euros = (max: number) => fc.integer({ min: 0, max }).map((value) => value / 100);
const reading = fc.integer({ min: 0, max: 100_000 });
const readings = fc.record({ heating: reading, hotWater: reading, coldWater: reading });

/** A unit whose occupancies (possibly none) split `days` days and whose readings are their sum. */
function unitArbitrary(start: string, days: number) {
  return fc
    .record({
      area: fc.integer({ min: 1, max: 50_000 }).map((value) => value / 100),
      estimated: fc.subarray([...COST_TYPES]),
      cuts: fc.subarray(CUT_REASONS),
      boundaries: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, days - 1) }), { maxLength: Math.min(4, days - 1) }),
      occupancyReadings: fc.array(readings, { minLength: 5, maxLength: 5 }),
      ownReadings: readings,
      hasOccupancies: fc.boolean(),
    })
    .map(({ area, estimated, cuts, boundaries, occupancyReadings, ownReadings, hasOccupancies }) => {
      if (!hasOccupancies) {
        return { area, estimated, cuts, ...tenths(ownReadings) };
      }
      const starts = [0, ...boundaries.sort((a, b) => a - b)];
      const occupancies = starts.map((offset, index) => ({
        id: `O${index}`,
        from: addDays(start, offset),
        to: addDays(start, (starts[index + 1] ?? days) - 1),
        ...tenths(occupancyReadings[index]),
      }));
      const total = (type: CostType) => occupancyReadings.slice(0, starts.length).reduce((sum, r) => sum + r[type], 0);
      return {
        area,
        estimated,
        cuts,
        ...tenths({ heating: total('heating'), hotWater: total('hotWater'), coldWater: total('coldWater') }),
        occupancies,
      };
    });
}

/** Readings with one decimal, so that sums stay exact decimals. */
function tenths(values: Record<CostType, number>): Record<CostType, number> {
  return { heating: values.heating / 10, hotWater: values.hotWater / 10, coldWater: values.coldWater / 10 };
}

const buildingArbitrary = fc
  .record({ startOffset: fc.integer({ min: 0, max: 2000 }), days: fc.integer({ min: 1, max: 800 }) })
  .chain(({ startOffset, days }) => {
    const start = addDays('2020-01-01', startOffset);
    return fc.record({
      period: fc.constant({ start, end: addDays(start, days - 1) }),
      heating: fc.record({ cost: euros(10_000_000), consumptionShare: fc.integer({ min: 50, max: 70 }).map((v) => v / 100) }),
      hotWater: fc.record({ cost: euros(1_000_000), consumptionShare: fc.integer({ min: 50, max: 70 }).map((v) => v / 100) }),
      coldWater: fc.record({ cost: euros(1_000_000), consumptionShare: fc.integer({ min: 0, max: 100 }).map((v) => v / 100) }),
      units: fc
        .array(unitArbitrary(start, days), { minLength: 1, maxLength: 8 })
        .map((units) => units.map((unit, index) => ({ id: `U${index}`, ...unit }))),
      combined: fc.option(
        fc.record({
          cost: euros(10_000_000),
          energyKwh: fc.integer({ min: 1000, max: 1_000_000 }),
          hotWaterKwh: fc.integer({ min: 0, max: 1000 }),
        }),
        { nil: undefined },
      ),
    });
  })
  .map(({ combined, ...input }) =>
    combined
      ? {
          ...input,
          combined,
          heating: { consumptionShare: input.heating.consumptionShare },
          hotWater: { cost: 0, consumptionShare: input.hotWater.consumptionShare },
        }
      : input,
  );

type Building = fc.Arbitrary<typeof buildingArbitrary extends fc.Arbitrary<infer T> ? T : never>;

/** What each cost type has to add up to: the input's cost, or the §9 split's share of the plant. */
function costCents(input: BillingInput, result: BillingResult, type: CostType): number {
  if (result.combined && type !== 'coldWater') {
    return cents(type === 'heating' ? result.combined.heatingCost : result.combined.hotWaterCost);
  }
  return cents(input[type].cost);
}

/** The invariants every result satisfies. */
function checkInvariants(raw: unknown, result: BillingResult): void {
  const input = parseBillingInput(raw);
  for (const type of COST_TYPES) {
    expect(sumCents(result.units.map((unit) => unit[type]))).toBe(costCents(input, result, type));
  }
  if (result.combined) {
    expect(cents(result.combined.heatingCost) + cents(result.combined.hotWaterCost)).toBe(cents(input.combined?.cost ?? Number.NaN));
  }
  result.units.forEach((unit) => {
    const percent = unit.derivation.cut.reasons.reduce((sum, reason) => sum + CUT_PERCENT[reason], 0);
    expect(cents(unit.cut)).toBe(Math.floor(((cents(unit.heating) + cents(unit.hotWater)) * percent) / 100 + 0.5));
    expect(cents(unit.total)).toBe(cents(unit.heating) + cents(unit.hotWater) + cents(unit.coldWater) - cents(unit.cut));
    for (const amount of [unit.heating, unit.hotWater, unit.coldWater, unit.cut, unit.total]) {
      expect(Number.isInteger(amount * 100) || Math.abs(amount * 100 - cents(amount)) < 1e-6).toBe(true);
      expect(String(amount)).toMatch(/^-?\d+(\.\d{1,2})?$/);
    }
    if (!unit.occupancies) return;
    for (const key of [...COST_TYPES, 'cut', 'total'] as const) {
      expect(sumCents(unit.occupancies.map((occupancy) => occupancy[key]))).toBe(cents(unit[key]));
    }
  });
}

describe('billing invariants', () => {
  it('each cost type’s amounts sum to its cost to the cent; occupancies sum to their unit', () => {
    fc.assert(
      fc.property(buildingArbitrary as Building, (input) => {
        checkInvariants(input, bill(input));
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('rejected input never yields output: mutated input is billed completely or fails with a ValidationError', () => {
    const anyValue = fc.oneof(fc.anything(), fc.double(), fc.integer({ min: -5, max: 5 }), fc.constant(undefined), fc.string());
    fc.assert(
      fc.property(buildingArbitrary as Building, fc.nat(), fc.nat(), anyValue, (building, pathSeed, keySeed, value) => {
        const input = structuredClone(building) as Record<string, unknown>;
        const target = pickObject(input, pathSeed);
        const keys = Object.keys(target);
        target[keys[keySeed % keys.length]] = value;
        let result: BillingResult | undefined;
        try {
          result = bill(input);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return;
        }
        checkInvariants(input, result);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('arbitrary JSON is rejected with a ValidationError, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        expect(() => bill(raw)).toThrow(ValidationError);
      }),
    );
  });
});

/** Some object nested in `root` (itself included), chosen by `seed`. */
function pickObject(root: Record<string, unknown>, seed: number): Record<string, unknown> {
  const objects: Record<string, unknown>[] = [];
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    if (!Array.isArray(value)) objects.push(value as Record<string, unknown>);
    Object.values(value).forEach(visit);
  };
  visit(root);
  return objects[seed % objects.length];
}
