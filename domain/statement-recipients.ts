// Delivery per recipient (issue 10, docs/rules.md §3): each tenant (one occupancy of one unit) of a
// statement version is delivered on its own channel and has its own receipt date, BGB §556(3) check
// and objection window. Pure rules; the version's workflow and its activities apply them.
import { addDays, compareDates, isDate } from './dates';
import { checkDelivery, objectionDeadline, type ObjectionDeadlineMode } from './statement-deadlines';
import { POSTAL_DELIVERY_DAYS, type DeliveryChannel } from './statement-lifecycle';

/** Portal only for a tenant with an active account; every other tenant gets a letter. */
export function channelFor(tenant: { hasActiveAccount: boolean }, requested: DeliveryChannel): DeliveryChannel {
  return requested === 'portal' && tenant.hasActiveAccount ? 'portal' : 'post';
}

export interface RecipientReceipt {
  channel: DeliveryChannel;
  /** YYYY-MM-DD; post only. */
  dispatchedOn: string | null;
  receivedOn: string;
  /** BGB §556(3): the last day the statement may reach the tenant. */
  deliveryDeadline: string;
  /** Received after that deadline, although delivered ("Frist versäumt"). */
  deadlineMissed: boolean;
  /** The last day of this tenant's objection window. */
  objectionDeadline: string;
}

/**
 * A recipient's receipt: the day of delivery in the portal; a letter's stated receipt date, else
 * its dispatch date plus three days. Refuses a receipt before the dispatch.
 */
export function recipientReceipt(input: {
  channel: DeliveryChannel;
  today: string;
  dispatchedOn?: string;
  receivedOn?: string;
  periodEnd: string;
  mode: ObjectionDeadlineMode;
}): RecipientReceipt {
  const dispatchedOn = input.channel === 'post' ? (input.dispatchedOn ?? input.today) : null;
  const receivedOn = dispatchedOn === null ? input.today : (input.receivedOn ?? addDays(dispatchedOn, POSTAL_DELIVERY_DAYS));
  if (dispatchedOn !== null && compareDates(receivedOn, dispatchedOn) < 0) {
    throw new RangeError('receivedOn: das Zugangsdatum darf nicht vor dem Versand liegen');
  }
  const check = checkDelivery(input.periodEnd, receivedOn);
  return {
    channel: input.channel,
    dispatchedOn,
    receivedOn,
    deliveryDeadline: check.deadline,
    deadlineMissed: !check.inTime,
    objectionDeadline: objectionDeadline(receivedOn, input.mode),
  };
}

/** The state a recipient shows on the statement page, from its facts. */
export type RecipientState = 'in-transit' | 'delivered' | 'opened' | 'objection';

export const RECIPIENT_STATE_LABELS: Readonly<Record<RecipientState, string>> = {
  'in-transit': 'per Post unterwegs',
  delivered: 'zugestellt',
  opened: 'geöffnet',
  objection: 'Einspruch',
};

/** An objection outweighs an opening, an opening a delivery; a letter not yet received is in transit. */
export function recipientState(
  recipient: { channel: DeliveryChannel; receivedOn: string; openedAt: string | null; objections: number },
  today: string,
): RecipientState {
  if (recipient.objections > 0) return 'objection';
  if (recipient.openedAt !== null) return 'opened';
  return recipient.channel === 'post' && compareDates(recipient.receivedOn, today) > 0 ? 'in-transit' : 'delivered';
}

/** "48 Empfänger: 30 zugestellt, 12 geöffnet, 5 per Post unterwegs, 1 Einspruch" (empty counts left out). */
export function recipientSummary(states: readonly RecipientState[]): string {
  const order: RecipientState[] = ['delivered', 'opened', 'in-transit', 'objection'];
  const parts = order
    .map((state) => ({ state, count: states.filter((s) => s === state).length }))
    .filter((part) => part.count > 0)
    .map((part) => `${part.count} ${RECIPIENT_STATE_LABELS[part.state]}`);
  return `${states.length} Empfänger${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** A recipient as the manager's statement page lists it. */
export interface RecipientView {
  occupancyId: number;
  unitId: number;
  unitLabel: string;
  /** The tenant's account the delivery went to (portal); null for a letter. */
  userId: number | null;
  tenantName: string;
  channel: 'portal' | 'post';
  dispatchedOn: string | null;
  receivedOn: string;
  deadlineMissed: boolean;
  objectionDeadline: string;
  openedAt: string | null;
  objections: number;
  state: RecipientState;
}

/** How long the reason of a receipt correction may be (it is proven in the recipient's chain). */
export const RECEIPT_REASON_MAX = 2_000;

export type ReceiptCorrectionField = 'receivedOn' | 'reason';

/** The German field labels the correction's errors name. */
export const RECEIPT_CORRECTION_LABELS: Readonly<Record<ReceiptCorrectionField, string>> = {
  receivedOn: 'Zugangsdatum',
  reason: 'Grund der Berichtigung',
};

function germanDay(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

/**
 * What is wrong with a manager's correction of one recipient's receipt date, per field (German,
 * naming the field); empty when it may be recorded. Only a letter has a receipt date to correct;
 * the receipt cannot precede the dispatch, and the reason is mandatory (it is proven).
 */
export function receiptCorrectionErrors(
  input: { receivedOn: string; reason: string },
  recipient: { channel: DeliveryChannel; dispatchedOn: string | null },
): Partial<Record<ReceiptCorrectionField, string>> {
  const errors: Partial<Record<ReceiptCorrectionField, string>> = {};
  const label = RECEIPT_CORRECTION_LABELS;
  if (recipient.channel !== 'post' || recipient.dispatchedOn === null)
    errors.receivedOn = `${label.receivedOn}: nur bei Zustellung per Post gibt es ein Zugangsdatum zu berichtigen.`;
  else if (!isDate(input.receivedOn)) errors.receivedOn = `${label.receivedOn}: bitte ein gültiges Datum angeben.`;
  else if (compareDates(input.receivedOn, recipient.dispatchedOn) < 0)
    errors.receivedOn = `${label.receivedOn}: darf nicht vor dem Versand am ${germanDay(recipient.dispatchedOn)} liegen.`;
  const reason = input.reason.trim();
  if (reason === '') errors.reason = `${label.reason}: bitte angeben, warum das Zugangsdatum berichtigt wird.`;
  else if (reason.length > RECEIPT_REASON_MAX) errors.reason = `${label.reason}: höchstens 2.000 Zeichen.`;
  return errors;
}
