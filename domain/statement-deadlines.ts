// Deadlines of the annual statement (docs/rules.md §3): delivery to the tenant (BGB §556(3)) and the
// tenant's objection window.
import { addMonths, compareDates, daysBetween, endOfMonth } from './dates';

export type ObjectionDeadlineMode = 'end-of-month' | 'exact-day';

function endOfTwelfthMonthAfter(date: string): string {
  return endOfMonth(addMonths(date, 12));
}

/**
 * BGB §556(3): the statement must reach the tenant within 12 months after the billing period
 * ends. The period of 12 months ends on the day that corresponds by its number to the period's
 * last day (§188(2)), or the last day of that month when it is shorter (§188(3)): 31.12.2025 →
 * 31.12.2026, 15.04.2025 → 15.04.2026, 29.02.2024 → 28.02.2025.
 */
export function deliveryDeadline(periodEnd: string): string {
  return addMonths(periodEnd, 12);
}

export interface DeliveryCheck {
  deadline: string;
  receivedAt: string;
  /** Received on or before the deadline. */
  inTime: boolean;
  /** Days after the deadline; 0 when in time. */
  daysLate: number;
}

/**
 * What counts is receipt by the tenant, per tenant: a letter dispatched in time but received
 * after the deadline misses it.
 */
export function checkDelivery(periodEnd: string, receivedAt: string): DeliveryCheck {
  const deadline = deliveryDeadline(periodEnd);
  const daysLate = Math.max(0, daysBetween(deadline, receivedAt));
  return { deadline, receivedAt, inTime: daysLate === 0, daysLate };
}

export function deliveredInTime(periodEnd: string, receivedAt: string): boolean {
  return compareDates(receivedAt, deliveryDeadline(periodEnd)) <= 0;
}

/**
 * BGB §556(3) S.3: after a late delivery the landlord can no longer claim a back payment, unless
 * the delay is not the landlord's fault; a credit stays owed to the tenant either way.
 * `balanceCents` > 0 is a back payment, < 0 a credit.
 */
export function claimableBalanceCents(balanceCents: number, inTime: boolean, delayNotLandlordsFault = false): number {
  return inTime || delayNotLandlordsFault || balanceCents < 0 ? balanceCents : 0;
}

/**
 * Last day to object: the end of the 12th month after receipt (the default), or, where the contract
 * says so, the same day 12 months later (clamped to the month's end).
 */
export function objectionDeadline(receivedAt: string, mode: ObjectionDeadlineMode = 'end-of-month'): string {
  return mode === 'exact-day' ? addMonths(receivedAt, 12) : endOfTwelfthMonthAfter(receivedAt);
}
