// Tickets in the web app (who may do what with them and with appointment requests:
// domain/permissions.ts): filing one (`openTicket`, reusable by other features such as statement objections),
// the scoped queries behind the pages, and the workflow updates the pages' actions call.
import type { UpdateDefinition } from '@temporalio/common';
import { QueryTypes, type Transaction } from 'sequelize';
import { LIVE_CHANNEL, type Db } from '../db';
import { ticketLiveEvent } from './ticket-obligation';
import { db as sharedDb } from './db';
import { appendAudit } from '../db/audit';
import { isFederalState, type FederalState } from '../domain/holidays';
import {
  describeBudget,
  dueAtOf,
  slaMatrixWith,
  startMeasure,
  type MeasureState,
  type SlaClock,
  type SlaMatrix,
  type TicketCategory,
  type TicketPriority,
} from '../domain/sla';
import { triageTicket, type TicketTopic } from '../domain/ticket-triage';
import type { CountdownSla, TimelineItem, Tone } from '../domain/timeline';
import {
  askTenant,
  assignTicket,
  closeTicket,
  getTicketStatus,
  recategoriseTicket,
  reopenTicket,
  replyToTicket,
  resolveTicket,
} from '../workflows/shared/ticket';
import {
  INTERNAL_TICKET_EVENTS,
  TICKET_EVENT_LABELS,
  TICKET_STATUSES,
  TICKET_WORKFLOW_TYPE,
  ticketWorkflowId,
  type Actor,
  type MeasureView,
  type TicketEventKind,
  type TicketStatus,
  type TicketStatusView,
  type TicketWorkflowInput,
} from '../domain/contracts/ticket';
import { currentTenancies } from './permissions';
import { hasPermission } from '../domain/permissions';
import { ASSIGNEE_ROLES, ASSIGNEE_ROLE_LABELS, isDeviceWork, type AssigneeRole } from '../domain/work-routing';
import { TEXT_LIMITS, textTooLong } from '../domain/text-limits';
import type { SessionUser } from './session';
import {
  runUpdate,
  startOnce,
  temporalClient,
  temporalSettings,
  type LiveStatus,
  type StartOnce,
  type UpdateArgument,
  type UpdateOutcome,
  type WorkflowOptions,
} from './temporal';
import type { ticketWorkflow } from '../workflows/ticket';
import { deliverNow, enqueueWorkflowStart, isQueued, queryLiveOrQueued, type OutboxEntry } from './outbox';

// ---- actors ----

export function actorOf(user: SessionUser): Actor {
  return { userId: user.id, name: user.name, role: user.role };
}

// ---- filing a ticket ----

export async function loadSlaMatrix(database: Db, organisationId: number, transaction?: Transaction): Promise<SlaMatrix> {
  const rules = await database.models.TicketSlaRule.findAll({ where: { organisationId }, transaction });
  return slaMatrixWith(rules.map((r) => r.get({ plain: true })));
}

export function federalStateOf(property: { id: number; federalState: string }): FederalState {
  if (!isFederalState(property.federalState))
    throw new RangeError(`property ${property.id}: unknown federal state ${property.federalState}`);
  return property.federalState;
}

/** The workflow's first assignee: the property's technician for device work, else nobody (a manager routes it). */
export async function defaultAssigneeOf(
  database: Db,
  property: { organisationId: number; technicianId: number | null },
  category: TicketCategory,
  transaction?: Transaction,
): Promise<{ id: number; name: string } | undefined> {
  if (!isDeviceWork(category) || property.technicianId === null) return undefined;
  const technician = await database.models.User.findOne({
    where: { id: property.technicianId, organisationId: property.organisationId, role: 'technician' },
    transaction,
  });
  return technician ? { id: technician.id, name: technician.name } : undefined;
}

export interface OpenTicketInput {
  organisationId: number;
  propertyId: number;
  unitId: number | null;
  createdBy: number;
  /** Set by the caller when it knows better than triage (a statement objection); else triage decides. */
  category?: TicketCategory;
  topic: TicketTopic;
  subject: string;
  body: string;
  linked?: { kind: 'statement'; id: number; version: number };
}

