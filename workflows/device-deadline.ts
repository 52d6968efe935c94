// One workflow per device (id `device-<id>`): it watches the device's deadline (calibration,
// replacement or inspection, docs/rules.md §3), keeps the light on the Device row current, reminds the
// managers before the deadline and escalates when it passes, until the device is replaced.
//
// Deterministic code only: time comes from the workflow clock (Date.now() here is the time of the
// current workflow task), side effects happen in activities.
//
// VERSIONING: executions of this workflow run for years. Any change that alters the commands an
// existing history replays to (another activity, timer or order, a different wake-up point) must be
// guarded with patched('<change-id>') so running executions keep their old path; see
// https://docs.temporal.io/develop/typescript/versioning. Patches so far:
// - LATE_ATTRIBUTE_PATCH: publishes KlarLate (the current deadline passed unmet).
// - DEVICE_FAULT_TICKET_PATCH: a smoke alarm reporting a fault by radio gets a technician's ticket.
// - DEVICE_EXCHANGE_OFFER_PATCH: a calibration or replacement within the lead time starts the
//   tenant's exchange offer (workflows/device-exchange.ts), and the recorded exchange closes it.
// - DEVICE_EXCHANGE_REPLAN_PATCH: a changed lead time (signal) re-plans the offer at once, and an open
//   offer whose deadline moved is withdrawn as no longer needed.
// - DEVICE_EXCHANGE_END_OUTBOX_PATCH: the offer's end (withdrawal, recorded exchange) goes through the
//   outbox behind the offer's start instead of a direct signal.
// - OVERDUE_ATTRIBUTE_PATCH: tracks KlarOverdue beside the workflow (workflows/shared/overdue.ts).
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import { addDays, addMonths, daysBetween } from '../domain/dates';
import {
  MAX_READING_GAP_DAYS,
  WARNING_MONTHS,
  deadlineOf,
  lightAt,
  lightForDue,
  parseDeviceFacts,
  reminderDates,
  reportsFault,
  type DeadlineKind,
  type DeviceFacts,
  type Light,
} from '../domain/deadlines';
import { deviceExchangeLeadTime, deviceHealth, deviceRecalibrated, deviceReplaced, getStatus } from './shared/device';
import {
  DEVICE_FAULT_TICKET_PATCH,
  DEVICE_GONE,
  deviceDedupeKey,
  deviceFaultKey,
  type CarriedDeviceState,
  type DeviceDeadlineInput,
  type DeviceDeadlineStatus,
  type DeviceReplaced,
  type DeviceWorkflowState,
  type RecordedDeadline,
} from '../domain/contracts/device';
import {
  DEFAULT_EXCHANGE_LEAD_DAYS,
  DEVICE_EXCHANGE_END_OUTBOX_PATCH,
  DEVICE_EXCHANGE_OFFER_PATCH,
  DEVICE_EXCHANGE_REPLAN_PATCH,
  EXCHANGE_DEADLINE_KINDS,
  deviceExchangeWorkflowId,
  exchangeLeadDaysProblem,
} from '../domain/contracts/device-exchange';
import { deviceExchangeWithdrawn, deviceExchanged } from './shared/device-exchange';
import { LATE_ATTRIBUTE_PATCH, SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';

const {
  recordDeviceDeadline,
  sendDeviceReminder,
  escalateDevice,
  linkDeviceReplacement,
  reportDeviceFault,
  offerDeviceExchange,
  endDeviceExchange,
} = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: a reminder must eventually go out, however long the database or SMTP is down.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [DEVICE_GONE] },
});

/** Keeps each run's history small even when signals arrive often (daily readings, battery reports). */
const DEFAULT_MAX_ITERATIONS_PER_RUN = 200;

interface ReminderPoint {
  dedupeKey: string;
  daysBefore: number;
  atMs: number;
}

/** Everything the workflow derives from the facts at one instant. */
interface DeadlinePlan {
  kind: DeadlineKind;
  dueAt: string;
  dueMs: number;
  light: Light;
  reminders: ReminderPoint[]; // ascending by time
  escalationKey: string;
  /** Instants at which the plan may change by itself: reminders, light boundaries, the deadline. */
  wakePoints: number[];
}

/** A calendar day's deadline starts at 00:00 UTC: the light is red ON the due date. */
function startOfDayMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first day on which the deadline alone makes the light yellow (month-end clamping may shift it by up to 3 days). */
function firstWarningDay(dueAt: string): string {
  let day = addMonths(dueAt, -WARNING_MONTHS);
  while (lightForDue(dueAt, day) === 'green') day = addDays(day, 1);
  return day;
}

function calendarReminders(deviceId: number, dueAt: string, reminderDays: readonly number[]): ReminderPoint[] {
  return reminderDates(dueAt, reminderDays).map((date) => {
    const daysBefore = daysBetween(date, dueAt);
    return { dedupeKey: deviceDedupeKey(deviceId, dueAt, `reminder-${daysBefore}`), daysBefore, atMs: startOfDayMs(date) };
  });
}

