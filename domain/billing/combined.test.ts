import { describe, expect, it } from 'vitest';
import { combinedResult, hotWaterEnergy, splitCombinedCost } from './combined';
import { Ratio } from './ratio';
import type { CombinedInput } from './types';

const plant = (extra: Partial<CombinedInput> = {}): CombinedInput => ({
  cost: 3253.5,
  energyKwh: 34000,
  hotWaterKwh: null,
  hotWaterM3: 47.2,
  hotWaterTempC: 60,
  districtHeating: false,
  ...extra,
});

describe('§9 combined plant', () => {
  it('Q = 2.5 × 47.2 × (60 − 10) = 5900 kWh; share 17.3529…% unrounded → hot water 564.58, heating 2688.92', () => {
    const split = splitCombinedCost(plant());
    expect(split.energy.kwh).toEqual(Ratio.of(5900));
    expect(split.hotWaterShare).toEqual(Ratio.of(5900, 34000));
    expect(split).toMatchObject({ hotWaterCents: 56458n, heatingCents: 268892n });
    // The handbook's 17.35 % would give 564.48: the exact share is used.
    expect(combinedResult(split)).toMatchObject({ hotWaterShare: 0.173529, hotWaterCost: 564.58, heatingCost: 2688.92 });
  });

  it('district heating: 5900 / 1.15 = 5130.43 kWh', () => {
    const energy = hotWaterEnergy(plant({ districtHeating: true }));
    expect(energy.kwh).toEqual(Ratio.of(590000, 115));
    expect(energy.kwh.toNumber(2)).toBe(5130.43);
  });

  it('a measured Q wins over the formula and is not divided for district heating: 12 000 of 100 000 kWh → 12 %', () => {
    const split = splitCombinedCost(plant({ hotWaterKwh: 12000, energyKwh: 100000, districtHeating: true }));
    expect(split.energy).toEqual({ kwh: Ratio.of(12000), source: 'measured' });
    expect(split.hotWaterShare.toNumber(6)).toBe(0.12);
  });

  it('rounds the hot-water cost half up and gives heating the rest', () => {
    // 0.05 € × 1/2 = 2.5 cents → 3 cents hot water, 2 cents heating
    const split = splitCombinedCost(plant({ cost: 0.05, hotWaterKwh: 1, energyKwh: 2 }));
    expect(split).toMatchObject({ hotWaterCents: 3n, heatingCents: 2n });
  });
});
