import { describe, expect, it } from 'vitest';
import { DEGREE_DAY_PER_MILLE, degreeDaysPerMille } from './degree-days';
import { occupancyKeys, splitBetweenOccupancies } from './occupancies';
import { Ratio } from './ratio';
import type { OccupancyInput } from './types';

const PERIOD = { start: '2025-01-01', end: '2025-12-31' };
// Unit A of docs/rules.md §9b: moves out on 15 March 2025 after 600 of its 1 000 units.
const occupancies: OccupancyInput[] = [
  { id: 'A-1', from: '2025-01-01', to: '2025-03-15', heating: 600, hotWater: 8, coldWater: 0 },
  { id: 'A-2', from: '2025-03-16', to: '2025-12-31', heating: 400, hotWater: 12, coldWater: 0 },
];
const keys = occupancyKeys(PERIOD, occupancies);
const share = (consumptionEuros: number, fixedEuros: number) => ({
  consumptionCents: Ratio.of(consumptionEuros * 100),
  fixedCents: Ratio.of(fixedEuros * 100),
  cents: BigInt((consumptionEuros + fixedEuros) * 100),
});

describe('degree days (§9b)', () => {
  it('the table sums to 1000 ‰', () => {
    expect(Ratio.sum(DEGREE_DAY_PER_MILLE)).toEqual(Ratio.of(1000));
    expect(degreeDaysPerMille('2025-01-01', '2025-12-31')).toEqual(Ratio.of(1000));
    expect(degreeDaysPerMille('2024-01-01', '2024-12-31')).toEqual(Ratio.of(1000));
  });

  it('1 Jan – 15 Mar: 170 + 150 + 130 × 15/31 = 382.903 ‰', () => {
    expect(degreeDaysPerMille('2025-01-01', '2025-03-15')).toEqual(Ratio.of(320).add(Ratio.of(130 * 15, 31)));
    expect(degreeDaysPerMille('2025-01-01', '2025-03-15').toNumber(3)).toBe(382.903);
  });

  it('counts partial months pro rata, also within one month, in leap years and across years', () => {
    expect(degreeDaysPerMille('2025-03-10', '2025-03-10')).toEqual(Ratio.of(130, 31));
    expect(degreeDaysPerMille('2024-02-01', '2024-02-15')).toEqual(Ratio.of(150 * 15, 29));
    expect(degreeDaysPerMille('2024-12-17', '2025-01-15')).toEqual(Ratio.of(160 * 15, 31).add(Ratio.of(170 * 15, 31)));
  });
});

describe('splitting a unit between occupancies (§9b)', () => {
  it('consumption part 1 400 € by readings 600 / 400 → 840 / 560', () => {
    expect(splitBetweenOccupancies('heating', share(1400, 0), occupancies, keys)).toEqual([84000n, 56000n]);
  });

  it('fixed heating part 900 € by degree days 382.903 ‰ → 344.61 / 555.39', () => {
    expect(splitBetweenOccupancies('heating', share(0, 900), occupancies, keys)).toEqual([34461n, 55539n]);
  });

  it('fixed hot-water part 450 € by days 74/365 → 91.23 / 358.77', () => {
    expect(keys.map((key) => key.days)).toEqual([74, 291]);
    expect(splitBetweenOccupancies('hotWater', share(0, 450), occupancies, keys)).toEqual([9123n, 35877n]);
  });

  it('fixed cold-water part by days too', () => {
    expect(splitBetweenOccupancies('coldWater', share(0, 365), occupancies, keys)).toEqual([7400n, 29100n]);
  });

  it('A-1 heating 840 + 344.61 = 1184.61, A-2 560 + 555.39 = 1115.39, summing to the unit’s 2 300', () => {
    expect(splitBetweenOccupancies('heating', share(1400, 900), occupancies, keys)).toEqual([118461n, 111539n]);
  });
});