/**
 * Files a ticket: writes the row, its first history step and its workflow start (the outbox) in one
 * transaction, then starts the workflow at once. Should Temporal be away, the ticket is filed all
 * the same (`queued`: the page says "wird bearbeitet") and the relay starts its workflow later. Pass
 * `transaction` to file it as part of a larger change. The caller has checked that `createdBy` may
 * file for this unit.
 */
export interface OpenTicketOptions extends WorkflowOptions {
  transaction?: Transaction;
}

export async function openTicket(
  input: OpenTicketInput,
  options: OpenTicketOptions = {},
): Promise<{ ticketId: number; workflowId: string; queued: boolean }> {
  const database = options.db ?? sharedDb();
  const subject = input.subject.trim();
  const body = input.body.trim();
  const tooLong = textTooLong('Betreff', subject, TEXT_LIMITS.ticketSubject) ?? textTooLong('Beschreibung', body, TEXT_LIMITS.ticketBody);
  if (tooLong) throw new RangeError(tooLong);
  const triage = triageTicket({ topic: input.topic, subject, body, linked: input.linked ?? null });
  const category = input.category ?? triage.category;
  const reasons =
    input.category && input.category !== triage.category
      ? [...triage.reasons, 'Kategorie vom auslösenden Vorgang vorgegeben']
      : triage.reasons;

  const write = async (transaction: Transaction) => {
    const { Property, User, Ticket, TicketEvent } = database.models;
    const property = await Property.findOne({
      where: { id: input.propertyId, organisationId: input.organisationId },
      transaction,
      rejectOnEmpty: true,
    });
    const creator = await User.findOne({
      where: { id: input.createdBy, organisationId: input.organisationId },
      transaction,
      rejectOnEmpty: true,
    });
    const matrix = await loadSlaMatrix(database, input.organisationId, transaction);
    const target = matrix[category][triage.priority];
    const openedAt = new Date();
    const calendar = { federalState: federalStateOf(property) };
    const dueAt = (budgetMs: number) => new Date(dueAtOf(startMeasure(budgetMs, target.clock, openedAt.getTime()), calendar)!);
    const ticket = await Ticket.create(
      {
        organisationId: input.organisationId,
        propertyId: input.propertyId,
        unitId: input.unitId,
        createdBy: input.createdBy,
        topic: input.topic,
        subject,
        body,
        category,
        priority: triage.priority,
        triageReasons: reasons,
        linkedKind: input.linked?.kind ?? null,
        linkedId: input.linked?.id ?? null,
        linkedVersion: input.linked?.version ?? null,
        status: 'open',
        slaClock: target.clock,
        reactionDueAt: dueAt(target.reactionMs),
        resolutionDueAt: dueAt(target.resolutionMs),
        createdAt: openedAt,
      },
      { transaction },
    );
    await TicketEvent.create(
      {
        ticketId: ticket.id,
        seq: 1,
        kind: 'created',
        visibility: 'public',
        actorId: creator.id,
        actorName: creator.name,
        actorRole: creator.role,
        at: openedAt,
        body,
        details: { topic: input.topic, category, priority: triage.priority, reasons, linked: input.linked ?? null },
      },
      { transaction },
    );
    // Open lists show the new ticket at once (NOTIFY is delivered at commit); the workflow's steps notify from then on.
    await database.notify(LIVE_CHANNEL, ticketLiveEvent(ticket), transaction);
    await appendAudit(
      database,
      {
        organisationId: input.organisationId,
        actorId: creator.id,
        actor: creator.email,
        action: 'ticket.opened',
        entity: 'ticket',
        entityId: ticket.id,
        details: { category, priority: triage.priority, linked: input.linked ?? null },
      },
      transaction,
    );
    const workflowInput: TicketWorkflowInput = {
      ticketId: ticket.id,
      organisationId: input.organisationId,
      propertyId: input.propertyId,
      unitId: input.unitId,
      createdBy: input.createdBy,
      category,
      priority: triage.priority,
      openedAtMs: openedAt.getTime(),
      federalState: calendar.federalState,
      slaMatrix: matrix,
      lastSeq: 1,
      defaultAssignee: await defaultAssigneeOf(database, property, category, transaction),
    };
    return workflowInput;
  };

  let workflowInput: TicketWorkflowInput;
  let entry: OutboxEntry;
  const writeWithStart = async (transaction: Transaction) => {
    workflowInput = await write(transaction);
    entry = await enqueueWorkflowStart(transaction, ticketWorkflowStart(workflowInput, options));
  };
  if (options.transaction) {
    // Part of a larger change: the workflow starts when that transaction commits (else the relay starts it).
    await writeWithStart(options.transaction);
    options.transaction.afterCommit(() => void deliverNow([entry], options));
    return { ticketId: workflowInput!.ticketId, workflowId: ticketWorkflowId(workflowInput!.ticketId), queued: true };
  }
  await database.sequelize.transaction(writeWithStart);
  const delivered = await deliverNow([entry!], options);
  return {
    ticketId: workflowInput!.ticketId,
    workflowId: ticketWorkflowId(workflowInput!.ticketId),
    queued: delivered.get(entry!.id)?.status !== 'sent',
  };
}

