// Business hours: Monday to Friday 8:00–17:00 in Germany (Europe/Berlin), except the public
// holidays of the property's federal state. Instants are epoch milliseconds (UTC).
//
// German local time is computed from the EU summer-time rule (since 1996: CEST from the last
// Sunday of March, 01:00 UTC, to the last Sunday of October, 01:00 UTC) rather than from the time
// zone database: the same arithmetic then runs unchanged inside a Temporal workflow, whose replay
// must not depend on the ICU data of whichever Node version the worker has.
import { addDays, daysInMonth, formatDate } from './dates';
import { holidayOn, weekdayOf, type FederalState } from './holidays';

const HOUR_MS = 3_600_000;

export interface BusinessCalendar {
  federalState: FederalState;
  /** Local hour the working day starts (default 8) and ends (default 17). */
  openHour?: number;
  closeHour?: number;
}

export const DEFAULT_OPEN_HOUR = 8;
export const DEFAULT_CLOSE_HOUR = 17;

/** Length of one working day in business time (8:00–17:00). */
export const BUSINESS_DAY_MS = (DEFAULT_CLOSE_HOUR - DEFAULT_OPEN_HOUR) * HOUR_MS;

function lastSundayUtc(year: number, month: number): number {
  const last = formatDate({ year, month, day: daysInMonth(year, month) });
  const day = daysInMonth(year, month) - weekdayOf(last);
  return Date.UTC(year, month - 1, day, 1);
}

/** Offset of German local time from UTC at an instant: 60 minutes, or 120 in summer. */
export function berlinOffsetMinutes(instantMs: number): number {
  const year = new Date(instantMs).getUTCFullYear();
  const summer = instantMs >= lastSundayUtc(year, 3) && instantMs < lastSundayUtc(year, 10);
  return summer ? 120 : 60;
}

/** The German calendar date of an instant. */
export function berlinDateOf(instantMs: number): string {
  return new Date(instantMs + berlinOffsetMinutes(instantMs) * 60_000).toISOString().slice(0, 10);
}

/**
 * The instant of a German wall-clock time on a date. The clocks change at 2:00/3:00 at night, so
 * the offset at noon is right for every time of day this portal deals in (6:00–22:00).
 */
export function berlinWallTime(date: string, hour: number, minute = 0): number {
  const [year = NaN, month = NaN, day = NaN] = date.split('-').map(Number);
  const noonUtc = Date.UTC(year, month - 1, day, 12);
  return Date.UTC(year, month - 1, day, hour, minute) - berlinOffsetMinutes(noonUtc) * 60_000;
}

export function isBusinessDay(date: string, federalState: FederalState): boolean {
  const weekday = weekdayOf(date);
  return weekday !== 0 && weekday !== 6 && holidayOn(date, federalState) === null;
}

/** The working hours of a date as instants, or null on weekends and holidays. */
export function businessWindow(date: string, calendar: BusinessCalendar): { startMs: number; endMs: number } | null {
  if (!isBusinessDay(date, calendar.federalState)) return null;
  return {
    startMs: berlinWallTime(date, calendar.openHour ?? DEFAULT_OPEN_HOUR),
    endMs: berlinWallTime(date, calendar.closeHour ?? DEFAULT_CLOSE_HOUR),
  };
}

/** A guard against endless loops on nonsense input: ten years of days. */
const MAX_DAYS = 3_660;

/**
 * The instant at which `durationMs` of business time has passed after `startMs`. A deadline that
 * uses up a working day exactly ends at 17:00 of that day, not at 8:00 of the next.
 */
export function addBusinessTime(startMs: number, durationMs: number, calendar: BusinessCalendar): number {
  if (durationMs <= 0) return startMs;
  let remaining = durationMs;
  let date = berlinDateOf(startMs);
  for (let i = 0; i < MAX_DAYS; i++, date = addDays(date, 1)) {
    const window = businessWindow(date, calendar);
    if (!window) continue;
    const from = Math.max(startMs, window.startMs);
    if (from >= window.endMs) continue;
    const available = window.endMs - from;
    if (remaining <= available) return from + remaining;
    remaining -= available;
  }
  throw new RangeError(`business time of ${durationMs} ms does not fit into ${MAX_DAYS} days`);
}

/** Business time between two instants (0 when `toMs` is not after `fromMs`). */
export function businessTimeBetween(fromMs: number, toMs: number, calendar: BusinessCalendar): number {
  if (toMs <= fromMs) return 0;
  let total = 0;
  const lastDate = berlinDateOf(toMs);
  let date = berlinDateOf(fromMs);
  for (let i = 0; i < MAX_DAYS; i++, date = addDays(date, 1)) {
    const window = businessWindow(date, calendar);
    if (window) total += Math.max(0, Math.min(toMs, window.endMs) - Math.max(fromMs, window.startMs));
    if (date === lastDate) return total;
  }
  throw new RangeError(`span from ${fromMs} to ${toMs} is longer than ${MAX_DAYS} days`);
}
