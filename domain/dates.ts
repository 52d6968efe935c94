// Calendar dates as 'YYYY-MM-DD' strings. Legal deadlines are calendar days, not instants, so
// nothing here touches `Date`: a JavaScript Date carries a time zone and maps years 0–99 to
// 1900–1999. Day arithmetic uses a day count from the civil calendar (proleptic Gregorian),
// which is what UTC dates are, without any clock.

export interface DateParts {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isValidParts({ year, month, day }: DateParts): boolean {
  return (
    Number.isInteger(year) &&
    year >= MIN_YEAR &&
    year <= MAX_YEAR &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12 &&
    Number.isInteger(day) &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

function partsOf(value: unknown): DateParts | null {
  if (typeof value !== 'string') return null;
  const match = DATE_PATTERN.exec(value);
  if (!match) return null;
  const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return isValidParts(parts) ? parts : null;
}

/** True for a 'YYYY-MM-DD' string naming a real calendar day (2025-02-30 is not one). */
export function isDate(value: unknown): value is string {
  return partsOf(value) !== null;
}

/** Splits a date into its parts; throws a RangeError unless it is a real calendar day. */
export function parseDate(date: string): DateParts {
  const parts = partsOf(date);
  if (!parts) throw new RangeError(`not a date YYYY-MM-DD: ${JSON.stringify(date)}`);
  return parts;
}

/** Formats parts as 'YYYY-MM-DD'; throws a RangeError for a day that does not exist. */
export function formatDate(parts: DateParts): string {
  if (!isValidParts(parts)) {
    throw new RangeError(`date out of range: ${parts.year}-${parts.month}-${parts.day}`);
  }
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}`;
}

function assertInteger(n: number, what: string): void {
  if (!Number.isInteger(n)) throw new RangeError(`${what} must be an integer, got ${n}`);
}

// Days since 1970-01-01 (Howard Hinnant's days_from_civil; eras of 400 years keep it exact).
function toDayNumber({ year, month, day }: DateParts): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function fromDayNumber(dayNumber: number): DateParts {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function addDays(date: string, days: number): string {
  assertInteger(days, 'days');
  return formatDate(fromDayNumber(toDayNumber(parseDate(date)) + days));
}

/** Adds calendar months; a day that the target month lacks clamps to its last day (01-31 + 1 → 02-28). */
export function addMonths(date: string, months: number): string {
  assertInteger(months, 'months');
  const { year, month, day } = parseDate(date);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  return formatDate({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

/** Adds calendar years; 29 February clamps to 28 February in a common year. */
export function addYears(date: string, years: number): string {
  assertInteger(years, 'years');
  return addMonths(date, years * 12);
}

/** Days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(parseDate(to)) - toDayNumber(parseDate(from));
}

/** -1 when a is earlier than b, 0 when equal, 1 when later (usable as a sort comparator). */
export function compareDates(a: string, b: string): number {
  return Math.sign(daysBetween(b, a));
}

export function endOfMonth(date: string): string {
  const { year, month } = parseDate(date);
  return formatDate({ year, month, day: daysInMonth(year, month) });
}

export function endOfYear(date: string): string {
  return formatDate({ year: parseDate(date).year, month: 12, day: 31 });
}