function ticketWorkflowStart(input: TicketWorkflowInput, options: WorkflowOptions): StartOnce<typeof ticketWorkflow> {
  return {
    workflowType: TICKET_WORKFLOW_TYPE,
    workflowId: ticketWorkflowId(input.ticketId),
    taskQueue: options.taskQueue ?? temporalSettings().taskQueue,
    args: [input],
    identity: { obligation: 'ticket', organisationId: input.organisationId, propertyId: input.propertyId, unitId: input.unitId },
  };
}

export async function startTicketWorkflow(input: TicketWorkflowInput, options: WorkflowOptions = {}): Promise<void> {
  await startOnce(options.client ?? temporalClient(), ticketWorkflowStart(input, options));
}

/**
 * Starts the workflow of a ticket that has none (its start after commit failed). Only a ticket
 * nothing has happened to yet can be started from its row; a started one is left alone.
 */
export async function ensureTicketWorkflow(ticketId: number, options: WorkflowOptions = {}): Promise<boolean> {
  const database = options.db ?? sharedDb();
  const ticket = await database.models.Ticket.findByPk(ticketId);
  if (!ticket || ticket.eventSeq !== 1 || ticket.status !== 'open') return false;
  const property = await database.models.Property.findByPk(ticket.propertyId, { rejectOnEmpty: true });
  await startTicketWorkflow(
    {
      ticketId: ticket.id,
      organisationId: ticket.organisationId,
      propertyId: ticket.propertyId,
      unitId: ticket.unitId,
      createdBy: ticket.createdBy,
      category: ticket.category,
      priority: ticket.priority,
      openedAtMs: ticket.createdAt.getTime(),
      federalState: federalStateOf(property),
      slaMatrix: await loadSlaMatrix(database, ticket.organisationId),
      lastSeq: 1,
      defaultAssignee: await defaultAssigneeOf(database, property, ticket.category),
    },
    options,
  );
  return true;
}

const TICKET_ENDED = 'Der Vorgang ist abgeschlossen und kann nicht mehr geändert werden.';

/** What staff and tenants may do to a ticket: each a workflow update whose validator has the last word. */
const TICKET_UPDATES = {
  assign: assignTicket,
  reply: replyToTicket,
  askTenant,
  resolve: resolveTicket,
  reopen: reopenTicket,
  close: closeTicket,
  recategorise: recategoriseTicket,
} as const;
export type TicketChange = keyof typeof TICKET_UPDATES;

