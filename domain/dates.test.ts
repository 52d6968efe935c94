import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addYears,
  compareDates,
  daysBetween,
  daysInMonth,
  endOfMonth,
  endOfYear,
  formatDate,
  isDate,
  isLeapYear,
  parseDate,
} from './dates';

// Date.UTC is a trustworthy oracle for years 100–9999 (it maps 0–99 to 1900–1999).
const utcDay = fc
  .integer({ min: Date.UTC(100, 0, 1) / 86_400_000, max: Date.UTC(9999, 11, 31) / 86_400_000 })
  .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));

describe('isDate / parseDate', () => {
  it.each(['2025-01-01', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '2025-12-31'])('accepts %s', (date) => {
    expect(isDate(date)).toBe(true);
    expect(formatDate(parseDate(date))).toBe(date);
  });

  it.each([
    '2025-02-29', // not a leap year
    '1900-02-29', // century, not a leap year
    '2025-02-30',
    '2025-04-31',
    '2025-13-01',
    '2025-00-10',
    '2025-01-00',
    '0000-01-01',
    '2025-1-01',
    '25-01-01',
    '2025/01/01',
    '2025-01-01T00:00:00Z',
    ' 2025-01-01',
    '2025-01-01\n',
    '+02025-01-01',
    '',
  ])('rejects %j', (date) => {
    expect(isDate(date)).toBe(false);
    expect(() => parseDate(date)).toThrow(RangeError);
  });

  it.each([null, undefined, 20250101, new Date(), {}])('rejects the non-string %j', (value) => {
    expect(isDate(value)).toBe(false);
  });

  it('splits into year, month and day', () => {
    expect(parseDate('2016-03-10')).toEqual({ year: 2016, month: 3, day: 10 });
  });
});

describe('formatDate', () => {
  it('pads to YYYY-MM-DD', () => {
    expect(formatDate({ year: 987, month: 3, day: 4 })).toBe('0987-03-04');
  });

  it.each([
    { year: 2025, month: 2, day: 29 },
    { year: 10_000, month: 1, day: 1 },
    { year: 0, month: 12, day: 31 },
    { year: 2025, month: 1.5, day: 1 },
  ])('refuses %j', (parts) => {
    expect(() => formatDate(parts)).toThrow(RangeError);
  });
});

describe('leap years and month lengths', () => {
  it('follows the Gregorian rules', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((month) => daysInMonth(2025, month))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2024, 2)).toBe(29);
  });
});

describe('addDays', () => {
  it('crosses months, years and leap days', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2027-12-31', -90)).toBe('2027-10-02');
    expect(addDays('2025-03-01', 0)).toBe('2025-03-01');
  });

  it('agrees with Date.UTC', () => {
    fc.assert(
      fc.property(utcDay, fc.integer({ min: -1000, max: 1000 }), (date, days) => {
        const expected = new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10);
        fc.pre(/^\d{4}-\d{2}-\d{2}$/.test(expected) && expected !== '0000-12-31'); // stay within 0001–9999
        expect(addDays(date, days)).toBe(expected);
      }),
    );
  });

  it('refuses fractional days and leaving the years 1–9999', () => {
    expect(() => addDays('2025-01-01', 0.5)).toThrow(RangeError);
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
    expect(() => addDays('0001-01-01', -1)).toThrow(RangeError);
  });
});

describe('addMonths / addYears', () => {
  it('keeps the day of month when it exists', () => {
    expect(addMonths('2025-01-15', 1)).toBe('2025-02-15');
    expect(addMonths('2025-11-20', 2)).toBe('2026-01-20');
    expect(addMonths('2025-03-15', -3)).toBe('2024-12-15');
    expect(addMonths('2016-03-10', 126)).toBe('2026-09-10');
  });

  it('clamps to the end of a shorter month', () => {
    expect(addMonths('2016-11-30', 15)).toBe('2018-02-28');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-08-31', 3)).toBe('2025-11-30');
    expect(addMonths('2025-05-31', -3)).toBe('2025-02-28');
  });

  it('adds years, clamping 29 February', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2016-05-12', 10)).toBe('2026-05-12');
  });

  it('agrees with the calendar: same day if it exists, else the month end', () => {
    fc.assert(
      fc.property(utcDay, fc.integer({ min: -120, max: 120 }), (date, months) => {
        const { year, month, day } = parseDate(date);
        const index = year * 12 + month - 1 + months;
        const [targetYear, targetMonth] = [Math.floor(index / 12), (index % 12) + 1];
        fc.pre(targetYear >= 1 && targetYear <= 9999);
        expect(parseDate(addMonths(date, months))).toEqual({
          year: targetYear,
          month: targetMonth,
          day: Math.min(day, daysInMonth(targetYear, targetMonth)),
        });
      }),
    );
  });

  it('refuses fractional steps and invalid dates', () => {
    expect(() => addMonths('2025-01-01', 1.5)).toThrow(RangeError);
    expect(() => addYears('2025-01-01', 0.5)).toThrow(RangeError);
    expect(() => addMonths('2025-02-30', 1)).toThrow(RangeError);
    expect(() => addYears('9995-01-01', 5)).toThrow(RangeError);
  });
});

describe('compareDates / daysBetween', () => {
  it('orders dates', () => {
    expect(compareDates('2025-01-01', '2025-01-02')).toBe(-1);
    expect(compareDates('2025-01-02', '2025-01-01')).toBe(1);
    expect(compareDates('2025-01-01', '2025-01-01')).toBe(0);
    expect(['2026-01-01', '2025-12-31', '2025-02-01'].sort(compareDates)).toEqual(['2025-02-01', '2025-12-31', '2026-01-01']);
  });

  it('counts days from the first to the second date', () => {
    expect(daysBetween('2026-10-27', '2026-11-26')).toBe(30);
    expect(daysBetween('2026-11-26', '2026-10-27')).toBe(-30);
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('is the inverse of addDays', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 5000 }), (days) => {
        expect(daysBetween('2025-06-15', addDays('2025-06-15', days))).toBe(days);
      }),
    );
  });

  it('validates both dates', () => {
    expect(() => compareDates('2025-02-30', '2025-01-01')).toThrow(RangeError);
    expect(() => daysBetween('2025-01-01', 'tomorrow')).toThrow(RangeError);
  });
});

describe('endOfMonth / endOfYear', () => {
  it('finds the last day', () => {
    expect(endOfMonth('2025-02-10')).toBe('2025-02-28');
    expect(endOfMonth('2024-02-10')).toBe('2024-02-29');
    expect(endOfMonth('2026-12-20')).toBe('2026-12-31');
    expect(endOfMonth('2025-04-30')).toBe('2025-04-30');
    expect(endOfYear('2027-03-01')).toBe('2027-12-31');
  });
});
