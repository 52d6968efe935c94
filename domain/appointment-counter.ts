// The tenant's counter-proposal to the portal's device-exchange offer: up to three own slots, each a
// date with a time window (from, to) in German local time. Pure, so the page's action and the tests
// read the form the same way; the workflow's validator checks the offer once more (slotOfferProblem).
import { berlinWallTime } from './business-hours';
import { isDate } from './dates';
import { formatDate } from './format';
import { MAX_SLOTS_PER_OFFER } from './contracts/appointment';
import { TEXT_LIMITS, textTooLong } from './text-limits';

/** Form field names of slot row `n` (1 … MAX_SLOTS_PER_OFFER). */
export function counterFieldNames(n: number) {
  return { date: `counter${n}Date`, from: `counter${n}From`, to: `counter${n}To` } as const;
}
export const COUNTER_NOTE_FIELD = 'counterNote';

export interface CounterSlot {
  startsAt: string;
  endsAt: string;
}

/** Field name → message (German, naming the field); the first error belongs to the first bad field. */
export type CounterErrors = Record<string, string>;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(value: string): number | null {
  const match = TIME.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * Reads the counter-proposal. Rows left entirely empty are skipped; at least one is needed. Each
 * slot starts in the future, ends after it starts and, with an offer deadline (`dueAt`, YYYY-MM-DD),
 * lies on or before that day.
 */
export function counterProposalFromFields(
  field: (name: string) => string,
  options: { nowMs: number; dueAt: string | null },
): { ok: true; slots: CounterSlot[]; note: string | null } | { ok: false; errors: CounterErrors } {
  const errors: CounterErrors = {};
  const slots: CounterSlot[] = [];
  const seen = new Set<number>();
  for (let n = 1; n <= MAX_SLOTS_PER_OFFER; n++) {
    const names = counterFieldNames(n);
    const date = field(names.date).trim();
    const from = field(names.from).trim();
    const to = field(names.to).trim();
    if (date === '' && from === '' && to === '') continue;
    const fromMinutes = minutesOf(from);
    const toMinutes = minutesOf(to);
    if (!isDate(date)) errors[names.date] = `Termin ${n}, Datum: Bitte geben Sie ein gültiges Datum an.`;
    if (fromMinutes === null) errors[names.from] = `Termin ${n}, von: Bitte geben Sie eine Uhrzeit an (hh:mm).`;
    if (toMinutes === null) errors[names.to] = `Termin ${n}, bis: Bitte geben Sie eine Uhrzeit an (hh:mm).`;
    if (!isDate(date) || fromMinutes === null || toMinutes === null) continue;
    const startMs = berlinWallTime(date, Math.floor(fromMinutes / 60), fromMinutes % 60);
    const endMs = berlinWallTime(date, Math.floor(toMinutes / 60), toMinutes % 60);
    if (endMs <= startMs) errors[names.to] = `Termin ${n}, bis: Das Ende muss nach dem Beginn (${from} Uhr) liegen.`;
    else if (startMs <= options.nowMs) errors[names.date] = `Termin ${n}, Datum: Der Termin muss in der Zukunft liegen.`;
    else if (options.dueAt !== null && date > options.dueAt)
      errors[names.date] =
        `Termin ${n}, Datum: Der Termin muss spätestens am ${formatDate(options.dueAt)} liegen (Frist für den Gerätetausch).`;
    else if (seen.has(startMs)) errors[names.date] = `Termin ${n}, Datum: Diesen Termin haben Sie schon angegeben.`;
    else {
      seen.add(startMs);
      slots.push({ startsAt: new Date(startMs).toISOString(), endsAt: new Date(endMs).toISOString() });
    }
  }
  const note = field(COUNTER_NOTE_FIELD).trim();
  const noteProblem = textTooLong('Nachricht', note, TEXT_LIMITS.appointmentNote);
  if (noteProblem) errors[COUNTER_NOTE_FIELD] = noteProblem;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (slots.length === 0)
    return { ok: false, errors: { [counterFieldNames(1).date]: 'Termin 1, Datum: Bitte geben Sie mindestens einen Termin an.' } };
  return { ok: true, slots, note: note === '' ? null : note };
}

/**
 * Whether the request waits for the technician's answer to the tenant's own slots proposed in
 * answer to the technician's offer (a counter-proposal), rather than to the tenant's first wishes.
 */
export function awaitsCounterAnswer(request: {
  status: string;
  openOffer: readonly number[];
  slots: ReadonlyArray<{ position: number; offeredBy: 'tenant' | 'technician' }>;
}): boolean {
  const open = request.slots.filter((slot) => request.openOffer.includes(slot.position));
  return (
    request.status === 'requested' &&
    open.length > 0 &&
    open.every((slot) => slot.offeredBy === 'tenant') &&
    request.slots.some((slot) => slot.offeredBy === 'technician')
  );
}