/** An update of the ticket's workflow; a ticket whose workflow never started gets it first. */
export async function updateTicket<C extends TicketChange>(
  ticketId: number,
  change: C,
  arg: UpdateArgument<(typeof TICKET_UPDATES)[C]>,
  options: WorkflowOptions = {},
): Promise<UpdateOutcome<TicketStatusView>> {
  // Refused here, before a byte of it travels to Temporal (the workflow allows more than the form).
  const text = (arg as { text?: unknown }).text;
  const tooLong = typeof text === 'string' ? textTooLong('Nachricht', text, TEXT_LIMITS.ticketMessage) : null;
  if (tooLong) return { ok: false, message: tooLong };
  const client = options.client ?? temporalClient();
  const update = TICKET_UPDATES[change] as UpdateDefinition<TicketStatusView, [typeof arg]>;
  const outcome = await runUpdate(client, ticketWorkflowId(ticketId), update, arg, TICKET_ENDED);
  if (outcome.ok || outcome.message !== TICKET_ENDED || !(await ensureTicketWorkflow(ticketId, options))) return outcome;
  return runUpdate(client, ticketWorkflowId(ticketId), update, arg, TICKET_ENDED);
}

/**
 * The workflow's live view, or "wird bearbeitet" while its start or a change waits in the outbox.
 * Only reads: a ticket without workflow is repaired by the relay and the reconciler.
 */
export function ticketWorkflowStatus(ticketId: number, options: WorkflowOptions = {}): Promise<LiveStatus<TicketStatusView>> {
  const client = options.client ?? temporalClient();
  const workflowId = ticketWorkflowId(ticketId);
  return queryLiveOrQueued(workflowId, () => client.workflow.getHandle(workflowId).query(getTicketStatus), { client, db: options.db });
}

/** Whether the ticket's workflow still waits for something from the outbox (its start, usually). */
export function ticketQueued(ticketId: number, options: WorkflowOptions = {}): Promise<boolean> {
  return isQueued(ticketWorkflowId(ticketId), options.db);
}

// ---- reading tickets ----

/** What a list row or a page needs to show the current deadline and count it down. */
export interface SlaSummary {
  /** The deadline that matters now: reaction until answered, then resolution; null once resolved or closed. */
  measure: 'reaction' | 'resolution' | null;
  state: MeasureState | 'done';
  dueAt: string | null;
  /** While paused: SLA time that was left when the tenant was asked. */
  remainingMs: number | null;
  clock: SlaClock;
  federalState: FederalState;
  breached: boolean;
}

export interface TicketRow {
  id: number;
  subject: string;
  topic: TicketTopic;
  category: TicketCategory;
  priority: TicketPriority;
  status: TicketStatus;
  createdAt: string;
  creatorName: string;
  assigneeId: number | null;
  assigneeName: string | null;
  propertyId: number;
  propertyName: string;
  unitId: number | null;
  unitLabel: string | null;
  sla: SlaSummary;
}

interface TicketRecord {
  id: number;
  subject: string;
  topic: TicketTopic;
  body: string;
  category: TicketCategory;
  priority: TicketPriority;
  status: TicketStatus;
  round: number;
  triageReasons: string[];
  linkedKind: string | null;
  linkedId: number | null;
  linkedVersion: number | null;
  createdAt: Date;
  createdBy: number;
  creatorName: string;
  assigneeId: number | null;
  assigneeName: string | null;
  propertyId: number;
  propertyName: string;
  propertyStreet: string;
  federalState: string;
  unitId: number | null;
  unitLabel: string | null;
  slaClock: SlaClock;
  reactionDueAt: Date | null;
  resolutionDueAt: Date | null;
  reactionRemainingMs: number | null;
  resolutionRemainingMs: number | null;
  slaPausedAt: Date | null;
  reactedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  reactionBreachedAt: Date | null;
  resolutionBreachedAt: Date | null;
}

