// The contract of the ticket workflow (`ticket-<id>`): ids, states, inputs and message payloads, shared by the
// workflow, its activities, the server and the pages. Its messages are in workflows/shared/ticket.ts.
import type { Role } from '../roles';
import type { FederalState } from '../holidays';
import type { MeasureState, SlaClock, SlaMatrix, SlaMeasure, TicketCategory, TicketPriority } from '../sla';

export const TICKET_WORKFLOW_TYPE = 'ticketWorkflow';

/** ApplicationFailure type of an activity that finds its ticket deleted: not worth retrying. */
export const TICKET_GONE = 'TicketGone';

export function ticketWorkflowId(ticketId: number): string {
  return `ticket-${ticketId}`;
}

/** Where staff and the tenant see the ticket (links in notifications and e-mails). */
export function ticketStaffPath(ticketId: number): string {
  return `/vorgaenge/${ticketId}`;
}

export function ticketTenantPath(ticketId: number): string {
  return `/anliegen/${ticketId}`;
}

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting_for_tenant', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_STATUS_LABELS: Readonly<Record<TicketStatus, string>> = {
  open: 'Offen',
  in_progress: 'In Bearbeitung',
  waiting_for_tenant: 'Rückfrage an Mieter',
  resolved: 'Gelöst',
  closed: 'Geschlossen',
};

/** The same states as the tenant reads them. */
export const TICKET_STATUS_LABELS_FOR_TENANT: Readonly<Record<TicketStatus, string>> = {
  ...TICKET_STATUS_LABELS,
  open: 'Eingegangen',
  waiting_for_tenant: 'Wartet auf Ihre Antwort',
};

export const TICKET_EVENT_KINDS = [
  'created',
  'assigned',
  'replied',
  'tenant_replied',
  'asked_tenant',
  'resolved',
  'reopened',
  'closed',
  'recategorised',
  'sla_warning',
  'sla_breached',
] as const;
export type TicketEventKind = (typeof TICKET_EVENT_KINDS)[number];

/** The timeline's words (the brochure's "Erstellt, Zugewiesen, Antwort, Gelöst"). */
export const TICKET_EVENT_LABELS: Readonly<Record<TicketEventKind, string>> = {
  created: 'Erstellt',
  assigned: 'Zugewiesen',
  replied: 'Antwort',
  tenant_replied: 'Antwort des Mieters',
  asked_tenant: 'Rückfrage an den Mieter',
  resolved: 'Gelöst',
  reopened: 'Wieder geöffnet',
  closed: 'Geschlossen',
  recategorised: 'Kategorie/Priorität geändert',
  sla_warning: 'SLA-Warnung (75 %)',
  sla_breached: 'SLA überschritten',
};

/** Steps the tenant does not see: the organisation's own bookkeeping. */
export const INTERNAL_TICKET_EVENTS: ReadonlySet<TicketEventKind> = new Set(['recategorised', 'sla_warning', 'sla_breached']);

/** Who did something: a signed-in user (checked by the app) or the workflow itself. */
export interface Actor {
  userId: number | null;
  name: string;
  role: Role | 'system';
}

export const SYSTEM_ACTOR: Actor = { userId: null, name: 'Klarmeter', role: 'system' };

/** Roles that work on tickets (the tenant files them, compliance only reads); the app limits technicians to their own. */
export function handlesTickets(actor: Actor): boolean {
  return actor.role === 'manager' || actor.role === 'technician';
}

/** Who routes tickets (assigns them, changes category and priority): the managers, and the workflow's default assignment. */
export function routesTickets(actor: Actor): boolean {
  return actor.role === 'manager' || actor.role === 'system';
}

export interface TicketWorkflowInput {
  ticketId: number;
  organisationId: number;
  propertyId: number;
  unitId: number | null;
  createdBy: number;
  category: TicketCategory;
  priority: TicketPriority;
  /** When the ticket was filed: the SLA clocks start here, even if the workflow starts later. */
  openedAtMs: number;
  /** The property's state: its public holidays are not business days. */
  federalState: FederalState;
  /** The organisation's matrix at filing time (defaults with its overrides). */
  slaMatrix: SlaMatrix;
  /** Sequence number of the last event already written (openTicket writes 'created' as 1). */
  lastSeq: number;
  /** Absent on a first start; set by the workflow when it continues as new. */
  carried?: TicketState;
  /** Whom the workflow assigns the ticket to as its first step (the property's technician for device work). */
  defaultAssignee?: { id: number; name: string };
}

/** Who is told about a step. The activity adds the organisation's managers when asked and leaves out the actor. */
export interface Audience {
  userIds: number[];
  managers: boolean;
}

export interface TicketNotice {
  seq: number;
  audience: Audience;
}

/** The workflow's whole state: one object, so that continue-as-new carries all of it. */
export interface TicketState {
  status: TicketStatus;
  category: TicketCategory;
  priority: TicketPriority;
  assigneeId: number | null;
  /** 1, and one more with every reopen: each round has its own resolution deadline. */
  round: number;
  /** Sequence number of the last step written. */
  seq: number;
  reaction: SlaMeasure;
  resolution: SlaMeasure;
  /** Since when the ticket waits for the tenant (the resolution clock stands still). */
  pausedAtMs: number | null;
  resolvedAtMs: number | null;
  closedAtMs: number | null;
  /** Steps written whose people have not been told yet. */
  outbox: TicketNotice[];
}

export interface AssignTicket {
  actor: Actor;
  assigneeId: number;
  assigneeName: string;
}

/** Reply, question to the tenant, resolution, reason to reopen, closing note. */
export interface TicketMessage {
  actor: Actor;
  text: string;
}

export interface RecategoriseTicket {
  actor: Actor;
  category: TicketCategory;
  priority: TicketPriority;
}

export interface MeasureView {
  state: MeasureState;
  clock: SlaClock;
  budgetMs: number;
  /** SLA time left (negative when overdue), counted on the measure's clock. */
  remainingMs: number;
  dueAt: string | null; // ISO instant; null while paused or ended
  warningAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  endedAt: string | null;
}

export interface TicketStatusView {
  ticketId: number;
  status: TicketStatus;
  category: TicketCategory;
  priority: TicketPriority;
  assigneeId: number | null;
  round: number;
  paused: boolean;
  reaction: MeasureView;
  resolution: MeasureView;
  autoCloseAt: string | null;
  /** The workflow time the view was computed at. */
  asOf: string;
}

/** What the tickets row mirrors after a step (lists are one SQL query over it). */
export interface TicketProjection {
  status: TicketStatus;
  category: TicketCategory;
  priority: TicketPriority;
  assigneeId: number | null;
  round: number;
  slaClock: SlaClock;
  reactionDueAt: string | null;
  resolutionDueAt: string | null;
  reactionRemainingMs: number | null;
  resolutionRemainingMs: number | null;
  slaPausedAt: string | null;
  reactedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reactionBreachedAt: string | null;
  resolutionBreachedAt: string | null;
}

export interface TicketEventRecord {
  ticketId: number;
  seq: number;
  kind: TicketEventKind;
  at: string; // ISO instant (workflow time)
  actor: Actor;
  body: string | null;
  details: Record<string, unknown>;
  projection: TicketProjection;
}

/** `ticket-<id>:<seq>` — one key per step: its notifications and e-mails go out once. */
export function ticketDedupeKey(ticketId: number, seq: number): string {
  return `${ticketWorkflowId(ticketId)}:${seq}`;
}
