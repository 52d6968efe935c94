import { parseDate } from './dates';

/** Germany's time zone: the default of the functions below. */
export const TIME_ZONE = 'Europe/Berlin';

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a time zone; Germany's dates by default. */
export function calendarDate(instant: Date, timeZone = TIME_ZONE): string {
  // One formatter per zone: building one costs more than formatting (it ran on every page request).
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    // en-CA formats as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds the zone's wall clock is ahead of UTC at `instantMs` (+1 h or +2 h for Berlin). */
function zoneOffsetMs(instantMs: number, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant at which the zone's clocks show `date` `time` (German time by default). In the hour
 * skipped in spring the time is read with the offset before the change (as winter time); in the
 * hour repeated in autumn the first (summer-time) occurrence is taken.
 */
export function zonedTimeToInstant(date: string, time = '00:00:00', timeZone = TIME_ZONE): Date {
  const { year, month, day } = parseDate(date);
  const [hour, minute, second = 0] = time.split(':').map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  // The offsets half a day before and after bracket any change of the clocks on that day.
  const before = zoneOffsetMs(wall - 43_200_000, timeZone);
  const after = zoneOffsetMs(wall + 43_200_000, timeZone);
  const matching = [wall - before, wall - after].filter((instant) => instant + zoneOffsetMs(instant, timeZone) === wall);
  return new Date(matching.length > 0 ? Math.min(...matching) : wall - before);
}