const TICKET_SELECT = `
  SELECT t.id, t.subject, t.topic, t.body, t.category, t.priority, t.status, t.round, t.triage_reasons AS "triageReasons",
         t.linked_kind AS "linkedKind", t.linked_id AS "linkedId", t.linked_version AS "linkedVersion",
         t.created_at AS "createdAt", t.created_by AS "createdBy", c.name AS "creatorName",
         t.assignee_id AS "assigneeId", a.name AS "assigneeName",
         t.property_id AS "propertyId", p.name AS "propertyName", p.street AS "propertyStreet", p.federal_state AS "federalState",
         t.unit_id AS "unitId", u.label AS "unitLabel", t.sla_clock AS "slaClock",
         t.reaction_due_at AS "reactionDueAt", t.resolution_due_at AS "resolutionDueAt",
         t.reaction_remaining_ms AS "reactionRemainingMs", t.resolution_remaining_ms AS "resolutionRemainingMs",
         t.sla_paused_at AS "slaPausedAt", t.reacted_at AS "reactedAt", t.resolved_at AS "resolvedAt", t.closed_at AS "closedAt",
         t.reaction_breached_at AS "reactionBreachedAt", t.resolution_breached_at AS "resolutionBreachedAt"
    FROM tickets t
    JOIN properties p ON p.id = t.property_id
    JOIN users c ON c.id = t.created_by
    LEFT JOIN users a ON a.id = t.assignee_id
    LEFT JOIN units u ON u.id = t.unit_id`;

/**
 * Tenants see the tickets they filed for a unit they still rent; technicians those of the properties
 * they serve and those assigned to them; managers and compliance all of the organisation's.
 */
async function ticketScope(user: SessionUser): Promise<{ sql: string; replacements: Record<string, unknown> } | null> {
  if (hasPermission(user, 'read:ticket:any'))
    return { sql: 't.organisation_id = :organisationId', replacements: { organisationId: user.organisationId } };
  if (!hasPermission(user, 'read:ticket:own')) return null;
  if (worksOnTickets(user))
    return {
      sql: 't.organisation_id = :organisationId AND (p.technician_id = :userId OR t.assignee_id = :userId)',
      replacements: { organisationId: user.organisationId, userId: user.id },
    };
  const unitIds = (await currentTenancies(user)).map((t) => t.unitId);
  if (unitIds.length === 0) return null;
  return {
    sql: 't.organisation_id = :organisationId AND t.created_by = :userId AND t.unit_id IN (:unitIds)',
    replacements: { organisationId: user.organisationId, userId: user.id, unitIds },
  };
}

function slaSummaryOf(record: TicketRecord): SlaSummary {
  const federalState = isFederalState(record.federalState) ? record.federalState : 'BE';
  const base = {
    clock: record.slaClock,
    federalState,
    breached: record.reactionBreachedAt !== null || record.resolutionBreachedAt !== null,
  };
  if (record.status === 'resolved' || record.status === 'closed')
    return { ...base, measure: null, state: 'done', dueAt: null, remainingMs: null };
  const measure = record.reactedAt === null ? 'reaction' : 'resolution';
  const dueAt = measure === 'reaction' ? record.reactionDueAt : record.resolutionDueAt;
  const breachedAt = measure === 'reaction' ? record.reactionBreachedAt : record.resolutionBreachedAt;
  if (record.status === 'waiting_for_tenant') {
    const remainingMs = Number(measure === 'reaction' ? record.reactionRemainingMs : record.resolutionRemainingMs);
    return { ...base, measure, state: remainingMs <= 0 ? 'breached' : 'paused', dueAt: null, remainingMs };
  }
  const overdue = breachedAt !== null || (dueAt !== null && dueAt.getTime() <= Date.now());
  return { ...base, measure, state: overdue ? 'breached' : 'running', dueAt: dueAt?.toISOString() ?? null, remainingMs: null };
}

function rowOf(record: TicketRecord): TicketRow {
  return {
    id: record.id,
    subject: record.subject,
    topic: record.topic,
    category: record.category,
    priority: record.priority,
    status: record.status,
    createdAt: new Date(record.createdAt).toISOString(),
    creatorName: record.creatorName,
    assigneeId: record.assigneeId,
    assigneeName: record.assigneeName,
    propertyId: record.propertyId,
    propertyName: record.propertyName,
    unitId: record.unitId,
    unitLabel: record.unitLabel,
    sla: slaSummaryOf(record),
  };
}

