// Appointment requests in the web app: filing one (the tenant's slots), the scoped queries behind
// the pages, slot input from forms, and the workflow updates the pages' actions call.
import { QueryTypes, type Transaction } from 'sequelize';
import { db as sharedDb } from './db';
import { appendAudit } from '../db/audit';
import { LIVE_CHANNEL } from '../db';
import { appointmentLiveEvent, describeSlot } from './appointment-obligation';
import { berlinWallTime } from '../domain/business-hours';
import { isDate } from '../domain/dates';
import { cancelAppointment, chooseSlot, getAppointmentStatus, proposeSlots, recordOutcome } from '../workflows/shared/appointment';
import {
  APPOINTMENT_REASON_LABELS,
  APPOINTMENT_STATUS_LABELS,
  APPOINTMENT_WORKFLOW_TYPE,
  FINAL_APPOINTMENT_STATUSES,
  MAX_SLOTS_PER_OFFER,
  appointmentWorkflowId,
  slotOfferProblem,
  type AppointmentEventKind,
  type AppointmentReason,
  type AppointmentSlot,
  type AppointmentStatus,
  type AppointmentStatusView,
  type AppointmentWorkflowInput,
  type SlotOfferer,
} from '../domain/contracts/appointment';
import type { UpdateDefinition } from '@temporalio/common';
import { federalStateOf } from './tickets';
import { runUpdate, startOnce, type StartOnce, type UpdateArgument, type UpdateOutcome, type WorkflowOptions } from './temporal';
import { deliverNow, enqueueWorkflowStart, isQueued, queryLiveOrQueued } from './outbox';
import type { appointmentWorkflow } from '../workflows/appointment';
import { currentTenancies } from './permissions';
import { hasPermission } from '../domain/permissions';
import { TEXT_LIMITS, textTooLong } from '../domain/text-limits';
import { awaitsCounterAnswer } from '../domain/appointment-counter';
import type { SessionUser } from './session';
import { temporalClient, temporalSettings } from './temporal';

// ---- slots from forms ----

/** The windows a slot can be asked for, in German local time. */
export const SLOT_WINDOWS = [
  { value: '08-10', label: '08:00–10:00 Uhr', from: 8, to: 10 },
  { value: '10-12', label: '10:00–12:00 Uhr', from: 10, to: 12 },
  { value: '12-14', label: '12:00–14:00 Uhr', from: 12, to: 14 },
  { value: '14-16', label: '14:00–16:00 Uhr', from: 14, to: 16 },
  { value: '16-18', label: '16:00–18:00 Uhr', from: 16, to: 18 },
] as const;

export interface SlotInput {
  startsAt: string;
  endsAt: string;
}

/**
 * Slots from the form fields `slot<N>Date` and `slot<N>Window` (N = 1…3); rows left empty are
 * skipped. Returns the slots, or the message to show.
 */
export function slotsFromForm(form: FormData, nowMs = Date.now()): { slots: SlotInput[] } | { error: string } {
  const slots: SlotInput[] = [];
  for (let n = 1; n <= MAX_SLOTS_PER_OFFER; n++) {
    const date = String(form.get(`slot${n}Date`) ?? '').trim();
    const windowValue = String(form.get(`slot${n}Window`) ?? '').trim();
    if (date === '' && windowValue === '') continue;
    const window = SLOT_WINDOWS.find((w) => w.value === windowValue);
    if (!isDate(date) || !window) return { error: `Termin ${n}: Bitte wählen Sie Datum und Uhrzeit.` };
    slots.push({
      startsAt: new Date(berlinWallTime(date, window.from)).toISOString(),
      endsAt: new Date(berlinWallTime(date, window.to)).toISOString(),
    });
  }
  const problem = slotOfferProblem(slots, nowMs);
  return problem ? { error: problem } : { slots };
}

// ---- filing a request ----

export interface RequestAppointmentInput {
  organisationId: number;
  unitId: number;
  tenantId: number;
  reason: AppointmentReason;
  note: string | null;
  slots: SlotInput[];
}

/**
 * Files an appointment request for the tenant's unit with its slots, first history step and workflow
 * start (outbox) in one transaction, then starts the workflow at once (`queued` when Temporal was
 * away: the relay starts it later). It goes to the property's technician (or the managers without one). The
 * caller has checked that the tenant rents the unit.
 */
