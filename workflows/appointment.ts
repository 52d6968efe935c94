// One workflow per appointment request (id `appointment-<id>`): the tenant offers up to three
// slots, the property's technician confirms one or proposes others, and the tenant takes one of
// those. The technician's answer is due within two working days, else the managers are told
// (once); the tenant is reminded 24 hours before the confirmed slot; the technician records
// whether the work was done or nobody was home. Every step enters the request's history.
//
// Deterministic code only: time comes from the workflow clock, side effects happen in activities.
//
// VERSIONING: any change that alters the commands an existing history replays to must be guarded
// with patched('<change-id>') so running executions keep their old path; see
// https://docs.temporal.io/develop/typescript/versioning. The technician's offer to the tenant (device
// exchange) starts from its input and the tenant's counter-proposal was refused by the validator
// before (a refused update leaves no history), so earlier histories replay unchanged. Patches:
// - LATE_ATTRIBUTE_PATCH: publishes KlarLate (the confirmation deadline was breached).
// - OVERDUE_ATTRIBUTE_PATCH: tracks KlarOverdue beside the workflow (workflows/shared/overdue.ts).
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BusinessCalendar } from '../domain/business-hours';
import { BUSINESS_DAY_MS } from '../domain/business-hours';
import { dueAtOf, endMeasure, recordEscalation, remainingAt, startMeasure } from '../domain/sla';
import { LATE_ATTRIBUTE_PATCH, SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';
import { lingerThenDrain, sleepUntilWokenOr } from './shared/case-loop';
import { cancelAppointment, chooseSlot, getAppointmentStatus, proposeSlots, recordOutcome } from './shared/appointment';
import {
  APPOINTMENT_GONE,
  FINAL_APPOINTMENT_STATUSES,
  slotOfferProblem,
  type AppointmentEventKind,
  type AppointmentProjection,
  type AppointmentSlot,
  type AppointmentState,
  type AppointmentStatusView,
  type AppointmentWorkflowInput,
  type SlotOfferer,
} from '../domain/contracts/appointment';
import { SYSTEM_ACTOR, type Actor, type Audience } from '../domain/contracts/ticket';

const { recordAppointmentEvent, notifyAppointmentEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [APPOINTMENT_GONE] },
});

const HOUR_MS = 3_600_000;
/** How long the technician has to confirm or propose: two working days. */
const CONFIRM_WITHIN_MS = 2 * BUSINESS_DAY_MS;
/** How long before the appointment the tenant is reminded. */
const REMINDER_LEAD_MS = 24 * HOUR_MS;
/** A finished request's workflow keeps answering this long. */
const FINISHED_LINGER_MS = 24 * HOUR_MS;
const MAX_NOTE_LENGTH = 2_000;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function refuse(message: string): never {
  throw new Error(message);
}

/** Who may act for each side of the appointment (the app has checked who the user is). */
function sideOf(actor: Actor, tenantId: number): SlotOfferer | null {
  if (actor.role === 'tenant') return actor.userId === tenantId ? 'tenant' : null;
  return actor.role === 'technician' || actor.role === 'manager' ? 'technician' : null;
}