export const TICKET_LIST_VIEWS = ['active', 'mine', 'breached', 'done', 'all'] as const;
export type TicketListView = (typeof TICKET_LIST_VIEWS)[number];

const VIEW_CONDITIONS: Record<TicketListView, string> = {
  active: "t.status NOT IN ('resolved','closed')",
  mine: "t.status NOT IN ('resolved','closed') AND t.assignee_id = :userId",
  breached: "t.status NOT IN ('resolved','closed') AND (t.reaction_breached_at IS NOT NULL OR t.resolution_breached_at IS NOT NULL)",
  done: "t.status IN ('resolved','closed')",
  all: 'true',
};

export const TICKET_LIST_LIMIT = 200;

/** The tickets the user may see, most pressing first: open ones by their current deadline, then the rest, newest first. */
export async function listTickets(user: SessionUser, view: TicketListView = 'all'): Promise<TicketRow[]> {
  const scope = await ticketScope(user);
  if (!scope) return [];
  const records = await sharedDb().sequelize.query<TicketRecord>(
    `${TICKET_SELECT}
      WHERE ${scope.sql} AND ${VIEW_CONDITIONS[view]}
      ORDER BY (t.status IN ('resolved','closed')), (t.status = 'waiting_for_tenant'),
               CASE WHEN t.reacted_at IS NULL THEN t.reaction_due_at ELSE t.resolution_due_at END ASC NULLS LAST, t.id DESC
      LIMIT ${TICKET_LIST_LIMIT}`,
    { replacements: { ...scope.replacements, userId: user.id }, type: QueryTypes.SELECT },
  );
  return records.map(rowOf);
}

export interface TimelineEntry {
  seq: number;
  kind: TicketEventKind;
  at: string;
  actorId: number | null;
  actorName: string;
  actorRole: string;
  body: string | null;
  details: Record<string, unknown>;
  internal: boolean;
}

export interface TicketDetail extends TicketRow {
  body: string;
  round: number;
  createdBy: number;
  triageReasons: string[];
  linked: { kind: string; id: number; version: number | null } | null;
  propertyStreet: string;
  reactionDueAt: string | null;
  resolutionDueAt: string | null;
  reactedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  reactionBreachedAt: string | null;
  resolutionBreachedAt: string | null;
  timeline: TimelineEntry[];
}

/** The ticket with its history if the user may see it, else null (the page answers 404). Tenants get the public steps only. */
export async function findTicket(user: SessionUser, ticketId: number): Promise<TicketDetail | null> {
  const scope = await ticketScope(user);
  if (!scope) return null;
  const database = sharedDb();
  const [record] = await database.sequelize.query<TicketRecord>(`${TICKET_SELECT} WHERE ${scope.sql} AND t.id = :ticketId`, {
    replacements: { ...scope.replacements, ticketId },
    type: QueryTypes.SELECT,
  });
  if (!record) return null;
  const staff = seesTicketsAsStaff(user);
  const events = await database.models.TicketEvent.findAll({ where: { ticketId }, order: [['seq', 'ASC']] });
  const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
  return {
    ...rowOf(record),
    body: record.body,
    round: record.round,
    createdBy: record.createdBy,
    triageReasons: staff ? record.triageReasons : [],
    linked:
      record.linkedKind && record.linkedId !== null
        ? { kind: record.linkedKind, id: record.linkedId, version: record.linkedVersion }
        : null,
    propertyStreet: record.propertyStreet,
    reactionDueAt: iso(record.reactionDueAt),
    resolutionDueAt: iso(record.resolutionDueAt),
    reactedAt: iso(record.reactedAt),
    resolvedAt: iso(record.resolvedAt),
    closedAt: iso(record.closedAt),
    reactionBreachedAt: iso(record.reactionBreachedAt),
    resolutionBreachedAt: iso(record.resolutionBreachedAt),
    timeline: events
      .filter((e) => staff || !INTERNAL_TICKET_EVENTS.has(e.kind))
      .map((e) => ({
        seq: e.seq,
        kind: e.kind,
        at: e.at.toISOString(),
        actorId: e.actorId,
        actorName: e.actorName,
        actorRole: e.actorRole,
        body: e.body,
        details: e.details,
        internal: INTERNAL_TICKET_EVENTS.has(e.kind),
      })),
  };
}