export async function requestAppointment(
  input: RequestAppointmentInput,
  options: WorkflowOptions = {},
): Promise<{ appointmentId: number; queued: boolean }> {
  const database = options.db ?? sharedDb();
  const problem =
    slotOfferProblem(input.slots, Date.now()) ?? (input.note ? textTooLong('Hinweis', input.note, TEXT_LIMITS.appointmentNote) : null);
  if (problem) throw new RangeError(problem);
  const workflowInput = await database.sequelize.transaction(async (transaction: Transaction) => {
    const { Unit, Property, User, AppointmentRequest, AppointmentSlot, AppointmentEvent } = database.models;
    const unit = await Unit.findByPk(input.unitId, { transaction, rejectOnEmpty: true });
    const property = await Property.findOne({
      where: { id: unit.propertyId, organisationId: input.organisationId },
      transaction,
      rejectOnEmpty: true,
    });
    const tenant = await User.findOne({
      where: { id: input.tenantId, organisationId: input.organisationId },
      transaction,
      rejectOnEmpty: true,
    });
    const requestedAt = new Date();
    const slots: AppointmentSlot[] = input.slots.map((slot, position) => ({
      position,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      offeredBy: 'tenant',
    }));
    // Who and what the request concerns: the row and the workflow's input both start from it.
    const parties = {
      organisationId: input.organisationId,
      propertyId: property.id,
      unitId: unit.id,
      tenantId: tenant.id,
      technicianId: property.technicianId,
      reason: input.reason,
    };
    const request = await AppointmentRequest.create(
      {
        ...parties,
        note: input.note?.trim() || null,
        status: 'requested',
        openOffer: slots.map((slot) => slot.position),
        confirmDueAt: null,
        createdAt: requestedAt,
      },
      { transaction },
    );
    await AppointmentSlot.bulkCreate(
      slots.map((slot) => ({ ...slot, appointmentId: request.id, startsAt: new Date(slot.startsAt), endsAt: new Date(slot.endsAt) })),
      { transaction },
    );
    await AppointmentEvent.create(
      {
        appointmentId: request.id,
        seq: 1,
        kind: 'requested',
        actorId: tenant.id,
        actorName: tenant.name,
        actorRole: tenant.role,
        at: requestedAt,
        body: request.note,
        details: { reason: input.reason, positions: slots.map((s) => s.position) },
      },
      { transaction },
    );
    // Lists of the technician and the managers show the new request at once (after commit).
    await database.notify(LIVE_CHANNEL, appointmentLiveEvent(request), transaction);
    await appendAudit(
      database,
      {
        organisationId: input.organisationId,
        actorId: tenant.id,
        actor: tenant.email,
        action: 'appointment.requested',
        entity: 'appointment',
        entityId: request.id,
        details: { reason: input.reason, slots: slots.length },
      },
      transaction,
    );
    const started: AppointmentWorkflowInput = {
      appointmentId: request.id,
      ...parties,
      slots,
      requestedAtMs: requestedAt.getTime(),
      federalState: federalStateOf(property),
      lastSeq: 1,
    };
    // The workflow starts with the commit (outbox): filed while Temporal is away, the request waits, not fails.
    return { started, entry: await enqueueWorkflowStart(transaction, appointmentWorkflowStart(started, options)) };
  });
  const delivered = await deliverNow([workflowInput.entry], options);
  return { appointmentId: workflowInput.started.appointmentId, queued: delivered.get(workflowInput.entry.id)?.status !== 'sent' };
}

function appointmentWorkflowStart(input: AppointmentWorkflowInput, options: WorkflowOptions): StartOnce<typeof appointmentWorkflow> {
  return {
    workflowType: APPOINTMENT_WORKFLOW_TYPE,
    workflowId: appointmentWorkflowId(input.appointmentId),
    taskQueue: options.taskQueue ?? temporalSettings().taskQueue,
    args: [input],
    identity: { obligation: 'appointment', organisationId: input.organisationId, propertyId: input.propertyId, unitId: input.unitId },
  };
}

export async function startAppointmentWorkflow(input: AppointmentWorkflowInput, options: WorkflowOptions = {}): Promise<void> {
  await startOnce(options.client ?? temporalClient(), appointmentWorkflowStart(input, options));
}

/**
 * Starts the workflow of a request that has none (its start after commit failed, or its row was
 * seeded). Like ensureTicketWorkflow, only a request nothing has happened to yet is started from
 * its row (with the default timing); a started one is left alone.
 */
export async function ensureAppointmentWorkflow(appointmentId: number, options: WorkflowOptions = {}): Promise<boolean> {
  const database = options.db ?? sharedDb();
  const { AppointmentRequest, AppointmentSlot, Property } = database.models;
  const request = await AppointmentRequest.findByPk(appointmentId);
  if (!request || request.eventSeq !== 1 || request.status !== 'requested') return false;
  const property = await Property.findByPk(request.propertyId, { rejectOnEmpty: true });
  const slots = await AppointmentSlot.findAll({ where: { appointmentId }, order: [['position', 'ASC']] });
  await startAppointmentWorkflow(
    {
      appointmentId: request.id,
      organisationId: request.organisationId,
      propertyId: request.propertyId,
      unitId: request.unitId,
      tenantId: request.tenantId,
      technicianId: request.technicianId,
      reason: request.reason,
      slots: slots.map((slot) => ({
        position: slot.position,
        startsAt: slot.startsAt.toISOString(),
        endsAt: slot.endsAt.toISOString(),
        offeredBy: slot.offeredBy,
      })),
      requestedAtMs: request.createdAt.getTime(),
      federalState: federalStateOf(property),
      lastSeq: 1,
    },
    options,
  );
  return true;
}

