// HKVO §6a for small buildings: the average user comes from a wider group when the building has
// fewer than three comparable measured units, and the result says which group it is.
import { describe, expect, it } from 'vitest';
import {
  AREA_CLASSES,
  DEFAULT_REFERENCE_CONSUMPTION,
  averageUserFor,
  percentChange,
  referenceAverage,
  type PeerGroup,
  type PeerMonth,
} from './monthly';

const group = (units: number, areaM2: number, heatingKwh: number, hotWaterKwh: number): PeerGroup => ({
  units,
  areaM2,
  heatingKwh,
  hotWaterKwh,
});
const none = group(0, 0, 0, 0);
/** A month with only the 50–70 m² class (index 1) filled, and a total. */
function month(classGroup: PeerGroup, total: PeerGroup): PeerMonth {
  return { month: '2026-01', classes: AREA_CLASSES.map((_, index) => (index === 1 ? classGroup : none)), property: total };
}

describe('averageUserFor (§6a comparison group)', () => {
  it('takes the same size class in the house when it has three measured units', () => {
    // 600 kWh heating over 180 m² → 3.333… kWh/m² × 60 m² = 200
    const result = averageUserFor(60, '2026-01', { property: month(group(3, 180, 600, 90), group(5, 400, 1500, 200)) });
    expect(result).toEqual({
      heatingKwh: 200,
      hotWaterKwh: 30,
      totalKwh: 230,
      units: 3,
      basis: 'class',
      classLabel: '50–70 m²',
      groupLabel: 'Wohnungen 50–70 m² im Haus, 3 Wohnungen',
    });
  });

  it('falls back to the whole house when the class is too small but the house is not', () => {
    const result = averageUserFor(60, '2026-01', { property: month(group(2, 120, 400, 60), group(3, 300, 1200, 150)) });
    expect(result).toMatchObject({
      heatingKwh: 240,
      hotWaterKwh: 30,
      units: 3,
      basis: 'property',
      groupLabel: 'alle Wohnungen im Haus, 3 Wohnungen',
    });
  });

  it('in a small building takes the organisation’s units of the same size class', () => {
    const property = month(group(1, 60, 250, 40), group(2, 150, 500, 70));
    const organisation = month(group(12, 720, 3000, 360), group(40, 3000, 12000, 1500));
    // 3000 / 720 × 60 = 250, 360 / 720 × 60 = 30
    expect(averageUserFor(60, '2026-01', { property, organisation })).toEqual({
      heatingKwh: 250,
      hotWaterKwh: 30,
      totalKwh: 280,
      units: 12,
      basis: 'organisation',
      classLabel: '50–70 m²',
      groupLabel: 'Wohnungen 50–70 m² aller Liegenschaften der Verwaltung, 12 Wohnungen',
    });
  });

  it('without any group of three, uses the documented reference value and names its source', () => {
    const property = month(group(1, 60, 250, 40), group(1, 60, 250, 40));
    const organisation = month(group(2, 120, 500, 80), group(2, 120, 500, 80));
    // heating 130 kWh/m² a × 60 m² × 170 ‰ (January) = 1326; hot water 32 × 60 × 31/365 = 163.07
    const result = averageUserFor(60, '2026-01', { property, organisation });
    expect(result).toEqual({
      heatingKwh: 1326,
      hotWaterKwh: 163.07,
      totalKwh: 1489.07,
      units: 0,
      basis: 'reference',
      classLabel: '50–70 m²',
      groupLabel: 'Referenzwert (zu wenige vergleichbare Wohnungen)',
      source: DEFAULT_REFERENCE_CONSUMPTION.source,
    });
    expect(averageUserFor(60, '2026-01', {}).basis).toBe('reference');
  });

  it('spreads a reference over the year: heating by the degree-day table, hot water by days (leap years too)', () => {
    const reference = { heatingKwhPerM2Year: 100, hotWaterKwhPerM2Year: 36.6, source: 'eigener Wert' };
    expect(referenceAverage(10, '2024-02', reference)).toEqual({ heatingKwh: 150, hotWaterKwh: 29 }); // 366 × 10 × 29/366
    expect(referenceAverage(10, '2025-07', reference)).toEqual({ heatingKwh: 13.33, hotWaterKwh: 31.08 }); // 366 × 31/365 = 31.0849
    const months = Array.from({ length: 12 }, (_, i) => referenceAverage(10, `2025-${String(i + 1).padStart(2, '0')}`, reference));
    expect(Math.round(months.reduce((sum, m) => sum + m.heatingKwh, 0) * 100) / 100).toBe(1000);
  });

  it('feeds the usual percentage: 312 kWh against an average of 300 → +4.00 %', () => {
    const average = averageUserFor(60, '2026-01', { property: month(group(3, 180, 810, 90), none) });
    expect(average.totalKwh).toBe(300);
    expect(percentChange(312, average.totalKwh)).toBe(4);
  });
});