const DAY_MS = 86_400_000;

/** When the tenant is offered the exchange: the lead time before a calibration or replacement; null for other deadlines or a device outside a flat. */
function exchangeOfferAt(input: DeviceDeadlineInput, leadDays: number, kind: DeadlineKind, dueMs: number): number | null {
  if (input.unitId === null || !EXCHANGE_DEADLINE_KINDS.has(kind)) return null;
  return dueMs - leadDays * DAY_MS;
}

function planDeadline(input: DeviceDeadlineInput, facts: DeviceFacts, nowMs: number): DeadlinePlan {
  const today = dateOf(nowMs);
  const { kind, dueAt } = deadlineOf(facts);
  const dueMs = startOfDayMs(dueAt);
  const reminders = calendarReminders(input.deviceId, dueAt, input.reminderDays);
  const light = lightAt(facts, today);
  const wakePoints = [...reminders.map((r) => r.atMs), dueMs, startOfDayMs(firstWarningDay(dueAt))];
  if (facts.lastReadingAt) wakePoints.push(startOfDayMs(addDays(facts.lastReadingAt, MAX_READING_GAP_DAYS + 1)));
  return { kind, dueAt, dueMs, light, reminders, escalationKey: deviceDedupeKey(input.deviceId, dueAt, 'escalation'), wakePoints };
}

function nextWakeAfter(plan: DeadlinePlan, nowMs: number): number | null {
  const ahead = plan.wakePoints.filter((at) => at > nowMs);
  return ahead.length > 0 ? Math.min(...ahead) : null;
}

function sameFacts(a: DeviceFacts, b: DeviceFacts): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof DeviceFacts>);
  return [...keys].every((key) => (a[key] ?? null) === (b[key] ?? null));
}

function isDeviceGone(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === DEVICE_GONE;
}

