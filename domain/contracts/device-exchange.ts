// The contract of the device-exchange obligation (`device-exchange-<deviceId>-<dueAt>`): when a device's
// calibration or replacement comes within the organisation's lead time, the unit's tenant is offered
// the technician's slots (an appointment request in the portal, or a letter without an account), is
// reminded, and the managers are told when no answer came within 14 days; the technician's recorded
// exchange closes it. Its messages are in workflows/shared/device-exchange.ts.
import type { DeadlineKind } from '../deadlines';
import { parseWholeNumberInRange } from '../params';

export const DEVICE_EXCHANGE_WORKFLOW_TYPE = 'deviceExchange';
/** The `KlarObligation` search attribute of these workflows. */
export const DEVICE_EXCHANGE_OBLIGATION = 'device-exchange';
/** ApplicationFailure type of an activity that finds its device deleted. */
export const DEVICE_EXCHANGE_GONE = 'DeviceExchangeGone';

/** Guards the exchange offer in the device workflow (ADR 7): executions before it never offer one. */
export const DEVICE_EXCHANGE_OFFER_PATCH = 'device-exchange-offer';
/**
 * Guards the device workflow's re-planning (ADR 7): a changed lead time wakes it at once, and an open
 * offer whose deadline moved (recalibration, recorded work) is withdrawn. Executions before it keep
 * the offer of the old deadline open.
 */
export const DEVICE_EXCHANGE_REPLAN_PATCH = 'device-exchange-replan';
/**
 * Guards the device workflow's end of an offer through the outbox (ADR 11): the withdrawal and the
 * recorded exchange are queued behind the exchange workflow's start, so they reach an offer whose start
 * still waits (Temporal was away) once it runs. Executions before it signal the offer directly.
 */
export const DEVICE_EXCHANGE_END_OUTBOX_PATCH = 'device-exchange-end-outbox';

/** Days before the deadline the tenant is offered the exchange, unless the organisation set another lead time. */
export const DEFAULT_EXCHANGE_LEAD_DAYS = 60;
export const MIN_EXCHANGE_LEAD_DAYS = 14;
export const MAX_EXCHANGE_LEAD_DAYS = 365;

/** The lead time of the settings form (whole days 14–365), or an error naming the field. */
export function parseExchangeLeadDays(value: unknown): { ok: true; value: number } | { ok: false; error: string } {
  return parseWholeNumberInRange(value, {
    min: MIN_EXCHANGE_LEAD_DAYS,
    max: MAX_EXCHANGE_LEAD_DAYS,
    field: 'Vorlauf für den Gerätetausch',
    unit: 'Tagen',
  });
}
/** Without the tenant's answer after this many days, the tenant is reminded … */
export const EXCHANGE_REMIND_AFTER_DAYS = 7;
/** … and after this many, the managers take over. */
export const EXCHANGE_ANSWER_WITHIN_DAYS = 14;

/** Deadlines that mean a technician's visit to swap the device (an inspection is no exchange). */
export const EXCHANGE_DEADLINE_KINDS: ReadonlySet<DeadlineKind> = new Set<DeadlineKind>(['calibration', 'replacement']);

export function deviceExchangeWorkflowId(deviceId: number, dueAt: string): string {
  return `device-exchange-${deviceId}-${dueAt}`;
}

export type DeviceExchangeEvent = 'offer' | 'reminder' | 'escalation' | 'withdrawal';

export function deviceExchangeDedupeKey(deviceId: number, dueAt: string, event: DeviceExchangeEvent): string {
  return `${deviceExchangeWorkflowId(deviceId, dueAt)}:${event}`;
}

/** What the device workflow hands over when the deadline comes within the lead time. */
export interface DeviceExchangeOffer {
  deviceId: number;
  kind: DeadlineKind;
  dueAt: string; // YYYY-MM-DD
}

export interface DeviceExchangeInput extends DeviceExchangeOffer {
  organisationId: number;
  propertyId: number;
  unitId: number;
}

/** How the tenant was offered the slots: in the portal (an appointment request), by letter, or not at all (no tenant). */
export type ExchangeChannel = 'portal' | 'letter' | 'none';

export interface OpenedExchange {
  channel: ExchangeChannel;
  /** The appointment request the tenant answers in the portal (channel portal). */
  appointmentId: number | null;
  /** The letter's archive document (channel letter). */
  letterDocumentId: number | null;
}

export type DeviceExchangeState = 'offered' | 'answered' | 'escalated' | 'exchanged' | 'withdrawn' | 'gone';

export interface DeviceExchangeStatus {
  deviceId: number;
  dueAt: string;
  state: DeviceExchangeState;
  channel: ExchangeChannel | null;
  appointmentId: number | null;
  letterDocumentId: number | null;
  reminded: boolean;
  escalated: boolean;
  exchangedAt: string | null;
  /** The device's new deadline when the offer was withdrawn as no longer needed (null: not withdrawn). */
  withdrawnFor: string | null;
}

/** The technician recorded the exchange (the device workflow signals it when the device is replaced or removed). */
export interface DeviceExchanged {
  replacedAt: string; // YYYY-MM-DD
}

/** The deadline moved (recalibration or other recorded work): the offer for the old one is no longer needed. */
export interface DeviceExchangeWithdrawn {
  /** The device's deadline now (YYYY-MM-DD). */
  dueAt: string;
}

/** How the device workflow ends an offer: the recorded exchange, or the withdrawal for a moved deadline. */
export type DeviceExchangeEnd =
  { exchangeWorkflowId: string; exchanged: DeviceExchanged } | { exchangeWorkflowId: string; withdrawn: DeviceExchangeWithdrawn };

/** The organisation changed its lead time: the device workflow re-plans its offer at once. */
export interface DeviceExchangeLeadTime {
  leadDays: number;
}

/** What the withdrawal activity needs: the offer and how it reached the tenant. */
export interface WithdrawExchangeInput extends DeviceExchangeInput {
  channel: ExchangeChannel;
  appointmentId: number | null;
  nextDueAt: string;
  dedupeKey: string;
}

/** The lead time from a form or the database: whole days within the bounds, else the message naming the field. */
export function exchangeLeadDaysProblem(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_EXCHANGE_LEAD_DAYS || value > MAX_EXCHANGE_LEAD_DAYS)
    return `Vorlauf Gerätetausch: bitte ganze Tage zwischen ${MIN_EXCHANGE_LEAD_DAYS} und ${MAX_EXCHANGE_LEAD_DAYS} angeben.`;
  return null;
}