export async function appointmentWorkflow(input: AppointmentWorkflowInput): Promise<AppointmentStatusView> {
  trackOverdue();
  const { appointmentId, tenantId } = input;
  const calendar: BusinessCalendar = { federalState: input.federalState };
  // The technician's slots offered by the portal (a device exchange, server/device-exchange-obligation.ts):
  // the tenant's choice is awaited, no confirmation is due. Requests filed by tenants never start so.
  const offeredToTenant = input.slots.length > 0 && input.slots.every((slot) => slot.offeredBy === 'technician');
  const firstMeasure = startMeasure(CONFIRM_WITHIN_MS, 'business', input.requestedAtMs);
  const state: AppointmentState = input.carried ?? {
    status: offeredToTenant ? 'proposed' : 'requested',
    slots: input.slots,
    openOffer: input.slots.map((slot) => slot.position),
    confirmedPosition: null,
    seq: input.lastSeq,
    confirmation: offeredToTenant ? endMeasure(firstMeasure, input.requestedAtMs, calendar) : firstMeasure,
    reminder: null,
    remindedAtMs: null,
    finishedAtMs: null,
    outbox: [
      {
        seq: input.lastSeq,
        audience: {
          userIds: [tenantId, ...(input.technicianId === null ? [] : [input.technicianId])],
          managers: input.technicianId === null,
        },
      },
    ],
  };
  let changed = false;

  /** The technician, or the managers when the property has none. */
  const technicianSide = (): Audience =>
    input.technicianId === null ? { userIds: [], managers: true } : { userIds: [input.technicianId], managers: false };
  const bothSides = (): Audience => ({ userIds: [tenantId, ...technicianSide().userIds], managers: technicianSide().managers });
  const slotAt = (position: number) => state.slots.find((slot) => slot.position === position) ?? null;
  const confirmedSlot = () => (state.confirmedPosition === null ? null : slotAt(state.confirmedPosition));

  function view(): AppointmentStatusView {
    return {
      appointmentId,
      status: state.status,
      slots: state.slots,
      openOffer: state.openOffer,
      confirmedSlot: confirmedSlot(),
      confirmDueAt: iso(dueAtOf(state.confirmation, calendar)),
      confirmationOverdue: state.confirmation.breachedAtMs !== null,
      reminderAt: iso(state.reminder?.atMs ?? null),
      remindedAt: iso(state.remindedAtMs),
      asOf: new Date(Date.now()).toISOString(),
    };
  }

  function projection(): AppointmentProjection {
    return {
      status: state.status,
      openOffer: state.openOffer,
      confirmedSlot: state.confirmedPosition,
      confirmDueAt: iso(dueAtOf(state.confirmation, calendar)),
      escalatedAt: iso(state.confirmation.breachedAtMs),
      remindedAt: iso(state.remindedAtMs),
      completedAt: iso(state.finishedAtMs),
    };
  }

  function publishSearchAttributes() {
    const slot = confirmedSlot();
    const due = slot ? Date.parse(slot.startsAt) : dueAtOf(state.confirmation, calendar);
    upsertSearchAttributes([
      { key: SA.obligation, value: 'appointment' },
      { key: SA.property, value: String(input.propertyId) },
      { key: SA.unit, value: String(input.unitId) },
      { key: SA.state, value: state.status },
      { key: SA.dueAt, value: due === null ? null : new Date(due) },
      // The confirmation deadline passed before the appointment was confirmed.
      ...(patched(LATE_ATTRIBUTE_PATCH) ? [{ key: SA.late, value: state.confirmation.breachedAtMs !== null }] : []),
    ]);
  }

  async function record(
    kind: AppointmentEventKind,
    actor: Actor,
    body: string | null,
    details: Record<string, unknown>,
    audience: Audience | null,
    newSlots: AppointmentSlot[] = [],
  ) {
    const now = Date.now();
    const seq = ++state.seq;
    changed = true;
    await recordAppointmentEvent({
      appointmentId,
      seq,
      kind,
      at: new Date(now).toISOString(),
      actor,
      body,
      details,
      newSlots,
      projection: projection(),
    });
    if (audience) state.outbox.push({ seq, audience });
    publishSearchAttributes();
  }

  async function tellEveryone() {
    while (state.outbox.length > 0) {
      await notifyAppointmentEvent({ appointmentId, ...state.outbox[0]! });
      state.outbox.shift();
    }
  }

  function requireOpen() {
    if (FINAL_APPOINTMENT_STATUSES.has(state.status)) refuse('Diese Terminanfrage ist abgeschlossen und kann nicht mehr geändert werden.');
  }

  // The technician has answered (confirmed or proposed): the confirmation window is met.
  function answered(now: number) {
    state.confirmation = endMeasure(state.confirmation, now, calendar);
  }

  setHandler(getAppointmentStatus, view);

  setHandler(
    chooseSlot,
    async ({ actor, position }) => {
      const now = Date.now();
      const slot = slotAt(position)!;
      state.status = 'confirmed';
      state.confirmedPosition = position;
      state.openOffer = [];
      answered(now);
      const reminderAt = Date.parse(slot.startsAt) - REMINDER_LEAD_MS;
      // Confirmed less than a day ahead: the confirmation itself is the reminder.
      state.reminder = reminderAt > now ? { position, atMs: reminderAt } : null;
      const otherSide = slot.offeredBy === 'tenant' ? { userIds: [tenantId], managers: false } : technicianSide();
      await record('confirmed', actor, null, { position, startsAt: slot.startsAt, endsAt: slot.endsAt }, otherSide);
      return view();
    },
    {
      validator: ({ actor, position }) => {
        requireOpen();
        const side = sideOf(actor, tenantId);
        if (side === null) refuse('Keine Berechtigung für diese Terminanfrage.');
        const slot = slotAt(position);
        if (!slot) refuse('Diesen Termin gibt es nicht.');
        if (slot.offeredBy === side)
          refuse(
            side === 'tenant'
              ? 'Bitte warten Sie auf die Bestätigung durch die Technik.'
              : 'Sie können nur einen Termin bestätigen, den der Mieter angeboten hat.',
          );
        if (state.status === 'confirmed')
          refuse('Es ist bereits ein Termin bestätigt. Schlagen Sie andere Termine vor, um ihn zu verlegen.');
        if (!state.openOffer.includes(position)) refuse('Dieser Termin wurde durch neuere Vorschläge ersetzt.');
        if (Date.parse(slot.startsAt) <= Date.now()) refuse('Dieser Termin liegt in der Vergangenheit.');
      },
    },
  );

  setHandler(
    proposeSlots,
    async ({ actor, slots, note }) => {
      const now = Date.now();
      // The tenant proposes only in answer to the portal's exchange offer (the validator): the technician answers next.
      const side: SlotOfferer = sideOf(actor, tenantId) === 'tenant' ? 'tenant' : 'technician';
      const first = state.slots.length === 0 ? 0 : Math.max(...state.slots.map((s) => s.position)) + 1;
      const offered: AppointmentSlot[] = slots.map((slot, i) => ({
        position: first + i,
        startsAt: slot.startsAt,
        endsAt: slot.endsAt,
        offeredBy: side,
      }));
      const rescheduled = state.status === 'confirmed';
      state.slots = [...state.slots, ...offered];
      state.openOffer = offered.map((slot) => slot.position);
      state.status = side === 'tenant' ? 'requested' : 'proposed';
      state.confirmedPosition = null;
      state.reminder = null;
      if (side === 'tenant') state.confirmation = startMeasure(CONFIRM_WITHIN_MS, 'business', now);
      else answered(now);
      await record(
        'proposed',
        actor,
        note?.trim() || null,
        { positions: offered.map((s) => s.position), rescheduled, offeredBy: side },
        side === 'tenant' ? technicianSide() : { userIds: [tenantId], managers: false },
        offered,
      );
      return view();
    },
    {
      validator: ({ actor, slots, note }) => {
        requireOpen();
        const side = sideOf(actor, tenantId);
        // The tenant answers with own slots only the portal's exchange offer while it is open.
        const tenantAnswersOffer = side === 'tenant' && offeredToTenant && state.status === 'proposed';
        if (side !== 'technician' && !tenantAnswersOffer) refuse('Nur die Technik kann andere Termine vorschlagen.');
        if (typeof note === 'string' && note.length > MAX_NOTE_LENGTH) refuse('Die Nachricht ist zu lang (höchstens 2.000 Zeichen).');
        const problem = slotOfferProblem(Array.isArray(slots) ? slots : [], Date.now());
        if (problem) refuse(problem);
      },
    },
  );

  setHandler(
    cancelAppointment,
    async ({ actor, reason }) => {
      const now = Date.now();
      const side = sideOf(actor, tenantId);
      state.status = 'cancelled';
      state.openOffer = [];
      state.finishedAtMs = now;
      state.reminder = null;
      state.confirmation = endMeasure(state.confirmation, now, calendar);
      await record('cancelled', actor, reason.trim(), {}, side === 'tenant' ? technicianSide() : { userIds: [tenantId], managers: false });
      return view();
    },
    {
      validator: ({ actor, reason }) => {
        requireOpen();
        // The portal itself withdraws a device exchange that is no longer needed (server/device-exchange-obligation.ts).
        if (actor.role !== 'system' && sideOf(actor, tenantId) === null) refuse('Keine Berechtigung für diese Terminanfrage.');
        if (typeof reason !== 'string' || reason.trim() === '') refuse('Bitte geben Sie einen Grund für die Absage an.');
        if (reason.length > MAX_NOTE_LENGTH) refuse('Der Grund ist zu lang (höchstens 2.000 Zeichen).');
      },
    },
  );

  setHandler(
    recordOutcome,
    async ({ actor, outcome, note }) => {
      const now = Date.now();
      state.status = outcome;
      state.finishedAtMs = now;
      state.reminder = null;
      // Nobody home is the managers' business too: the device work is still outstanding.
      await record(
        outcome,
        actor,
        note?.trim() || null,
        { position: state.confirmedPosition },
        { userIds: [tenantId], managers: outcome === 'no_show' },
      );
      return view();
    },
    {
      validator: ({ actor, outcome, note }) => {
        requireOpen();
        if (typeof note === 'string' && note.length > MAX_NOTE_LENGTH) refuse('Die Notiz ist zu lang (höchstens 2.000 Zeichen).');
        if (sideOf(actor, tenantId) !== 'technician') refuse('Nur die Technik kann das Ergebnis eines Termins erfassen.');
        if (outcome !== 'done' && outcome !== 'no_show') refuse('Unbekanntes Ergebnis.');
        const slot = confirmedSlot();
        if (state.status !== 'confirmed' || !slot) refuse('Es ist noch kein Termin bestätigt.');
        if (Date.parse(slot.startsAt) > Date.now()) refuse('Der Termin hat noch nicht begonnen.');
      },
    },
  );

  async function actOnTheClock() {
    const now = Date.now();
    const { confirmation } = state;
    if (confirmation.endedAtMs === null && confirmation.breachedAtMs === null && remainingAt(confirmation, now, calendar) <= 0) {
      state.confirmation = recordEscalation(confirmation, 'breach', now);
      await record(
        'confirmation_overdue',
        SYSTEM_ACTOR,
        null,
        { dueAt: iso(dueAtOf(confirmation, calendar)) },
        { ...technicianSide(), managers: true },
      );
    }
    if (state.reminder && Date.now() >= state.reminder.atMs) {
      const { position } = state.reminder;
      state.reminder = null;
      state.remindedAtMs = Date.now();
      await record('reminded', SYSTEM_ACTOR, null, { position }, bothSides());
    }
  }

  function nextWakeAt(): number | null {
    const { confirmation } = state;
    const points = [
      confirmation.endedAtMs === null && confirmation.breachedAtMs === null ? dueAtOf(confirmation, calendar) : null,
      state.reminder?.atMs ?? null,
    ].filter((at): at is number => at !== null);
    return points.length > 0 ? Math.min(...points) : null;
  }

  publishSearchAttributes();
  while (!FINAL_APPOINTMENT_STATUSES.has(state.status)) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof appointmentWorkflow>({ ...input, carried: state });
    }
    await tellEveryone();
    await actOnTheClock();
    changed = false;
    const wakeAt = nextWakeAt();
    if (FINAL_APPOINTMENT_STATUSES.has(state.status)) break;
    await sleepUntilWokenOr(() => changed || state.outbox.length > 0, wakeAt);
  }

  // Finished: keep answering (and refusing changes clearly) for a while, then end.
  const lingerUntil = (state.finishedAtMs ?? Date.now()) + FINISHED_LINGER_MS;
  await lingerThenDrain(lingerUntil, () => state.outbox.length > 0, tellEveryone);
  return view();
}
