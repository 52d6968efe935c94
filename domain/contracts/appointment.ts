// The contract of the appointment workflow (`appointment-<id>`): ids, states, inputs and message payloads, shared by the
// workflow, its activities, the server and the pages. Its messages are in workflows/shared/appointment.ts.
import type { FederalState } from '../holidays';
import type { SlaMeasure } from '../sla';
import type { Actor, Audience } from './ticket';

export const APPOINTMENT_WORKFLOW_TYPE = 'appointmentWorkflow';
export const APPOINTMENT_GONE = 'AppointmentGone';

export function appointmentWorkflowId(appointmentId: number): string {
  return `appointment-${appointmentId}`;
}

export function appointmentPath(appointmentId: number): string {
  return `/termine/${appointmentId}`;
}

export const APPOINTMENT_REASONS = ['device_exchange', 'reading', 'maintenance'] as const;
export type AppointmentReason = (typeof APPOINTMENT_REASONS)[number];

export const APPOINTMENT_REASON_LABELS: Readonly<Record<AppointmentReason, string>> = {
  device_exchange: 'Gerätetausch',
  reading: 'Ablesung',
  maintenance: 'Wartung',
};

export function isAppointmentReason(value: unknown): value is AppointmentReason {
  return typeof value === 'string' && (APPOINTMENT_REASONS as readonly string[]).includes(value);
}

export const APPOINTMENT_STATUSES = ['requested', 'proposed', 'confirmed', 'done', 'no_show', 'cancelled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const APPOINTMENT_STATUS_LABELS: Readonly<Record<AppointmentStatus, string>> = {
  requested: 'Angefragt',
  proposed: 'Andere Termine vorgeschlagen',
  confirmed: 'Bestätigt',
  done: 'Erledigt',
  no_show: 'Nicht angetroffen',
  cancelled: 'Abgesagt',
};

export const FINAL_APPOINTMENT_STATUSES: ReadonlySet<AppointmentStatus> = new Set(['done', 'no_show', 'cancelled']);

export const APPOINTMENT_EVENT_KINDS = [
  'requested',
  'confirmed',
  'proposed',
  'cancelled',
  'done',
  'no_show',
  'confirmation_overdue',
  'reminded',
] as const;
export type AppointmentEventKind = (typeof APPOINTMENT_EVENT_KINDS)[number];

export const APPOINTMENT_EVENT_LABELS: Readonly<Record<AppointmentEventKind, string>> = {
  requested: 'Angefragt',
  confirmed: 'Termin bestätigt',
  proposed: 'Andere Termine vorgeschlagen',
  cancelled: 'Abgesagt',
  done: 'Erledigt',
  no_show: 'Nicht angetroffen',
  confirmation_overdue: 'Bestätigung überfällig (eskaliert)',
  reminded: 'Erinnerung versandt',
};

/** Up to three slots per offer, by the tenant with the request or by the technician as a proposal. */
export const MAX_SLOTS_PER_OFFER = 3;

export type SlotOfferer = 'tenant' | 'technician';

export interface AppointmentSlot {
  /** Counts across all offers of the request: the way updates name a slot. */
  position: number;
  startsAt: string; // ISO instant
  endsAt: string;
  offeredBy: SlotOfferer;
}

export interface AppointmentWorkflowInput {
  appointmentId: number;
  organisationId: number;
  propertyId: number;
  unitId: number;
  tenantId: number;
  /** The property's technician; null: the managers handle the request. */
  technicianId: number | null;
  reason: AppointmentReason;
  /** The tenant's slots, positions 0 … n-1. */
  slots: AppointmentSlot[];
  requestedAtMs: number;
  federalState: FederalState;
  /** Sequence number of the last event already written (the request itself is 1). */
  lastSeq: number;
  carried?: AppointmentState;
}

export interface AppointmentNotice {
  seq: number;
  audience: Audience;
}

export interface AppointmentState {
  status: AppointmentStatus;
  slots: AppointmentSlot[];
  /** Positions of the latest offer, the ones the other side may choose from. */
  openOffer: number[];
  confirmedPosition: number | null;
  seq: number;
  /** The window for the technician's answer; its breach is the escalation. */
  confirmation: SlaMeasure;
  /** The reminder still to send for the confirmed slot, if any. */
  reminder: { position: number; atMs: number } | null;
  remindedAtMs: number | null;
  finishedAtMs: number | null;
  outbox: AppointmentNotice[];
}

export interface ChooseSlot {
  actor: Actor;
  position: number;
}

export interface ProposeSlots {
  actor: Actor;
  slots: Array<{ startsAt: string; endsAt: string }>;
  note?: string;
}

export interface CancelAppointment {
  actor: Actor;
  reason: string;
}

export interface RecordOutcome {
  actor: Actor;
  outcome: 'done' | 'no_show';
  note?: string;
}

export interface AppointmentStatusView {
  appointmentId: number;
  status: AppointmentStatus;
  slots: AppointmentSlot[];
  openOffer: number[];
  confirmedSlot: AppointmentSlot | null;
  confirmDueAt: string | null;
  confirmationOverdue: boolean;
  reminderAt: string | null;
  remindedAt: string | null;
  asOf: string;
}

export interface AppointmentProjection {
  status: AppointmentStatus;
  openOffer: number[];
  confirmedSlot: number | null;
  confirmDueAt: string | null;
  escalatedAt: string | null;
  remindedAt: string | null;
  completedAt: string | null;
}

export interface AppointmentEventRecord {
  appointmentId: number;
  seq: number;
  kind: AppointmentEventKind;
  at: string;
  actor: Actor;
  body: string | null;
  details: Record<string, unknown>;
  /** Slots this step offered (a proposal): stored with the request. */
  newSlots: AppointmentSlot[];
  projection: AppointmentProjection;
}

/** Confirms a slot the other side offered: the technician one of the tenant's, the tenant one of the technician's. */

export function appointmentDedupeKey(appointmentId: number, seq: number): string {
  return `${appointmentWorkflowId(appointmentId)}:${seq}`;
}

/** Checks an offer of slots (the app before writing, the workflow's validator before accepting). Null when fine. */
export function slotOfferProblem(slots: ReadonlyArray<{ startsAt: string; endsAt: string }>, nowMs: number): string | null {
  if (slots.length === 0) return 'Bitte geben Sie mindestens einen Termin an.';
  if (slots.length > MAX_SLOTS_PER_OFFER) return `Bitte geben Sie höchstens ${MAX_SLOTS_PER_OFFER} Termine an.`;
  const starts = new Set<number>();
  for (const slot of slots) {
    const start = Date.parse(slot.startsAt);
    const end = Date.parse(slot.endsAt);
    if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return 'Ein Termin hat keine gültige Zeit.';
    if (start <= nowMs) return 'Termine müssen in der Zukunft liegen.';
    if (starts.has(start)) return 'Bitte geben Sie jeden Termin nur einmal an.';
    starts.add(start);
  }
  return null;
}
