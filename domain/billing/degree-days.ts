import { daysInMonth, parseDate } from '../dates';
import { Ratio } from './ratio';

/**
 * §9b HKVO: share of the year's heating need per month, per mille (January first; sum 1000). The
 * fixed heating part of a unit is split between its tenants by these shares.
 */
export const DEGREE_DAY_PER_MILLE: readonly Ratio[] = [170, 150, 130, 80, 40, 13.33, 13.33, 13.34, 30, 80, 120, 160].map(Ratio.fromNumber);

/**
 * Degree-day per mille of the days from `from` to `to` inclusive; a partial month counts pro rata
 * by its days (15 of 31 March days → 130 × 15/31). A range over several years adds up each year.
 */
export function degreeDaysPerMille(from: string, to: string): Ratio {
  const start = parseDate(from);
  const end = parseDate(to);
  let total = Ratio.ZERO;
  for (let year = start.year, month = start.month; year * 12 + month <= end.year * 12 + end.month;) {
    const monthDays = daysInMonth(year, month);
    const firstDay = year === start.year && month === start.month ? start.day : 1;
    const lastDay = year === end.year && month === end.month ? end.day : monthDays;
    total = total.add(DEGREE_DAY_PER_MILLE[month - 1]!.mul(lastDay - firstDay + 1).div(monthDays));
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return total;
}

/** The per-mille table in hundredths: integers, sum 100 000. */
const DEGREE_DAY_HUNDREDTHS: readonly number[] = [17000, 15000, 13000, 8000, 4000, 1333, 1333, 1334, 3000, 8000, 12000, 16000];
/** lcm(28, 29, 30, 31): every month's days divide it, so a partial month stays an integer. */
const MONTH_DAYS_LCM = 377_580;
/** Degree days per mille = degreeDayUnits(…) / DEGREE_DAY_UNITS_PER_MILLE exactly. */
export const DEGREE_DAY_UNITS_PER_MILLE = 100 * MONTH_DAYS_LCM;

/**
 * degreeDaysPerMille on integers: the same value × DEGREE_DAY_UNITS_PER_MILLE (a year is
 * 37 758 000 000, so sums stay exact doubles for any range of dates).
 */
export function degreeDayUnits(from: string, to: string): number {
  const start = parseDate(from);
  const end = parseDate(to);
  let total = 0;
  for (let year = start.year, month = start.month; year * 12 + month <= end.year * 12 + end.month;) {
    const monthDays = daysInMonth(year, month);
    const firstDay = year === start.year && month === start.month ? start.day : 1;
    const lastDay = year === end.year && month === end.month ? end.day : monthDays;
    total += DEGREE_DAY_HUNDREDTHS[month - 1]! * (lastDay - firstDay + 1) * (MONTH_DAYS_LCM / monthDays);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return total;
}
