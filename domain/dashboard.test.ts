import { describe, expect, test } from 'vitest';
import {
  addMonths,
  deadlinesOnDate,
  deadlineTotals,
  formatHundredths,
  objectsPage,
  formatPermille,
  heatingComparison,
  inquiryTrend,
  monthRange,
  radioQualityPermille,
  TREND_MONTHS_MAX,
} from './dashboard';

describe('radio quality', () => {
  test('tenths of a percent, rounded half up; none without remote devices', () => {
    expect(radioQualityPermille(987, 1000)).toBe(987);
    expect(radioQualityPermille(2, 3)).toBe(667);
    expect(radioQualityPermille(1, 8)).toBe(125);
    expect(radioQualityPermille(5, 5)).toBe(1000);
    expect(radioQualityPermille(0, 0)).toBeNull();
    expect(formatPermille(987)).toBe('98,7 %');
    expect(formatPermille(1000)).toBe('100,0 %');
    expect(formatPermille(null)).toBe('–');
  });
});

describe('months', () => {
  test('across year ends', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(addMonths('2026-11', -23)).toBe('2024-12');
    expect(monthRange('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthRange('2026-03', '2026-02')).toEqual([]);
  });
});

describe('heating comparison', () => {
  test('January to the current month against last year; unknown months are null', () => {
    const rows = heatingComparison(
      [
        { month: '2025-01', heatingKwh: 1000.4 },
        { month: '2025-03', heatingKwh: 800.5 },
        { month: '2026-01', heatingKwh: 900 },
        { month: '2026-02', heatingKwh: 700 },
      ],
      '2026-03',
    );
    expect(rows).toEqual([
      { month: '2026-01', thisYear: 900, lastYear: 1000 },
      { month: '2026-02', thisYear: 700, lastYear: null },
      { month: '2026-03', thisYear: null, lastYear: 801 },
    ]);
  });
});

describe('inquiries per 100 units', () => {
  test('from go-live to now, months without any are zero, hundredths rounded half up', () => {
    const trend = inquiryTrend(
      [
        { month: '2026-09', inquiries: 3 },
        { month: '2026-11', inquiries: 1 },
      ],
      218,
      '2026-09',
      '2026-11',
    );
    expect(trend).toEqual([
      { month: '2026-09', inquiries: 3, per100Units: 138 },
      { month: '2026-10', inquiries: 0, per100Units: 0 },
      { month: '2026-11', inquiries: 1, per100Units: 46 },
    ]);
    expect(formatHundredths(138)).toBe('1,38');
    expect(formatHundredths(123456)).toBe('1.234,56');
  });

  test('at most TREND_MONTHS_MAX months; no units, no rate', () => {
    const trend = inquiryTrend([], 0, '2019-01', '2026-11');
    expect(trend).toHaveLength(TREND_MONTHS_MAX);
    expect(trend[0]!.month).toBe('2024-12');
    expect(trend.every((m) => m.per100Units === null)).toBe(true);
  });
});

describe('deadlines of one date', () => {
  test('passed, within 30 and within 90 days, both ends inclusive', () => {
    expect(deadlinesOnDate('cost-data', '2026-03-31', '2026-04-01', 3)).toEqual({
      kind: 'cost-data',
      overdue: 3,
      within30: 0,
      within90: 0,
    });
    expect(deadlinesOnDate('cost-data', '2026-03-31', '2026-03-31', 3)).toEqual({
      kind: 'cost-data',
      overdue: 0,
      within30: 3,
      within90: 3,
    });
    expect(deadlinesOnDate('cost-data', '2026-03-31', '2026-03-01', 3)).toEqual({
      kind: 'cost-data',
      overdue: 0,
      within30: 3,
      within90: 3,
    });
    expect(deadlinesOnDate('cost-data', '2026-03-31', '2026-02-28', 3)).toEqual({
      kind: 'cost-data',
      overdue: 0,
      within30: 0,
      within90: 3,
    });
    expect(deadlinesOnDate('cost-data', '2026-03-31', '2025-12-30', 3)).toEqual({
      kind: 'cost-data',
      overdue: 0,
      within30: 0,
      within90: 0,
    });
  });

  test('totals add the kinds', () => {
    const totals = deadlineTotals([
      { kind: 'device', overdue: 1, within30: 2, within90: 5 },
      { kind: 'legionella', overdue: 0, within30: 1, within90: 1 },
    ]);
    expect(totals).toEqual({ overdue: 1, within: { 30: 3, 90: 6 } });
  });
});

describe('the property table', () => {
  const rows = [
    { name: 'A', status: 'green' as const },
    { name: 'B', status: null },
    { name: 'C', status: 'red' as const },
    { name: 'D', status: 'yellow' as const },
    { name: 'E', status: 'red' as const },
  ];

  test('those needing attention first, in the given order within a light', () => {
    expect(objectsPage(rows, 1, 10).rows.map((r) => r.name)).toEqual(['C', 'E', 'D', 'A', 'B']);
  });

  test('pages of the given size; a page beyond the last shows the last', () => {
    expect(objectsPage(rows, 2, 2)).toMatchObject({ page: 2, pageCount: 3, total: 5, rows: [{ name: 'D' }, { name: 'A' }] });
    expect(objectsPage(rows, 9, 2)).toMatchObject({ page: 3, rows: [{ name: 'B' }] });
    expect(objectsPage([], 1, 2)).toEqual({ page: 1, pageCount: 1, total: 0, rows: [] });
  });
});
