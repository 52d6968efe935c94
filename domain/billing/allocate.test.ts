import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateCents, splitCents } from './allocate';
import { Ratio } from './ratio';

describe('largest-remainder rounding', () => {
  it('splits 100.00 € over three equal units as 33.34, 33.33, 33.33 (ties to the first)', () => {
    expect(splitCents(10000n, [Ratio.ONE, Ratio.ONE, Ratio.ONE])).toEqual([3334n, 3333n, 3333n]);
  });

  it('gives the missing cents to the largest remainders', () => {
    // 0.4, 0.7, 0.9 → floors 0, 0, 0; two cents missing go to 0.9 and 0.7.
    expect(allocateCents([Ratio.of(4, 10), Ratio.of(7, 10), Ratio.of(9, 10)], 2n)).toEqual([0n, 1n, 1n]);
  });

  it('rounds against a total that is itself rounded (an occupancy against its unit)', () => {
    // Exact 1.5 + 1.5 = 3 cents, but the unit was rounded to 4: each tie rounds up.
    expect(allocateCents([Ratio.of(3, 2), Ratio.of(3, 2)], 4n)).toEqual([2n, 2n]);
    expect(allocateCents([Ratio.of(3, 2), Ratio.of(3, 2)], 3n)).toEqual([2n, 1n]);
  });

  it('refuses a total the amounts cannot round to', () => {
    expect(() => allocateCents([Ratio.ONE], 3n)).toThrow(RangeError);
    expect(() => splitCents(1n, [Ratio.ZERO])).toThrow(RangeError);
    expect(splitCents(0n, [Ratio.ZERO, Ratio.ZERO])).toEqual([0n, 0n]);
  });

  it('always sums to the total, each part within a cent of its exact value', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 }).filter((w) => w.some((x) => x > 0)),
        (total, rawWeights) => {
          const weights = rawWeights.map((weight) => Ratio.of(weight));
          const parts = splitCents(total, weights);
          expect(parts.reduce((sum, part) => sum + part, 0n)).toBe(total);
          const weightSum = Ratio.sum(weights);
          parts.forEach((part, index) => {
            const exact = Ratio.of(total).mul(weights[index]!).div(weightSum);
            expect(Ratio.of(part).sub(exact).abs().compare(Ratio.ONE)).toBe(-1);
          });
        },
      ),
    );
  });
});
