import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalPlaces, decimalParts, scaledColumn, scaledInteger } from './decimal';
import { Ratio } from './ratio';

describe('JSON numbers as exact decimals', () => {
  it.each([
    [0, 0],
    [7, 0],
    [0.7, 1],
    [1.005, 3],
    [123456.789, 3],
    [1e-7, 7],
    [1.5e-10, 11],
    [1e21, 0],
    [0.30000000000000004, 17],
    [5e-324, 324],
  ])('%s has %i decimals', (value, places) => {
    expect(decimalPlaces(value)).toBe(places);
  });

  it('reads every double as the decimal it prints as (the rational engine’s Ratio.fromNumber)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const { digits, scale } = decimalParts(value);
        expect(Ratio.of(digits, 10n ** BigInt(scale))).toEqual(Ratio.fromNumber(value));
        expect(decimalPlaces(value)).toBe(scale);
        const wider = scale + 3;
        expect(scaledInteger(value, wider)).toBe(digits * 1000n);
      }),
      { numRuns: 2000 },
    );
  });

  it('brings a column to one power of ten and sums it exactly, also beyond 2^53', () => {
    expect(scaledColumn([1, 0.25, 3.5])).toEqual({ integers: [100n, 25n, 350n], scale: 2, sum: 475n });
    const big = scaledColumn([2 ** 52, 2 ** 52, 0.5]);
    expect(big.sum).toBe(2n ** 53n * 10n + 5n);
    expect(() => scaledInteger(0.125, 2)).toThrow(RangeError);
    expect(() => decimalPlaces(Infinity)).toThrow(RangeError);
  });
});