/** Technicians: they work on tickets (their scope's) without seeing the whole organisation's. */
export function worksOnTickets(user: { role: SessionUser['role'] }): boolean {
  return hasPermission(user, 'handle:ticket:own') && !hasPermission(user, 'handle:ticket:any');
}

/** Whether the user reads tickets as the organisation does (internal steps included) rather than as the tenant who filed them. */
export function seesTicketsAsStaff(user: { role: SessionUser['role'] }): boolean {
  return hasPermission(user, 'read:ticket:any') || hasPermission(user, 'handle:ticket:own');
}

export interface Assignee {
  id: number;
  name: string;
  role: AssigneeRole;
  /** "Petra Wagner (Technik)": the option's text. */
  label: string;
}

/** Who a ticket can be assigned to: the organisation's managers and technicians. */
export async function assignableUsers(organisationId: number): Promise<Assignee[]> {
  const users = await sharedDb().models.User.findAll({
    where: { organisationId, role: [...ASSIGNEE_ROLES] },
    attributes: ['id', 'name', 'role'],
    order: [
      ['role', 'ASC'],
      ['name', 'ASC'],
    ],
  });
  return users.map((u) => {
    const role = u.role as AssigneeRole;
    return { id: u.id, name: u.name, role, label: `${u.name} (${ASSIGNEE_ROLE_LABELS[role]})` };
  });
}

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}

export interface TicketCounts {
  active: number;
  breached: number;
  waiting: number;
  resolvedLast30Days: number;
}

