// How a KlarDueAt instant reads. Deadlines are stored as instants of different making: a device's
// calendar day at 00:00 UTC, a statement's "end of the German day" as the next day's 00:00 German
// time, a ticket's SLA at a business hour. Each is shown as what it means.
import { berlinDateOf, berlinOffsetMinutes } from '../business-hours';
import { formatDate, formatDateTime } from '../format';

/** The calendar day a deadline instant stands for, or null when it is a time of day (an SLA). */
export function dueDateOf(iso: string): string | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  if (ms % 86_400_000 === 0) return new Date(ms).toISOString().slice(0, 10);
  // German midnight: the end of the day before (exclusive end).
  if ((ms + berlinOffsetMinutes(ms) * 60_000) % 86_400_000 === 0) return berlinDateOf(ms - 1);
  return null;
}

export function formatDueAt(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = dueDateOf(iso);
  return date ? formatDate(date) : `${formatDateTime(iso)} Uhr`;
}
