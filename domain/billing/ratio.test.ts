import { describe, expect, it } from 'vitest';
import { Ratio } from './ratio';

describe('Ratio', () => {
  it('reads a JSON number as the decimal it was written as', () => {
    expect(Ratio.fromNumber(0.1).add(Ratio.fromNumber(0.2))).toEqual(Ratio.fromNumber(0.3));
    expect(Ratio.fromNumber(13.33)).toEqual(Ratio.of(1333, 100));
    expect(Ratio.fromNumber(1e-7)).toEqual(Ratio.of(1, 10_000_000));
    expect(Ratio.fromNumber(1.5e21)).toEqual(Ratio.of(1_500_000_000_000_000_000_000n));
    expect(Ratio.fromNumber(-2.5)).toEqual(Ratio.of(-5, 2));
    expect(() => Ratio.fromNumber(Number.NaN)).toThrow(RangeError);
  });

  it('rounds halves upwards and floors towards minus infinity', () => {
    expect(Ratio.of(5, 2).roundHalfUp()).toBe(3n);
    expect(Ratio.of(49, 20).roundHalfUp()).toBe(2n);
    expect(Ratio.of(-5, 2).floor()).toBe(-3n);
    expect(Ratio.of(-4, 2).floor()).toBe(-2n);
  });

  it('prints the intended decimal without float artifacts', () => {
    expect(Ratio.of(118461, 100).toNumber(2)).toBe(1184.61);
    expect(Ratio.fromNumber(0.1).add(Ratio.fromNumber(0.2)).toNumber(2)).toBe(0.3);
    expect(Ratio.of(5900, 34000).toNumber(6)).toBe(0.173529);
  });
});
