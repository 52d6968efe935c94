import { describe, expect, test } from 'vitest';
import { isFinding, isLargeSystem, mustBeSampled, parseLabResult, samplingDueAt } from './legionella';

describe('legionella (TrinkwV §31)', () => {
  test('a large system has over 400 l of storage or over 3 l of pipe', () => {
    expect(isLargeSystem({ storageLitres: 400, pipeLitres: 3 })).toBe(false);
    expect(isLargeSystem({ storageLitres: 401, pipeLitres: 0 })).toBe(true);
    expect(isLargeSystem({ storageLitres: 0, pipeLitres: 3.1 })).toBe(true);
    expect(mustBeSampled({ storageLitres: 500, pipeLitres: 0, rented: true, showers: false })).toBe(false);
    expect(mustBeSampled({ storageLitres: 500, pipeLitres: 0, rented: true, showers: true })).toBe(true);
  });

  test('sampling is due three years after the last one', () => {
    expect(samplingDueAt('2023-06-14')).toBe('2026-06-14');
    expect(() => samplingDueAt('14.06.2023')).toThrow(/lastSampledAt/);
  });

  test('only a count above 100 CFU/100 ml is a finding', () => {
    expect(isFinding(100)).toBe(false);
    expect(isFinding(101)).toBe(true);
  });

  test('lab results are checked field by field', () => {
    expect(parseLabResult({ sampledAt: '2026-11-02', cfuPer100ml: '250' }, '2026-11-30')).toEqual({
      sampledAt: '2026-11-02',
      cfuPer100ml: 250,
    });
    expect(() => parseLabResult({ sampledAt: '2026-12-02', cfuPer100ml: 0 }, '2026-11-30')).toThrow(/^sampledAt/);
    expect(() => parseLabResult({ sampledAt: '2026-11-02', cfuPer100ml: -1 }, '2026-11-30')).toThrow(/^cfuPer100ml/);
    expect(() => parseLabResult({ sampledAt: '2026-11-02', cfuPer100ml: '1,5' }, '2026-11-30')).toThrow(/^cfuPer100ml/);
  });
});