/** The figures above the list, for the whole organisation. */
export async function ticketCounts(user: SessionUser): Promise<TicketCounts> {
  const [counts = { active: 0, breached: 0, waiting: 0, resolvedLast30Days: 0 }] = await sharedDb().sequelize.query<TicketCounts>(
    `SELECT count(*) FILTER (WHERE status NOT IN ('resolved','closed'))::int AS active,
            count(*) FILTER (WHERE status NOT IN ('resolved','closed') AND (reaction_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL))::int AS breached,
            count(*) FILTER (WHERE status = 'waiting_for_tenant')::int AS waiting,
            count(*) FILTER (WHERE resolved_at > now() - interval '30 days')::int AS "resolvedLast30Days"
       FROM tickets WHERE organisation_id = :organisationId`,
    { replacements: { organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
  return counts;
}

const EVENT_TONES: Partial<Record<TicketEventKind, Tone>> = {
  created: 'unknown',
  assigned: 'green',
  replied: 'green',
  asked_tenant: 'yellow',
  resolved: 'green',
  reopened: 'yellow',
  sla_warning: 'yellow',
  sla_breached: 'red',
};

const DEADLINE_NAMES: Record<string, string> = { reaction: 'Reaktionsfrist', resolution: 'Lösungsfrist' };

/** The history as the timeline shows it; the viewer reads "Sie" where it acted itself. */
export function ticketTimelineItems(entries: TimelineEntry[], viewerId: number): TimelineItem[] {
  return entries.map((entry) => {
    const deadline = DEADLINE_NAMES[String(entry.details.measure)] ?? 'Frist';
    const labels: Partial<Record<TicketEventKind, string>> = {
      assigned: `Zugewiesen an ${String(entry.details.assigneeName ?? '')}`.trim(),
      reopened: `Wieder geöffnet (Runde ${String(entry.details.round ?? '')})`,
      sla_warning: `SLA-Warnung: ${deadline} zu 75 % verbraucht`,
      sla_breached: `SLA überschritten: ${deadline}`,
    };
    const notes: Partial<Record<TicketEventKind, string>> = {
      asked_tenant: 'Die Frist ruht bis zur Antwort.',
      tenant_replied: entry.details.resumed ? 'Die Frist läuft weiter.' : '',
      closed: entry.details.automatic ? 'Automatisch nach der Lösung.' : '',
    };
    return {
      key: entry.seq,
      label: labels[entry.kind] ?? TICKET_EVENT_LABELS[entry.kind],
      at: entry.at,
      actor: entry.actorId === viewerId ? 'Sie' : entry.actorName,
      body: entry.body,
      note: notes[entry.kind] || null,
      tone: EVENT_TONES[entry.kind] ?? 'unknown',
      internal: entry.internal,
    };
  });
}

const MEASURE_STATE_LABELS: Record<MeasureState, string> = {
  running: 'Läuft',
  paused: 'Ruht (Rückfrage an den Mieter)',
  breached: 'Überschritten',
  met: 'Eingehalten',
  met_late: 'Verspätet erfüllt',
};

export interface DeadlineView {
  name: string;
  stateLabel: string;
  budget: string | null;
  dueAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  endedAt: string | null;
  sla: CountdownSla;
}

/**
 * Both deadlines for the detail page: from the workflow's live view when it answers, else from the
 * row (which lacks only the budgets).
 */
export function ticketDeadlines(ticket: TicketDetail, live: TicketStatusView | null): DeadlineView[] {
  const federalState = ticket.sla.federalState;
  const fromLive = (name: string, measure: 'reaction' | 'resolution', view: MeasureView): DeadlineView => ({
    name,
    stateLabel: MEASURE_STATE_LABELS[view.state],
    budget: describeBudget({ ms: view.budgetMs, clock: view.clock }),
    dueAt: view.dueAt,
    warnedAt: view.warnedAt,
    breachedAt: view.breachedAt,
    endedAt: view.endedAt,
    sla: {
      measure: view.endedAt === null ? measure : null,
      state: view.state,
      dueAt: view.dueAt,
      remainingMs: view.state === 'paused' || (view.dueAt === null && view.endedAt === null) ? view.remainingMs : null,
      clock: view.clock,
      federalState,
      breached: view.breachedAt !== null || view.state === 'met_late',
    },
  });
  if (live)
    return [fromLive('Reaktion', 'reaction', live.reaction), fromLive(`Lösung (Runde ${live.round})`, 'resolution', live.resolution)];

  const fromRow = (
    name: string,
    measure: 'reaction' | 'resolution',
    dueAt: string | null,
    endedAt: string | null,
    breachedAt: string | null,
  ): DeadlineView => {
    const ended = endedAt !== null || ticket.status === 'resolved' || ticket.status === 'closed';
    const paused = !ended && ticket.status === 'waiting_for_tenant' && ticket.sla.measure === measure;
    return {
      name,
      stateLabel: ended
        ? breachedAt
          ? 'Verspätet erfüllt'
          : 'Eingehalten'
        : paused
          ? MEASURE_STATE_LABELS.paused
          : breachedAt
            ? 'Überschritten'
            : 'Läuft',
      budget: null,
      dueAt,
      warnedAt: null,
      breachedAt,
      endedAt,
      sla: {
        ...ticket.sla,
        measure: ended ? null : measure,
        dueAt: paused ? null : dueAt,
        remainingMs: paused ? ticket.sla.remainingMs : null,
        breached: breachedAt !== null,
      },
    };
  };
  return [
    fromRow('Reaktion', 'reaction', ticket.reactionDueAt, ticket.reactedAt, ticket.reactionBreachedAt),
    fromRow(
      `Lösung (Runde ${ticket.round})`,
      'resolution',
      ticket.resolutionDueAt,
      ticket.resolvedAt ?? ticket.closedAt,
      ticket.resolutionBreachedAt,
    ),
  ];
}
