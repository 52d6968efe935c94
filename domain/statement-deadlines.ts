// Deadlines of the annual statement (HKVO.md §3): delivery to the tenant (BGB §556(3)) and the
// tenant's objection window.
import { addMonths, endOfMonth } from './dates';

export type ObjectionDeadlineMode = 'end-of-month' | 'exact-day';

function endOfTwelfthMonthAfter(date: string): string {
  return endOfMonth(addMonths(date, 12));
}

/** The statement must reach the tenant by the end of the 12th month after the billing period ends. */
export function deliveryDeadline(periodEnd: string): string {
  return endOfTwelfthMonthAfter(periodEnd);
}

/**
 * Last day to object: the end of the 12th month after receipt (the default), or, where the contract
 * says so, the same day 12 months later (clamped to the month's end).
 */
export function objectionDeadline(receivedAt: string, mode: ObjectionDeadlineMode = 'end-of-month'): string {
  return mode === 'exact-day' ? addMonths(receivedAt, 12) : endOfTwelfthMonthAfter(receivedAt);
}
