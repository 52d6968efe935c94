// A tenant's objection that came after that tenant's objection window, accepted by the manager
// because the tenant is not responsible for the delay (BGB §556 Abs. 3 Satz 6, shared/HKVO.md §3).
// Pure rules: the fields the manager fills in, their German labels and what is wrong with them.
import { compareDates, isDate } from './dates';

/** The positions a tenant can dispute (the objection forms' checkboxes). */
export const OBJECTION_POSITIONS = [
  'Heizkosten',
  'Warmwasserkosten',
  'Kaltwasserkosten',
  'Verbrauchswerte',
  'Wohnfläche',
  'CO₂-Kostenaufteilung',
  'Nutzerwechsel',
  'Sonstiges',
] as const;

/** How long the objection's text and the reason may be (both are proven in the recipient's chain). */
export const LATE_OBJECTION_TEXT_MAX = 4_000;
export const LATE_OBJECTION_REASON_MAX = 2_000;

/** What the recorded reason says, before the manager's own words. */
export const LATE_OBJECTION_REASON_PREFIX = 'Mieter hat die Verspätung nicht zu vertreten: ';

export type LateObjectionField = 'receivedOn' | 'positions' | 'objection' | 'reason';

/** The German field labels the errors name. */
export const LATE_OBJECTION_LABELS: Readonly<Record<LateObjectionField, string>> = {
  receivedOn: 'Einspruch eingegangen am',
  positions: 'Beanstandete Positionen',
  objection: 'Einwendungen des Mieters',
  reason: 'Warum hat der Mieter die Verspätung nicht zu vertreten?',
};

/** A tenant's own late objection in the portal: what it disputes and why it could not object in time. */
export type LateRequestField = 'positions' | 'objection' | 'reason';

export const LATE_REQUEST_LABELS: Readonly<Record<LateRequestField, string>> = {
  positions: 'Beanstandete Positionen',
  objection: 'Ihre Einwendungen',
  reason: 'Warum konnten Sie die Frist nicht einhalten?',
};

export type LateRequestForm = Omit<LateObjectionForm, 'receivedOn'>;

/** The tenant page's form intent for it. */
export const LATE_REQUEST_INTENT = 'late-objection-request';

export interface LateObjectionForm {
  receivedOn: string;
  positions: string[];
  objection: string;
  reason: string;
}

function germanDay(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}

/**
 * What is wrong with the manager's acceptance, per field (German, naming the field); empty when it
 * may be recorded. Only an objection after the recipient's window is late: within the window the
 * tenant objects itself. The objection cannot have arrived before delivery, nor in the future.
 */
export function lateObjectionErrors(
  input: LateObjectionForm,
  recipient: { receivedOn: string; objectionDeadline: string; today: string },
): Partial<Record<LateObjectionField, string>> {
  const errors: Partial<Record<LateObjectionField, string>> = {};
  const label = LATE_OBJECTION_LABELS;
  if (!isDate(input.receivedOn)) errors.receivedOn = `${label.receivedOn}: bitte ein gültiges Datum angeben.`;
  else if (compareDates(input.receivedOn, recipient.today) > 0)
    errors.receivedOn = `${label.receivedOn}: darf nicht in der Zukunft liegen.`;
  else if (compareDates(input.receivedOn, recipient.objectionDeadline) <= 0)
    errors.receivedOn = `${label.receivedOn}: liegt in der Einspruchsfrist (bis ${germanDay(recipient.objectionDeadline)}); ein solcher Einspruch ist nicht verspätet.`;
  else if (compareDates(input.receivedOn, recipient.receivedOn) < 0)
    errors.receivedOn = `${label.receivedOn}: darf nicht vor dem Zugang der Abrechnung liegen.`;
  return { ...errors, ...objectionContentErrors(input, label) };
}

/** The reason as the proof records it: "Mieter hat die Verspätung nicht zu vertreten: …". */
export function recordedLateReason(reason: string): string {
  const own = reason.trim();
  return own.startsWith(LATE_OBJECTION_REASON_PREFIX.trim()) ? own : `${LATE_OBJECTION_REASON_PREFIX}${own}`;
}

/** What is wrong with the positions, the objection's text and the reason for the delay, per field. */
function objectionContentErrors(
  input: LateRequestForm,
  label: Readonly<Record<LateRequestField, string>>,
): Partial<Record<LateRequestField, string>> {
  const errors: Partial<Record<LateRequestField, string>> = {};
  const known = input.positions.filter((p) => (OBJECTION_POSITIONS as readonly string[]).includes(p));
  if (known.length === 0 || known.length !== input.positions.length)
    errors.positions = `${label.positions}: bitte mindestens eine der genannten Positionen auswählen.`;
  const objection = input.objection.trim();
  if (objection === '') errors.objection = `${label.objection}: bitte angeben, was beanstandet wird.`;
  else if (objection.length > LATE_OBJECTION_TEXT_MAX) errors.objection = `${label.objection}: höchstens 4.000 Zeichen.`;
  const reason = input.reason.trim();
  if (reason === '') errors.reason = `${label.reason}: bitte angeben (Pflicht nach §556 Abs. 3 Satz 6 BGB).`;
  else if (reason.length > LATE_OBJECTION_REASON_MAX) errors.reason = `${label.reason}: höchstens 2.000 Zeichen.`;
  return errors;
}

/**
 * What is wrong with a tenant's own late objection, per field (German, naming the field); empty
 * when it may be sent to the manager, who decides whether the delay is excused.
 */
export function lateRequestErrors(input: LateRequestForm): Partial<Record<LateRequestField, string>> {
  return objectionContentErrors(input, LATE_REQUEST_LABELS);
}