/** What tenants and technicians may do to a request: each a workflow update whose validator has the last word. */
const APPOINTMENT_UPDATES = { choose: chooseSlot, propose: proposeSlots, record: recordOutcome, cancel: cancelAppointment } as const;
export type AppointmentChange = keyof typeof APPOINTMENT_UPDATES;

export function updateAppointment<C extends AppointmentChange>(
  appointmentId: number,
  change: C,
  arg: UpdateArgument<(typeof APPOINTMENT_UPDATES)[C]>,
  options: WorkflowOptions = {},
): Promise<UpdateOutcome<AppointmentStatusView>> {
  // Refused here, before anything travels to Temporal.
  const { note, reason } = arg as { note?: unknown; reason?: unknown };
  const tooLong =
    (typeof note === 'string' ? textTooLong('Notiz', note, TEXT_LIMITS.appointmentNote) : null) ??
    (typeof reason === 'string' ? textTooLong('Grund', reason, TEXT_LIMITS.appointmentCancelReason) : null);
  if (tooLong) return Promise.resolve({ ok: false, message: tooLong });
  return runUpdate(
    options.client ?? temporalClient(),
    appointmentWorkflowId(appointmentId),
    APPOINTMENT_UPDATES[change] as UpdateDefinition<AppointmentStatusView, [typeof arg]>,
    arg,
    'Diese Terminanfrage ist abgeschlossen und kann nicht mehr geändert werden.',
  );
}

/** Whether the request's workflow start (or a change) still waits in the outbox: the page says "wird bearbeitet". */
export function appointmentQueued(appointmentId: number): Promise<boolean> {
  return isQueued(appointmentWorkflowId(appointmentId));
}

/** The workflow's live view, or "wird bearbeitet" while its start waits in the outbox. */
export function appointmentWorkflowStatus(appointmentId: number) {
  const client = temporalClient();
  return queryLiveOrQueued(appointmentWorkflowId(appointmentId), () =>
    client.workflow.getHandle(appointmentWorkflowId(appointmentId)).query(getAppointmentStatus),
  );
}

// ---- reading requests ----

export interface SlotRow {
  position: number;
  startsAt: string;
  endsAt: string;
  offeredBy: SlotOfferer;
}

export interface AppointmentRow {
  id: number;
  reason: AppointmentReason;
  status: AppointmentStatus;
  note: string | null;
  createdAt: string;
  confirmDueAt: string | null;
  escalatedAt: string | null;
  remindedAt: string | null;
  completedAt: string | null;
  confirmedSlot: number | null;
  openOffer: number[];
  propertyId: number;
  propertyName: string;
  propertyStreet: string;
  unitLabel: string;
  tenantId: number;
  tenantName: string;
  technicianName: string | null;
  slots: SlotRow[];
}

/**
 * Tenants see their own requests for a unit they still rent, technicians those of the properties
 * they look after, managers and compliance all of the organisation.
 */
async function appointmentScope(user: SessionUser): Promise<{ sql: string; replacements: Record<string, unknown> } | null> {
  const replacements = { organisationId: user.organisationId, userId: user.id };
  if (hasPermission(user, 'read:appointment:any')) return { sql: 'r.organisation_id = :organisationId', replacements };
  if (!hasPermission(user, 'read:appointment:own')) return null;
  if (user.role === 'technician') return { sql: 'r.organisation_id = :organisationId AND p.technician_id = :userId', replacements };
  const unitIds = (await currentTenancies(user)).map((t) => t.unitId);
  if (unitIds.length === 0) return null;
  return {
    sql: 'r.organisation_id = :organisationId AND r.tenant_id = :userId AND r.unit_id IN (:unitIds)',
    replacements: { ...replacements, unitIds },
  };
}

const APPOINTMENT_SELECT = `
  SELECT r.id, r.reason, r.status, r.note, r.created_at AS "createdAt", r.confirm_due_at AS "confirmDueAt",
         r.escalated_at AS "escalatedAt", r.reminded_at AS "remindedAt", r.completed_at AS "completedAt",
         r.confirmed_slot AS "confirmedSlot", r.open_offer AS "openOffer",
         r.property_id AS "propertyId", p.name AS "propertyName", p.street AS "propertyStreet", u.label AS "unitLabel",
         r.tenant_id AS "tenantId", t.name AS "tenantName", tech.name AS "technicianName"
    FROM appointment_requests r
    JOIN properties p ON p.id = r.property_id
    JOIN units u ON u.id = r.unit_id
    JOIN users t ON t.id = r.tenant_id
    LEFT JOIN users tech ON tech.id = p.technician_id`;