export async function deviceDeadline(input: DeviceDeadlineInput): Promise<DeviceDeadlineStatus> {
  trackOverdue();
  const { deviceId } = input;
  const carried: CarriedDeviceState = input.carried ?? { handledReminders: [], escalationKey: null, recorded: null };
  let facts = input.facts;
  let factsChanged = false;
  let handledReminders = new Set(carried.handledReminders);
  let escalationKey = carried.escalationKey;
  let recorded = carried.recorded;
  let faultTicketKey = carried.faultTicketKey ?? null;
  // Decided once per run, before any other command: a run started by older code keeps its old path.
  const offersExchange = patched(DEVICE_EXCHANGE_OFFER_PATCH);
  const replansExchange = offersExchange && patched(DEVICE_EXCHANGE_REPLAN_PATCH);
  /** The organisation's lead time; a signal changes it while the workflow runs. */
  let leadDays = input.exchangeLeadDays ?? DEFAULT_EXCHANGE_LEAD_DAYS;
  /** The exchange workflow started for the current deadline (its id), if any. */
  let exchangeWorkflowId = carried.exchangeWorkflowId ?? null;
  let ended: { state: DeviceWorkflowState; successorWorkflowId: string | null } | null = null;
  const pending: { replacement: DeviceReplaced | null } = { replacement: null };

  // Values last written to the search attributes (inherited from the start or the previous run).
  const published = new Map<string, string>();
  const searchAttributeText = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
  for (const { key, value } of workflowInfo().typedSearchAttributes.getAll()) published.set(key.name, searchAttributeText(value));

  function applyFacts(patch: Partial<DeviceFacts>, what: string) {
    let next: DeviceFacts;
    try {
      next = parseDeviceFacts({ ...facts, ...patch });
    } catch (error) {
      // A signal cannot be refused; a bad one is logged and ignored instead of failing the workflow task forever.
      log.warn(`Ignoring invalid ${what}`, { deviceId, patch, error: String(error) });
      return;
    }
    if (sameFacts(next, facts)) return;
    facts = next;
    factsChanged = true;
  }

  function stateOf(plan: DeadlinePlan): DeviceWorkflowState {
    if (ended) return ended.state;
    return escalationKey === plan.escalationKey ? 'escalated' : 'watching';
  }

  function status(): DeviceDeadlineStatus {
    const now = Date.now();
    const plan = planDeadline(input, facts, now);
    const nextWake = ended ? null : nextWakeAfter(plan, now);
    return {
      deviceId,
      propertyId: input.propertyId,
      unitId: input.unitId,
      state: stateOf(plan),
      kind: plan.kind,
      dueAt: plan.dueAt,
      dueInstant: new Date(plan.dueMs).toISOString(),
      light: plan.light,
      facts,
      reminders: plan.reminders.map((r) => ({
        dedupeKey: r.dedupeKey,
        daysBefore: r.daysBefore,
        at: new Date(r.atMs).toISOString(),
        handled: handledReminders.has(r.dedupeKey),
      })),
      escalated: escalationKey === plan.escalationKey,
      nextWakeAt: nextWake === null ? null : new Date(nextWake).toISOString(),
      predecessorWorkflowId: input.predecessorWorkflowId ?? null,
      successorWorkflowId: ended?.successorWorkflowId ?? null,
    };
  }

  function publishSearchAttributes(plan: DeadlinePlan) {
    const wanted: SearchAttributeUpdatePair[] = [
      { key: SA.obligation, value: plan.kind },
      { key: SA.device, value: String(deviceId) },
      { key: SA.property, value: String(input.propertyId) },
      { key: SA.dueAt, value: new Date(plan.dueMs) },
      { key: SA.light, value: plan.light },
      { key: SA.state, value: stateOf(plan) },
    ];
    if (input.unitId !== null) wanted.push({ key: SA.unit, value: String(input.unitId) });
    if (patched(LATE_ATTRIBUTE_PATCH)) wanted.push({ key: SA.late, value: escalationKey === plan.escalationKey });
    const changed = wanted.filter(({ key, value }) => published.get(key.name) !== searchAttributeText(value));
    if (changed.length === 0) return;
    upsertSearchAttributes(changed);
    for (const { key, value } of changed) published.set(key.name, searchAttributeText(value));
  }

  async function recordProjection(plan: DeadlinePlan) {
    const next: RecordedDeadline = { kind: plan.kind, dueAt: plan.dueAt, light: plan.light };
    if (recorded && recorded.kind === next.kind && recorded.dueAt === next.dueAt && recorded.light === next.light) return;
    await recordDeviceDeadline({ deviceId, ...next });
    recorded = next;
  }

  /**
   * Sends what is due at `nowMs`. Past the deadline: the escalation, once, instead of any reminder
   * still outstanding. Before it: of the reminder points passed and not yet handled only the latest —
   * after a first start or a long outage one reminder says it all, and none is sent twice.
   */
  async function fireDuePoints(plan: DeadlinePlan, nowMs: number) {
    if (nowMs >= plan.dueMs) {
      for (const reminder of plan.reminders) handledReminders.add(reminder.dedupeKey);
      if (escalationKey === plan.escalationKey) return;
      await escalateDevice({ deviceId, kind: plan.kind, dueAt: plan.dueAt, dedupeKey: plan.escalationKey });
      escalationKey = plan.escalationKey;
      return;
    }
    const passed = plan.reminders.filter((r) => r.atMs <= nowMs && !handledReminders.has(r.dedupeKey));
    if (passed.length === 0) return;
    const latest = passed[passed.length - 1]!;
    await sendDeviceReminder({ deviceId, kind: plan.kind, dueAt: plan.dueAt, daysBefore: latest.daysBefore, dedupeKey: latest.dedupeKey });
    for (const reminder of passed) handledReminders.add(reminder.dedupeKey);
  }

  /**
   * A smoke alarm that reports a fault by radio (READINGS.md `status`) cannot be trusted to warn: the
   * technician gets a ticket, once per episode. The episode ends when the alarm reports "ok" again.
   */
  async function reportFault() {
    if (facts.type !== 'RWM' || !reportsFault(facts.reportedStatus)) {
      faultTicketKey = null;
      return;
    }
    if (faultTicketKey !== null || !patched(DEVICE_FAULT_TICKET_PATCH)) return;
    const dedupeKey = deviceFaultKey(deviceId, new Date(Date.now()).toISOString());
    await reportDeviceFault({ deviceId, status: facts.reportedStatus, dedupeKey });
    faultTicketKey = dedupeKey;
  }

  /** Within the lead time of a calibration or replacement: the tenant's exchange offer starts, once per deadline. */
  async function offerExchange(plan: DeadlinePlan, nowMs: number) {
    const offerAt = exchangeOfferAt(input, leadDays, plan.kind, plan.dueMs);
    if (offerAt === null || nowMs < offerAt) return;
    const workflowId = deviceExchangeWorkflowId(deviceId, plan.dueAt);
    if (exchangeWorkflowId === workflowId) return;
    await offerDeviceExchange({ deviceId, kind: plan.kind, dueAt: plan.dueAt });
    exchangeWorkflowId = workflowId;
  }

  /** Tells the open exchange offer how it ends (it may have ended already: then nothing is left to tell). */
  async function endExchange(end: { replacedAt: string } | { withdrawnFor: string }) {
    if (exchangeWorkflowId === null) return;
    // Through the outbox, behind the offer's start: a start still waiting there (Temporal was away)
    // would otherwise miss the signal, and the offer would stay open.
    if (patched(DEVICE_EXCHANGE_END_OUTBOX_PATCH)) {
      await endDeviceExchange(
        'replacedAt' in end
          ? { exchangeWorkflowId, exchanged: { replacedAt: end.replacedAt } }
          : { exchangeWorkflowId, withdrawn: { dueAt: end.withdrawnFor } },
      );
      return;
    }
    try {
      const handle = getExternalWorkflowHandle(exchangeWorkflowId);
      if ('replacedAt' in end) await handle.signal(deviceExchanged, end);
      else await handle.signal(deviceExchangeWithdrawn, { dueAt: end.withdrawnFor });
    } catch (error) {
      log.warn('Exchange offer not signalled', { deviceId, exchangeWorkflowId, error: String(error) });
    }
  }

  /**
   * The deadline moved (recalibration or other recorded work) while an offer for the old one is open:
   * that offer is no longer needed. The new deadline gets its own offer when it comes within the lead time.
   */
  async function withdrawStaleExchange(plan: DeadlinePlan) {
    if (exchangeWorkflowId === null || exchangeWorkflowId === deviceExchangeWorkflowId(deviceId, plan.dueAt)) return;
    await endExchange({ withdrawnFor: plan.dueAt });
    exchangeWorkflowId = null;
  }

  async function finishReplaced({ successorId, replacedAt }: DeviceReplaced): Promise<DeviceDeadlineStatus> {
    const { successorWorkflowId } = await linkDeviceReplacement({ deviceId, successorId, replacedAt });
    if (offersExchange) await endExchange({ replacedAt });
    ended = { state: successorId === undefined ? 'removed' : 'replaced', successorWorkflowId };
    if (successorWorkflowId) upsertMemo({ successorWorkflowId });
    publishSearchAttributes(planDeadline(input, facts, Date.now()));
    await condition(allHandlersFinished);
    return status();
  }

  setHandler(getStatus, status);
  setHandler(deviceRecalibrated, (change) => applyFacts(change, 'recalibration'));
  setHandler(deviceHealth, (report) => applyFacts(report, 'health report'));
  setHandler(deviceExchangeLeadTime, ({ leadDays: days }) => {
    if (exchangeLeadDaysProblem(days) !== null) {
      log.warn('Ignoring invalid exchange lead time', { deviceId, leadDays: days });
      return;
    }
    if (days === leadDays) return;
    // Only a new signal changes the lead time, so runs recorded before it replay unchanged; a run
    // before the replan patch takes the value on at its next plan or continue-as-new.
    leadDays = days;
    if (replansExchange) factsChanged = true;
  });
  setHandler(deviceReplaced, (replacement) => {
    pending.replacement ??= replacement;
  });

  try {
    for (let iteration = 1; pending.replacement === null; iteration++) {
      if (iteration > (input.maxIterationsPerRun ?? DEFAULT_MAX_ITERATIONS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof deviceDeadline>({
          ...input,
          ...(input.exchangeLeadDays !== undefined || leadDays !== DEFAULT_EXCHANGE_LEAD_DAYS ? { exchangeLeadDays: leadDays } : {}),
          facts,
          carried: {
            handledReminders: [...handledReminders],
            escalationKey,
            recorded,
            ...(faultTicketKey ? { faultTicketKey } : {}),
            ...(exchangeWorkflowId ? { exchangeWorkflowId } : {}),
          },
        });
      }
      factsChanged = false;
      const now = Date.now();
      const plan = planDeadline(input, facts, now);
      // Handled marks of an earlier deadline (before a recalibration) mean nothing for this one.
      handledReminders = new Set(plan.reminders.map((r) => r.dedupeKey).filter((key) => handledReminders.has(key)));
      await recordProjection(plan);
      await reportFault();
      await fireDuePoints(plan, now);
      if (replansExchange) await withdrawStaleExchange(plan);
      if (offersExchange) await offerExchange(plan, now);
      publishSearchAttributes(plan);

      const offerAt = offersExchange ? exchangeOfferAt(input, leadDays, plan.kind, plan.dueMs) : null;
      const wakeAt = [nextWakeAfter(plan, now), offerAt !== null && offerAt > now ? offerAt : null]
        .filter((at): at is number => at !== null)
        .reduce<number | null>((soonest, at) => (soonest === null || at < soonest ? at : soonest), null);
      const woken = () => factsChanged || pending.replacement !== null;
      if (wakeAt === null) await condition(woken);
      else if (wakeAt > Date.now()) await condition(woken, wakeAt - Date.now());
    }
    return await finishReplaced(pending.replacement);
  } catch (error) {
    if (!isDeviceGone(error)) throw error;
    log.warn('Device no longer exists; ending its deadline workflow', { deviceId });
    ended = { state: 'gone', successorWorkflowId: null };
    publishSearchAttributes(planDeadline(input, facts, Date.now()));
    return status();
  }
}
