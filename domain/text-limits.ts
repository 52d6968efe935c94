// How long each free-text field may be: one table for the forms (maxLength and the hint under the
// field) and for the server, which refuses longer input with a message naming the field before
// anything is stored or sent to Temporal. Never truncated silently. The workflows' own validators
// allow at least as much (ticket texts 10,000, appointment notes 2,000), so they never refuse first.

export const TEXT_LIMITS = {
  /** RFC 5321's path limit. */
  email: 254,
  password: 1024,
  ticketSubject: 200,
  ticketBody: 5_000,
  /** Replies, questions to the tenant, resolution notes, reopening reasons. */
  ticketMessage: 5_000,
  appointmentNote: 2_000,
  appointmentCancelReason: 2_000,
  objectionReason: 4_000,
} as const;

export type TextField = keyof typeof TEXT_LIMITS;

const integer = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 0 });

/** "5.000 Zeichen" */
export function formatLimit(max: number): string {
  return `${integer.format(max)} Zeichen`;
}

/** The hint under a field: "Höchstens 5.000 Zeichen." */
export function lengthHint(max: number): string {
  return `Höchstens ${formatLimit(max)}.`;
}

/**
 * A text as the browser meant it: forms send line breaks as CRLF, but maxLength counts them as one
 * character, so they are counted (and kept) as LF.
 */
export function normaliseText(value: string): string {
  return value.replace(/\r\n?/g, '\n');
}

/** The German refusal for a text over its limit, naming the field; null when it fits (or is no text). */
export function textTooLong(label: string, value: string, max: number): string | null {
  const length = normaliseText(value).length;
  if (length <= max) return null;
  return `${label}: höchstens ${formatLimit(max)} erlaubt, Ihre Eingabe hat ${integer.format(length)}. Bitte kürzen Sie den Text.`;
}
