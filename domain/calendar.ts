/** The calendar date (YYYY-MM-DD) of an instant in a time zone; Germany's dates by default. */
export function calendarDate(instant: Date, timeZone = 'Europe/Berlin'): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
