// splitByWeights (whole doubles where exact, BigInt beyond) against the rational reference
// splitCents: the same cents for every total and weights, ties to the first listed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCents } from './allocate';
import { splitByWeights } from './engine';
import { Ratio } from './ratio';

const reference = (total: number, weights: readonly number[]) =>
  splitCents(
    BigInt(total),
    weights.map((weight) => Ratio.of(weight)),
  ).map(Number);

describe('splitByWeights', () => {
  it('matches the rational reference for small and large weights, few and many', () => {
    const weights = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.integer({ min: 0, max: 2_000_000 }), { minLength: 1, maxLength: 60 }),
      // Products beyond 2^53: the BigInt path.
      fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 30 }),
      // Many weights, many ties, in sorted and reversed order: the selection of the largest remainders.
      fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 17, maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 17, maxLength: 300 }).map((list) => list.sort((a, b) => a - b)),
      fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 17, maxLength: 120 }).map((list) => list.sort((a, b) => b - a)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 }), weights, (total, list) => {
        fc.pre(total === 0 || list.some((weight) => weight > 0));
        expect(splitByWeights(total, list)).toEqual(reference(total, list));
      }),
      { numRuns: 400 },
    );
  });

  it('gives tied remainders to the first listed, also among many weights', () => {
    const weights = Array.from({ length: 100 }, () => 1);
    const split = splitByWeights(7, weights);
    expect(split).toEqual(reference(7, weights));
    expect(split.slice(0, 7)).toEqual(Array.from({ length: 7 }, () => 1));
  });
});
