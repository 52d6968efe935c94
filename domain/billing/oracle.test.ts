// The fast integer engine against the rational reference engine (the engine of the first round,
// extended by the same rules): the same output, byte for byte, on generated buildings that use
// every rule, and on a large one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../validation';
import { buildingArbitrary } from './arbitraries';
import { computeBilling } from './engine';
import { computeBillingRational } from './rational-engine';
import type { BillingInput } from './types';

const outcome = (compute: (input: BillingInput) => unknown, input: unknown) => {
  try {
    return JSON.stringify(compute(input as BillingInput));
  } catch (error) {
    if (error instanceof ValidationError) return `rejected: ${error.message}`;
    throw error;
  }
};

describe('integer engine = rational engine', () => {
  it('gives the same result on random buildings (all rules: sections, agreed, §9 kinds, §9b(3), cuts, CO₂)', () => {
    fc.assert(
      fc.property(buildingArbitrary, (input) => {
        expect(outcome(computeBilling, input)).toBe(outcome(computeBillingRational, input));
      }),
      { numRuns: 1000 },
    );
  }, 180_000);

  it('gives the same result for larger buildings with many equal remainders (ties to the unit listed first)', () => {
    const value = (choices: number[]) => fc.constantFrom(...choices);
    const unit = fc.record({ area: value([50, 60, 60.5, 80]), heating: value([0, 100, 250, 333.3]), hotWater: value([0, 10, 12.345]) });
    fc.assert(
      fc.property(
        fc.array(unit, { minLength: 17, maxLength: 120 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 50, max: 70 }),
        (units, cents, share) => {
          const input = {
            period: { start: '2025-01-01', end: '2025-12-31' },
            heating: { cost: cents / 100, consumptionShare: share / 100 },
            hotWater: { cost: Math.floor(cents / 3) / 100, consumptionShare: 0.5 },
            units: units.map((u, index) => ({ id: `U${index}`, ...u })),
          };
          expect(outcome(computeBilling, input)).toBe(outcome(computeBillingRational, input));
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);

  it('gives the same result for 2 000 units with decimals of every length', () => {
    const units = Array.from({ length: 2000 }, (_, i) => ({
      id: `U${i}`,
      area: 30 + ((i * 37) % 900) / 10,
      heating: (i * 7919) % 3001,
      hotWater: ((i * 104729) % 40000) / 1000,
      coldWater: ((i * 1299709) % 900001) / 10000,
      estimated: i % 97 === 0 ? ['heating'] : [],
      cuts: i % 13 === 0 ? ['no-monthly-info'] : [],
    }));
    const input = {
      period: { start: '2025-01-01', end: '2025-12-31' },
      heating: { cost: 123456.78, consumptionShare: 0.65 },
      hotWater: { cost: 23456.79, consumptionShare: 0.5 },
      coldWater: { cost: 9876.54, consumptionShare: 0.85 },
      units,
      co2: { kg: 98765.4, cost: 4321.09, area: null },
    };
    expect(outcome(computeBilling, input)).toBe(outcome(computeBillingRational, input));
  }, 60_000);
});
