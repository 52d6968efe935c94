// The lifecycle of one statement version as a pure state machine: which states follow which, what
// the portal calls them, and which proven steps exist. The workflow (workflows/statement-lifecycle.ts)
// drives it; pages only display it.
import { berlinWallTime } from './business-hours';
import { addDays } from './dates';

export const LIFECYCLE_STATES = ['draft', 'approved', 'delivered', 'opened', 'final', 'superseded'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** Every move the lifecycle allows. A correction supersedes a version in any state but final. */
const TRANSITIONS: Readonly<Record<LifecycleState, readonly LifecycleState[]>> = {
  draft: ['approved', 'superseded'],
  approved: ['delivered', 'superseded'],
  delivered: ['opened', 'final', 'superseded'],
  opened: ['final', 'superseded'],
  final: [],
  superseded: [],
};

export function canTransition(from: LifecycleState, to: LifecycleState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isEnded(state: LifecycleState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** The objection window runs once the statement has reached the tenant. */
export function objectionWindowRuns(state: LifecycleState): boolean {
  return state === 'delivered' || state === 'opened';
}

export const LIFECYCLE_STATE_LABELS: Readonly<Record<LifecycleState, string>> = {
  draft: 'Entwurf',
  approved: 'Freigegeben',
  delivered: 'Zugestellt',
  opened: 'Geöffnet',
  final: 'Bestandskräftig',
  superseded: 'Ersetzt',
};

export const PROOF_STEPS = [
  'created',
  'approved',
  'delivered',
  'receipt_corrected',
  'opened',
  'objection_filed',
  'corrected',
  'final',
  'objection_accepted_late',
] as const;
export type ProofStep = (typeof PROOF_STEPS)[number];

/** The brochure's timeline words. */
export const PROOF_STEP_LABELS: Readonly<Record<ProofStep, string>> = {
  created: 'Erzeugt',
  approved: 'Freigegeben',
  delivered: 'Zugestellt',
  receipt_corrected: 'Zugangsdatum berichtigt',
  opened: 'Geöffnet',
  objection_filed: 'Einspruch',
  corrected: 'Korrigiert (neue Version)',
  final: 'Bestandskräftig',
  objection_accepted_late: 'Verspäteter Einspruch angenommen',
};

export type DeliveryChannel = 'portal' | 'post';

/** Days a letter takes by default: the receipt date is the dispatch date plus these (correctable). */
export const POSTAL_DELIVERY_DAYS = 3;

/** Days before the BGB §556(3) deadline on which the managers are reminded. */
export const DELIVERY_REMINDER_DAYS: readonly number[] = [60, 30, 7];

/** Who may approve: a manager, or an owner the manager delegated the approval to. */
export function mayApprove(actor: { role: string; delegated?: boolean }): boolean {
  return actor.role === 'manager' || (actor.role === 'owner' && actor.delegated === true);
}

/** The end of a German calendar day: a deadline "until 31.12." lasts all of that day. */
export function endOfGermanDayMs(date: string): number {
  return berlinWallTime(addDays(date, 1), 0);
}

export const STATEMENT_STATUSES = ['draft', 'approved', 'delivered', 'final', 'superseded'] as const;

export type StatementStatus = (typeof STATEMENT_STATUSES)[number];
