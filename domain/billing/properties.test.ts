// Invariants over generated buildings, checked with arithmetic of their own (not the engine's):
// amounts add up to the cent, cuts follow §12 per cost type, occupancies add up to their unit and
// without readings follow the day key, and input is either rejected with a ValidationError or
// fully billed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysBetween } from '../dates';
import { ValidationError } from '../validation';
import { buildingArbitrary, type RawInput } from './arbitraries';
import { parseBillingInput } from './parse';
import { COST_TYPES, CUT_PERCENT, CUT_RULES, type BillingInput, type BillingResult, type CostType } from './types';
import { bill } from './test-fixtures';

const cents = (euros: number) => Math.round(euros * 100);
const sumCents = (values: number[]) => values.reduce((sum, value) => sum + cents(value), 0);

/** What each cost type has to add up to: the input's cost, or the §9 split's share of the plant. */
function costCents(input: BillingInput, result: BillingResult, type: CostType): number {
  if (result.combined && type !== 'coldWater') {
    return cents(type === 'heating' ? result.combined.heatingCost : result.combined.hotWaterCost);
  }
  return cents(input[type]?.cost ?? 0);
}

/** §12 by hand: every (reason, cost type) pair is rounded half up on its own, then added. */
function expectedCutCents(cuts: readonly string[], heating: number, hotWater: number): number {
  let total = 0;
  for (const cut of cuts) {
    const rule = CUT_RULES[cut as keyof typeof CUT_RULES];
    for (const type of rule.costTypes) {
      const base = BigInt(type === 'heating' ? heating : hotWater);
      total += Number((base * BigInt(CUT_PERCENT[rule.reason]) * 2n + 100n) / 200n);
    }
  }
  return total;
}

/** Largest remainder of `total` cents by integer weights, written out plainly. */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = BigInt(weights.reduce((a, b) => a + b, 0));
  const exact = weights.map((weight) => BigInt(total) * BigInt(weight));
  const floors = exact.map((value) => Number(value / sum));
  const order = exact
    .map((value, index) => ({ index, remainder: value % sum }))
    .sort((a, b) => (a.remainder > b.remainder ? -1 : a.remainder < b.remainder ? 1 : a.index - b.index));
  let missing = total - floors.reduce((a, b) => a + b, 0);
  for (const { index } of order) if (missing-- > 0) floors[index]! += 1;
  return floors;
}

/** The invariants every result satisfies. */
function checkInvariants(raw: unknown, result: BillingResult): void {
  const input = parseBillingInput(raw);
  for (const type of COST_TYPES) {
    expect(sumCents(result.units.map((unit) => unit[type]))).toBe(costCents(input, result, type));
    if (!input[type] && !(input.combined && type !== 'coldWater')) expect(result.units.every((unit) => unit[type] === 0)).toBe(true);
  }
  if (result.combined) {
    expect(cents(result.combined.heatingCost) + cents(result.combined.hotWaterCost)).toBe(cents(input.combined?.cost ?? Number.NaN));
  }
  result.units.forEach((unit, unitIndex) => {
    const unitInput = input.units[unitIndex]!;
    expect(cents(unit.cut)).toBe(expectedCutCents(unitInput.cuts, cents(unit.heating), cents(unit.hotWater)));
    expect(cents(unit.total)).toBe(cents(unit.heating) + cents(unit.hotWater) + cents(unit.coldWater) - cents(unit.cut));
    for (const amount of [unit.heating, unit.hotWater, unit.coldWater, unit.cut, unit.total]) {
      expect(String(amount)).toMatch(/^-?\d+(\.\d{1,2})?$/);
    }
    if (!unit.occupancies) return;
    for (const key of [...COST_TYPES, 'cut', 'total'] as const) {
      expect(sumCents(unit.occupancies.map((occupancy) => occupancy[key]))).toBe(cents(unit[key]));
    }
    // §9b(3): water without intermediate readings is split by days alone. The occupancies share
    // the unit's exact amount, which is within a cent of its rounded one, and are rounded again:
    // each lies within 2 cents of rounded amount × days / period days.
    const days = unitInput.occupancies.map(({ from, to }) => daysBetween(from, to) + 1);
    const periodDays = days.reduce((a, b) => a + b, 0);
    for (const type of ['hotWater', 'coldWater'] as const) {
      if (unitInput.occupancies[0]![type] !== null) continue;
      unit.occupancies.forEach((occupancy, j) => {
        expect(Math.abs(cents(occupancy[type]) * periodDays - cents(unit[type]) * days[j]!)).toBeLessThan(2 * periodDays);
      });
    }
  });
}

describe('billing invariants', () => {
  it('each cost type’s amounts sum to its cost to the cent; cuts per cost type; occupancies sum to their unit', () => {
    fc.assert(
      fc.property(buildingArbitrary, (input) => {
        checkInvariants(input, bill(input));
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('with a consumption share of 100 % (agreed), amounts follow consumption alone', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 12 }), euros(), (readings, cost) => {
        fc.pre(readings.some((value) => value > 0));
        const units = readings.map((heating, index) => ({ id: `U${index}`, area: 10 + index, heating }));
        const result = bill({
          period: { start: '2025-01-01', end: '2025-12-31' },
          heating: { cost, consumptionShare: 1, agreed: true },
          units,
        });
        expect(result.units.map((unit) => cents(unit.heating))).toEqual(largestRemainder(cents(cost), readings));
      }),
    );
  });

  it('rejected input never yields output: mutated input is billed completely or fails with a ValidationError', () => {
    const anyValue = fc.oneof(fc.anything(), fc.double(), fc.integer({ min: -5, max: 5 }), fc.constant(undefined), fc.string());
    fc.assert(
      fc.property(buildingArbitrary, fc.nat(), fc.nat(), anyValue, (building, pathSeed, keySeed, value) => {
        const input = structuredClone(building);
        const target = pickObject(input, pathSeed);
        const keys = Object.keys(target);
        target[keys[keySeed % keys.length]!] = value;
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
  }, 120_000);

  it('arbitrary JSON is rejected with a ValidationError, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        expect(() => bill(raw)).toThrow(ValidationError);
      }),
    );
  });
});

function euros() {
  return fc.integer({ min: 0, max: 100_000_000 }).map((value) => value / 100);
}

/** Some object nested in `root` (itself included), chosen by `seed`. */
function pickObject(root: RawInput, seed: number): RawInput {
  const objects: RawInput[] = [];
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    if (!Array.isArray(value)) objects.push(value as RawInput);
    Object.values(value).forEach(visit);
  };
  visit(root);
  return objects[seed % objects.length]!;
}
