// The technician's slots offered to a tenant for a device exchange: pure, so the offer, the letter
// and the tests agree on them.
import { berlinWallTime, isBusinessDay } from './business-hours';
import { addDays } from './dates';
import type { FederalState } from './holidays';

/** The first offered day is this many days after the offer: time for the tenant to arrange it. */
export const EXCHANGE_FIRST_SLOT_AFTER_DAYS = 7;

/** Two-hour windows (German local time) of the offered slots: morning, midday, afternoon. */
const SLOT_HOURS: ReadonlyArray<readonly [number, number]> = [
  [8, 10],
  [12, 14],
  [14, 16],
];

/**
 * Three slots on the first three working days (the property's federal state) from a week after
 * `offeredOn`, each in another window. With the default lead time of 60 days they lie well before
 * the deadline; the tenant may propose other times.
 */
export function exchangeSlots(offeredOn: string, federalState: FederalState): Array<{ startsAt: string; endsAt: string }> {
  const slots: Array<{ startsAt: string; endsAt: string }> = [];
  for (let day = addDays(offeredOn, EXCHANGE_FIRST_SLOT_AFTER_DAYS); slots.length < SLOT_HOURS.length; day = addDays(day, 1)) {
    if (!isBusinessDay(day, federalState)) continue;
    const [from, to] = SLOT_HOURS[slots.length]!;
    slots.push({ startsAt: new Date(berlinWallTime(day, from)).toISOString(), endsAt: new Date(berlinWallTime(day, to)).toISOString() });
  }
  return slots;
}
