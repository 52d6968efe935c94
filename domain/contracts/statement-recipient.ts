// The contract of the recipient workflow (docs/decisions/0013): one per tenant a statement version
// was delivered to, started as a child of the version's workflow. It owns that tenant's opening,
// objection, receipt correction and objection window, so the version's own history does not grow
// with the number of tenants, and the compliance desk lists each tenant's window as an obligation.
import type { ObjectionDeadlineMode } from '../statement-deadlines';
import { statementWorkflowId, type DeliveredRecipient } from './statement';

export const RECIPIENT_WORKFLOW_TYPE = 'statementRecipient';

/** KlarObligation of the recipient workflows. */
export const RECIPIENT_OBLIGATION = 'statement-recipient';

/** The patch from which the version's workflow starts a workflow per recipient after the delivery. */
export const RECIPIENT_WORKFLOWS_PATCH = 'recipient-workflows';

/**
 * The patch from which the delivery itself names each recipient's workflow on its row (in the row's
 * own transaction), before the version's workflow has started them: the web sends a tenant's
 * messages there from the first second and waits for the start, so no opening lands in the version's
 * workflow meanwhile. Executions with it start the recipient workflows (RECIPIENT_WORKFLOWS_PATCH) too.
 */
export const RECIPIENTS_NAMED_AT_DELIVERY_PATCH = 'recipients-named-at-delivery';

/**
 * The patch from which the recipient workflow (and an accepted late objection's) appends the tenant's
 * own stored chain after each step and keeps its signed heads in the history (issue 10).
 */
export const RECIPIENT_CHAIN_PATCH = 'recipient-chain';

/** One recipient's stored chain: a version's delivery to one occupancy. */
export interface RecipientChainInput {
  statementId: number;
  version: number;
  occupancyId: number;
}

/** Business id: one workflow per recipient of a version, under the version's own id. */
export function recipientWorkflowId(statementId: number, version: number, occupancyId: number): string {
  return `${recipientWorkflowIdPrefix(statementId, version)}${occupancyId}`;
}

/** What the ids of a version's recipient workflows start with (a visibility query lists them). */
export function recipientWorkflowIdPrefix(statementId: number, version: number): string {
  return `${statementWorkflowId(statementId, version)}-recipient-`;
}

export interface StatementRecipientInput {
  statementId: number;
  version: number;
  organisationId: number;
  propertyId: number;
  periodEnd: string;
  objectionMode: ObjectionDeadlineMode;
  /** What the proof events refer to: the approved PDFs' manifest. */
  documentSha256: string;
  recipient: DeliveredRecipient;
}

export type RecipientState = 'delivered' | 'opened' | 'final' | 'superseded';

export const RECIPIENT_STATE_LABELS: Readonly<Record<RecipientState, string>> = {
  delivered: 'Zugestellt',
  opened: 'Geöffnet',
  final: 'Einspruchsfrist abgelaufen',
  superseded: 'Ersetzt',
};

export interface StatementRecipientStatus {
  statementId: number;
  version: number;
  state: RecipientState;
  recipient: DeliveredRecipient;
  openedAt: string | null;
  objections: number;
}

/** A recipient's receipt date was corrected: the version's record follows, and it stays open until the last window ends. */
export interface RecipientCorrectedSignal {
  recipient: DeliveredRecipient;
}

/** The activity that names the started recipient workflows on their rows (the web sends there from then on). */
export interface RecipientWorkflowsInput {
  statementId: number;
  version: number;
  occupancyIds: number[];
}