type AppointmentRecord = Omit<AppointmentRow, 'slots' | 'createdAt' | 'confirmDueAt' | 'escalatedAt' | 'remindedAt' | 'completedAt'> & {
  createdAt: Date;
  confirmDueAt: Date | null;
  escalatedAt: Date | null;
  remindedAt: Date | null;
  completedAt: Date | null;
};

async function withSlots(records: AppointmentRecord[]): Promise<AppointmentRow[]> {
  if (records.length === 0) return [];
  const slots = await sharedDb().models.AppointmentSlot.findAll({
    where: { appointmentId: records.map((r) => r.id) },
    order: [['position', 'ASC']],
  });
  const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
  return records.map((record) => ({
    ...record,
    createdAt: new Date(record.createdAt).toISOString(),
    confirmDueAt: iso(record.confirmDueAt),
    escalatedAt: iso(record.escalatedAt),
    remindedAt: iso(record.remindedAt),
    completedAt: iso(record.completedAt),
    slots: slots
      .filter((s) => s.appointmentId === record.id)
      .map((s) => ({
        position: s.position,
        startsAt: s.startsAt.toISOString(),
        endsAt: s.endsAt.toISOString(),
        offeredBy: s.offeredBy,
      })),
  }));
}

export const APPOINTMENT_LIST_LIMIT = 200;

/** Open requests first (unanswered ones first of all, then by the confirmed date), then finished ones, newest first. */
export async function listAppointments(user: SessionUser): Promise<AppointmentRow[]> {
  const scope = await appointmentScope(user);
  if (!scope) return [];
  const records = await sharedDb().sequelize.query<AppointmentRecord>(
    `${APPOINTMENT_SELECT}
      WHERE ${scope.sql}
      ORDER BY (r.status IN ('done','no_show','cancelled')), (r.status <> 'requested'),
               (SELECT s.starts_at FROM appointment_slots s WHERE s.appointment_id = r.id AND s.position = r.confirmed_slot) ASC NULLS LAST,
               r.created_at DESC
      LIMIT ${APPOINTMENT_LIST_LIMIT}`,
    { replacements: scope.replacements, type: QueryTypes.SELECT },
  );
  return withSlots(records);
}

export interface AppointmentTimelineEntry {
  seq: number;
  kind: AppointmentEventKind;
  at: string;
  actorId: number | null;
  actorName: string;
  body: string | null;
}

export async function findAppointment(
  user: SessionUser,
  appointmentId: number,
): Promise<(AppointmentRow & { timeline: AppointmentTimelineEntry[] }) | null> {
  const scope = await appointmentScope(user);
  if (!scope) return null;
  const [record] = await sharedDb().sequelize.query<AppointmentRecord>(
    `${APPOINTMENT_SELECT} WHERE ${scope.sql} AND r.id = :appointmentId`,
    {
      replacements: { ...scope.replacements, appointmentId },
      type: QueryTypes.SELECT,
    },
  );
  if (!record) return null;
  const [row] = await withSlots([record]);
  if (!row) return null;
  const events = await sharedDb().models.AppointmentEvent.findAll({ where: { appointmentId }, order: [['seq', 'ASC']] });
  return {
    ...row,
    timeline: events.map((e) => ({
      seq: e.seq,
      kind: e.kind,
      at: e.at.toISOString(),
      actorId: e.actorId,
      actorName: e.actorName,
      body: e.body,
    })),
  };
}

export function isFinished(status: AppointmentStatus): boolean {
  return FINAL_APPOINTMENT_STATUSES.has(status);
}

/** An appointment request as the lists show it (Termine, Arbeitsliste): labels resolved, slots described. */
export function appointmentListView(r: AppointmentRow) {
  const confirmed = r.slots.find((s) => s.position === r.confirmedSlot);
  return {
    id: r.id,
    reasonLabel: APPOINTMENT_REASON_LABELS[r.reason],
    status: r.status,
    statusLabel: APPOINTMENT_STATUS_LABELS[r.status],
    place: `${r.propertyName}, ${r.unitLabel}`,
    tenantName: r.tenantName,
    when: confirmed ? [describeSlot(confirmed)] : r.slots.filter((s) => r.openOffer.includes(s.position)).map(describeSlot),
    confirmed: Boolean(confirmed),
    confirmDueAt: r.status === 'requested' ? r.confirmDueAt : null,
    overdue: r.status === 'requested' && r.escalatedAt !== null,
    // The tenant answered the technician's offer with own slots: the technician's turn.
    counterProposal: awaitsCounterAnswer(r),
  };
}
