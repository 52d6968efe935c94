// The contract of the statement lifecycle workflow: ids, states, inputs and message payloads, shared by the
// workflow, its activities, the server and the pages. Its messages are in workflows/shared/statement.ts.
import type { ObjectionDeadlineMode } from '../statement-deadlines';
import type { DeliveryChannel, LifecycleState } from '../statement-lifecycle';

export const STATEMENT_WORKFLOW_TYPE = 'statementLifecycle';

/** The patch from which a version is delivered per recipient (each tenant its channel, receipt and window). */
export const PER_RECIPIENT_PATCH = 'per-recipient-delivery';

/** ApplicationFailure type of an activity that finds its statement deleted: not worth retrying. */
export const STATEMENT_GONE = 'StatementGone';

/** Business id: one workflow per statement version. */
export function statementWorkflowId(statementId: number, version: number): string {
  return `statement-${statementId}-v${version}`;
}

export interface LifecycleActor {
  userId: number | null;
  /** E-mail (or "system"): what the proof names. */
  name: string;
  role: string;
  /** Owner with the manager's delegation to approve this property's statements. */
  delegated?: boolean;
  ip?: string | null;
}

export interface StatementLifecycleInput {
  statementId: number;
  version: number;
  propertyId: number;
  organisationId: number;
  periodStart: string;
  periodEnd: string;
  /** The statement's content hash (engine input): what the proof events refer to. */
  documentSha256: string;
  objectionMode: ObjectionDeadlineMode;
  /** Who created the version, and from where (the "created" event shows the IP like every other). */
  createdBy: { userId: number | null; name: string; ip?: string | null };
}

export interface DeliveryRecord {
  channel: DeliveryChannel;
  deliveredAt: string; // ISO instant the delivery was recorded
  dispatchedOn: string | null; // YYYY-MM-DD, post only
  receivedOn: string; // YYYY-MM-DD
}

export interface StatementLifecycleStatus {
  statementId: number;
  version: number;
  state: LifecycleState;
  deliveryDueAt: string; // ISO instant
  deliveryDeadlineMissed: boolean;
  remindersSent: string[];
  delivery: DeliveryRecord | null;
  openedAt: string | null;
  objectionDeadline: string | null; // YYYY-MM-DD (last day)
  objectionWindowEndsAt: string | null; // ISO instant
  objections: number;
  supersededByVersion: number | null;
  /** Delivered per recipient (since PER_RECIPIENT_PATCH): each tenant's channel, receipt and window. */
  recipients?: DeliveredRecipient[];
}

/** One tenant (occupancy) a version was delivered to, as the delivery recorded it. */
export interface DeliveredRecipient {
  occupancyId: number;
  unitId: number;
  /** The tenant's account at delivery; null: no account (delivered by post). */
  userId: number | null;
  channel: DeliveryChannel;
  dispatchedOn: string | null;
  receivedOn: string;
  deadlineMissed: boolean;
  objectionDeadline: string;
}

/** The delivery activity's input: the manager's request applied to every tenant of the version. */
export interface RecipientDeliveryInput {
  statementId: number;
  version: number;
  /** portal: the portal for tenants with an active account, a letter posted today for the others; post: letters for all. */
  channel: DeliveryChannel;
  dispatchedOn?: string;
  receivedOn?: string;
  /** The workflow's today (Berlin). */
  today: string;
  periodEnd: string;
  objectionMode: ObjectionDeadlineMode;
  actor: { userId: number | null; name: string };
  ip: string | null;
  documentSha256: string;
  /**
   * The version's workflow starts a workflow per recipient after this delivery: each row is named
   * with its id at once (RECIPIENTS_NAMED_AT_DELIVERY_PATCH). Absent for executions delivered before.
   */
  recipientWorkflows?: boolean;
}

export interface ApproveRequest {
  actor: LifecycleActor;
}

export type DeliverRequest =
  { actor: LifecycleActor; channel: 'portal' } | { actor: LifecycleActor; channel: 'post'; dispatchedOn: string; receivedOn?: string };

export interface CorrectReceiptRequest {
  actor: LifecycleActor;
  receivedOn: string;
}

/** A manager corrects one recipient's receipt date (a letter), with a mandatory reason. */
export interface CorrectRecipientReceiptRequest {
  actor: LifecycleActor;
  occupancyId: number;
  receivedOn: string;
  reason: string;
}

/** The correction activity's input: what the workflow decided, for the recipient's proof and row. */
export interface RecipientReceiptCorrectionInput {
  statementId: number;
  version: number;
  occupancyId: number;
  receivedOn: string;
  reason: string;
  periodEnd: string;
  objectionMode: ObjectionDeadlineMode;
  actor: { userId: number | null; name: string };
  ip: string | null;
  documentSha256: string;
  /** Unique per correction of this recipient (its number in the workflow): a retry records one event. */
  idempotencyKey: string;
}

export interface ObjectionRequest {
  actor: LifecycleActor;
  unitId: number;
  positions: string[];
  reason: string;
  /** Unique per filing (the form's token): a repeated submit records one objection. */
  idempotencyKey: string;
}

export interface OpenedSignal {
  actor: LifecycleActor;
  unitId: number;
  /** The SHA-256 of the document the tenant downloaded; absent for a view of the page. */
  documentSha256?: string;
  via: 'view' | 'download';
}

export interface SupersededSignal {
  actor: LifecycleActor;
  byStatementId: number;
  byVersion: number;
}

/** Dedupe key of a deadline reminder or escalation: each fires once per version. */
export function statementDedupeKey(statementId: number, version: number, event: string): string {
  return `${statementWorkflowId(statementId, version)}:${event}`;
}
