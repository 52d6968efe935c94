// The contract of the device deadline workflow (`device-<id>`): ids, states, inputs and message payloads, shared by the
// workflow, its activities, the server and the pages. Its messages are in workflows/shared/device.ts.
import type { DeadlineKind, DeviceFacts, Light } from '../deadlines';

export const DEVICE_WORKFLOW_TYPE = 'deviceDeadline';

/** ApplicationFailure type of an activity that finds its device deleted: not worth retrying. */
export const DEVICE_GONE = 'DeviceGone';

/** Business id: one workflow per device, so starting twice finds the running one. */
export function deviceWorkflowId(deviceId: number): string {
  return `device-${deviceId}`;
}

/** Path of the device's page in the portal (links in notifications and e-mails). */
export function devicePath(deviceId: number): string {
  return `/geraete/${deviceId}`;
}

/** What the workflow remembers across continue-as-new, so nothing is sent twice. */
export interface CarriedDeviceState {
  /** Dedupe keys of the current deadline's reminders that were sent or deliberately skipped. */
  handledReminders: string[];
  /** Dedupe key of the escalation already made, if any. */
  escalationKey: string | null;
  /** The projection last written to the Device row. */
  recorded: RecordedDeadline | null;
  /** Dedupe key of the technician's ticket for the smoke alarm's current fault episode (null: no fault). */
  faultTicketKey?: string | null;
  /** Id of the tenant's exchange offer started for the current deadline (device-exchange-<id>-<dueAt>). */
  exchangeWorkflowId?: string | null;
}

export interface RecordedDeadline {
  kind: DeadlineKind;
  dueAt: string;
  light: Light;
}

export interface DeviceDeadlineInput {
  deviceId: number;
  propertyId: number;
  unitId: number | null;
  facts: DeviceFacts;
  /** Days before the deadline on which managers are reminded (Organisation.reminderDays). */
  reminderDays: number[];
  /** Workflow id of the replaced device's workflow, when this device is a successor. */
  predecessorWorkflowId?: string | null;
  /** Days before a calibration or replacement the unit's tenant is offered the exchange (Organisation.deviceExchangeLeadDays; default 60). */
  exchangeLeadDays?: number;
  /** Wake-ups and changes handled before the run continues as new (default 200); tests set it low. */
  maxIterationsPerRun?: number;
  /** Absent on a first start; set by the workflow itself when it continues as new. */
  carried?: CarriedDeviceState;
}

export type DeviceWorkflowState = 'watching' | 'escalated' | 'replaced' | 'removed' | 'gone';

export interface ReminderStatus {
  /** Dedupe key of the notifications and e-mails of this reminder. */
  dedupeKey: string;
  daysBefore: number;
  at: string; // ISO instant
  handled: boolean;
}

export interface DeviceDeadlineStatus {
  deviceId: number;
  propertyId: number;
  unitId: number | null;
  state: DeviceWorkflowState;
  kind: DeadlineKind;
  dueAt: string; // YYYY-MM-DD
  dueInstant: string; // ISO instant the deadline expires (00:00 UTC of dueAt)
  light: Light;
  facts: DeviceFacts;
  reminders: ReminderStatus[];
  escalated: boolean;
  /** When the workflow wakes next by itself (null: only a signal wakes it). */
  nextWakeAt: string | null;
  predecessorWorkflowId: string | null;
  successorWorkflowId: string | null;
}

export interface DeviceReplaced {
  /** The new device; absent when the device was removed without a successor. */
  successorId?: number;
  replacedAt: string; // YYYY-MM-DD
}

export interface DeviceRecalibrated {
  calibratedYear?: number;
  lastInspectionAt?: string; // YYYY-MM-DD
  installedAt?: string; // YYYY-MM-DD
}

export interface DeviceHealthReport {
  batteryPercent?: number;
  lastReadingAt?: string; // YYYY-MM-DD
  /** "ok" or the status text the device reported by radio (READINGS.md). */
  reportedStatus?: string;
}

/** A smoke alarm reports a fault: the technician gets a ticket, once per episode (until it reports "ok"). */
export interface DeviceFaultReport {
  deviceId: number;
  status: string;
  dedupeKey: string;
}

/** Guards the fault ticket in the device workflow (ADR 7): executions before it never open one. */
export const DEVICE_FAULT_TICKET_PATCH = 'device-fault-ticket';

/** `device-<id>:fault:<ISO instant>`: one ticket per smoke alarm and fault episode. */
export function deviceFaultKey(deviceId: number, since: string): string {
  return `${deviceWorkflowId(deviceId)}:fault:${since}`;
}

export type DeviceDedupeEvent = `reminder-${string}` | 'escalation';

/** `device-<id>:<dueAt>:reminder-30` — one key per device, deadline and event, so each fires once. */
export function deviceDedupeKey(deviceId: number, dueAt: string, event: DeviceDedupeEvent): string {
  return `${deviceWorkflowId(deviceId)}:${dueAt}:${event}`;
}
