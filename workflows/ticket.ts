// One workflow per ticket (id `ticket-<id>`): it owns the ticket's status and its two SLA
// deadlines — reaction and resolution, from the organisation's matrix — escalates at 75 % of a
// deadline (the assignee is told) and at the breach (the managers are told, the breach is
// recorded), pauses the clocks while the tenant is asked something, and writes every step to the
// ticket's history through activities. Changes arrive as updates; their validators refuse what
// the current state does not allow, with a message the portal shows as it is.
//
// Deterministic code only: time comes from the workflow clock, side effects happen in activities.
//
// VERSIONING: tickets run for weeks. Any change that alters the commands an existing history
// replays to (another activity, timer or order, different wake-up points) must be guarded with
// patched('<change-id>') so running executions keep their old path; see
// https://docs.temporal.io/develop/typescript/versioning. Patches so far:
// - LATE_ATTRIBUTE_PATCH: publishes KlarLate (an SLA deadline was breached).
// - DEFAULT_ASSIGNEE_PATCH: a first run with `defaultAssignee` assigns the ticket as its first step.
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
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { BusinessCalendar } from '../domain/business-hours';
import {
  TICKET_CATEGORY_LABELS,
  TICKET_PRIORITY_LABELS,
  dueAtOf,
  dueEscalation,
  endMeasure,
  isTicketCategory,
  isTicketPriority,
  measureState,
  nextEscalationAt,
  pauseMeasure,
  recordEscalation,
  remainingAt,
  resumeMeasure,
  retargetMeasure,
  startMeasure,
  warningAtOf,
  type Escalation,
  type SlaMeasure,
} from '../domain/sla';
import { LATE_ATTRIBUTE_PATCH, SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';
import { lingerThenDrain, sleepUntilWokenOr } from './shared/case-loop';
import {
  askTenant,
  assignTicket,
  closeTicket,
  getTicketStatus,
  recategoriseTicket,
  reopenTicket,
  replyToTicket,
  resolveTicket,
} from './shared/ticket';
import {
  SYSTEM_ACTOR,
  TICKET_GONE,
  handlesTickets,
  routesTickets,
  type Actor,
  type Audience,
  type MeasureView,
  type TicketEventKind,
  type TicketMessage,
  type TicketProjection,
  type TicketState,
  type TicketStatusView,
  type TicketWorkflowInput,
} from '../domain/contracts/ticket';

const { recordTicketEvent, notifyTicketEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // No attempt limit: a step must be recorded and told, however long the database or SMTP is down.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [TICKET_GONE] },
});

const DEFAULT_ASSIGNEE_PATCH = 'ticket-default-assignee';

const DAY_MS = 86_400_000;
const MAX_TEXT_LENGTH = 10_000;
/** A resolved ticket closes by itself after this long without a reopen. */
const AUTO_CLOSE_AFTER_MS = 14 * DAY_MS;
/** A closed ticket's workflow keeps answering (and refusing updates clearly) this long. */
const CLOSED_LINGER_MS = 7 * DAY_MS;

type MeasureName = 'reaction' | 'resolution';
const MEASURES: readonly MeasureName[] = ['reaction', 'resolution'];

const MESSAGES = {
  closed: 'Der Vorgang ist geschlossen und kann nicht mehr geändert werden.',
  staffOnly: 'Nur die Verwaltung kann diesen Schritt ausführen.',
  routersOnly: 'Nur die Verwaltung kann Vorgänge zuweisen und einstufen.',
  notParticipant: 'Nur die Verwaltung oder wer das Anliegen gestellt hat, kann diesen Schritt ausführen.',
  emptyText: 'Bitte geben Sie einen Text ein.',
} as const;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function refuse(message: string): never {
  throw new Error(message);
}

function initialState(input: TicketWorkflowInput): TicketState {
  const target = input.slaMatrix[input.category][input.priority];
  return {
    status: 'open',
    category: input.category,
    priority: input.priority,
    assigneeId: null,
    round: 1,
    seq: input.lastSeq,
    reaction: startMeasure(target.reactionMs, target.clock, input.openedAtMs),
    resolution: startMeasure(target.resolutionMs, target.clock, input.openedAtMs),
    pausedAtMs: null,
    resolvedAtMs: null,
    closedAtMs: null,
    // The filing itself (written by the app) is still to be told: the managers and, as a receipt, the tenant.
    outbox: [{ seq: input.lastSeq, audience: { userIds: [input.createdBy], managers: true } }],
  };
}

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketStatusView> {
  trackOverdue();
  const { ticketId, createdBy } = input;
  const calendar: BusinessCalendar = { federalState: input.federalState };
  const state: TicketState = input.carried ?? initialState(input);
  /** Set by every step, so the main loop plans its timers anew. */
  let changed = false;

  // ---- reading the state ----

  function measureView(measure: SlaMeasure, now: number): MeasureView {
    return {
      state: measureState(measure, now, calendar),
      clock: measure.clock,
      budgetMs: measure.budgetMs,
      remainingMs: remainingAt(measure, now, calendar),
      dueAt: iso(dueAtOf(measure, calendar)),
      warningAt: iso(warningAtOf(measure, calendar)),
      warnedAt: iso(measure.warnedAtMs),
      breachedAt: iso(measure.breachedAtMs),
      endedAt: iso(measure.endedAtMs),
    };
  }

  function autoCloseAtMs(): number | null {
    return state.status === 'resolved' && state.resolvedAtMs !== null ? state.resolvedAtMs + AUTO_CLOSE_AFTER_MS : null;
  }

  function view(): TicketStatusView {
    const now = Date.now();
    return {
      ticketId,
      status: state.status,
      category: state.category,
      priority: state.priority,
      assigneeId: state.assigneeId,
      round: state.round,
      paused: state.status === 'waiting_for_tenant',
      reaction: measureView(state.reaction, now),
      resolution: measureView(state.resolution, now),
      autoCloseAt: iso(autoCloseAtMs()),
      asOf: new Date(now).toISOString(),
    };
  }

  function projection(now: number): TicketProjection {
    const { reaction, resolution } = state;
    const remainingWhilePaused = (m: SlaMeasure) =>
      m.endedAtMs === null && m.runningSinceMs === null ? remainingAt(m, now, calendar) : null;
    return {
      status: state.status,
      category: state.category,
      priority: state.priority,
      assigneeId: state.assigneeId,
      round: state.round,
      slaClock: resolution.clock,
      reactionDueAt: iso(dueAtOf(reaction, calendar)),
      resolutionDueAt: iso(dueAtOf(resolution, calendar)),
      reactionRemainingMs: remainingWhilePaused(reaction),
      resolutionRemainingMs: remainingWhilePaused(resolution),
      slaPausedAt: iso(state.pausedAtMs),
      reactedAt: iso(reaction.endedAtMs),
      resolvedAt: iso(state.resolvedAtMs),
      closedAt: iso(state.closedAtMs),
      reactionBreachedAt: iso(reaction.breachedAtMs),
      resolutionBreachedAt: iso(resolution.breachedAtMs),
    };
  }

  // ---- writing steps ----

  /** The creator and the assignee, and the managers when nobody is assigned (someone must hear of it). */
  function participants(): Audience {
    return state.assigneeId === null
      ? { userIds: [createdBy], managers: true }
      : { userIds: [createdBy, state.assigneeId], managers: false };
  }

  /** Whoever works on the ticket: the assignee, else the managers. */
  function handlers(): Audience {
    return state.assigneeId === null ? { userIds: [], managers: true } : { userIds: [state.assigneeId], managers: false };
  }

  /**
   * Records a step whose state change has just been made. The sequence number is taken before the
   * first await, so steps of concurrent updates keep the order in which they changed the state;
   * the people are told by the main loop once the step is written.
   */
  async function record(
    kind: TicketEventKind,
    actor: Actor,
    body: string | null,
    details: Record<string, unknown>,
    audience: Audience | null,
  ): Promise<void> {
    const now = Date.now();
    const seq = ++state.seq;
    changed = true;
    await recordTicketEvent({ ticketId, seq, kind, at: new Date(now).toISOString(), actor, body, details, projection: projection(now) });
    if (audience) state.outbox.push({ seq, audience });
    publishSearchAttributes();
  }

  async function tellEveryone(): Promise<void> {
    while (state.outbox.length > 0) {
      const notice = state.outbox[0]!;
      await notifyTicketEvent({ ticketId, ...notice });
      state.outbox.shift();
    }
  }

  // ---- search attributes: lists and compliance queries are visibility queries ----

  const published = new Map<string, string>();
  function publishSearchAttributes() {
    const current = state.reaction.endedAtMs === null ? state.reaction : state.resolution;
    const dueAt = dueAtOf(current, calendar);
    const wanted: SearchAttributeUpdatePair[] = [
      { key: SA.obligation, value: 'ticket' },
      { key: SA.property, value: String(input.propertyId) },
      { key: SA.state, value: state.status },
      { key: SA.dueAt, value: dueAt === null ? null : new Date(dueAt) },
    ];
    if (input.unitId !== null) wanted.push({ key: SA.unit, value: String(input.unitId) });
    if (patched(LATE_ATTRIBUTE_PATCH)) {
      wanted.push({ key: SA.late, value: state.reaction.breachedAtMs !== null || state.resolution.breachedAtMs !== null });
    }
    const text = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
    const changes = wanted.filter(({ key, value }) => published.get(key.name) !== text(value));
    if (changes.length === 0) return;
    upsertSearchAttributes(changes);
    for (const { key, value } of changes) published.set(key.name, text(value));
  }

  // ---- validators: they see the state, never change it ----

  function requireNotClosed() {
    if (state.status === 'closed') refuse(MESSAGES.closed);
  }

  function requireStaff(actor: Actor) {
    if (!handlesTickets(actor)) refuse(MESSAGES.staffOnly);
  }

  function requireRouter(actor: Actor) {
    if (!routesTickets(actor)) refuse(MESSAGES.routersOnly);
  }

  function requireParticipant(actor: Actor) {
    if (!handlesTickets(actor) && !(actor.role === 'tenant' && actor.userId === createdBy)) refuse(MESSAGES.notParticipant);
  }

  /** A message's text: present unless optional, and short enough for the history. */
  function requireText({ text }: TicketMessage, emptyMessage: string | null = MESSAGES.emptyText) {
    if (typeof text !== 'string') refuse(MESSAGES.emptyText);
    if (emptyMessage !== null && text.trim() === '') refuse(emptyMessage);
    if (text.length > MAX_TEXT_LENGTH) refuse('Der Text ist zu lang (höchstens 10.000 Zeichen).');
  }

  // ---- the updates ----

  setHandler(getTicketStatus, view);

  async function assign(actor: Actor, assigneeId: number, assigneeName: string) {
    const statusChanged = state.status === 'open';
    state.assigneeId = assigneeId;
    if (statusChanged) state.status = 'in_progress';
    // The tenant hears that work has started; a later handover only concerns the new assignee.
    await record('assigned', actor, null, { assigneeId, assigneeName }, statusChanged ? participants() : handlers());
  }

  setHandler(
    assignTicket,
    async ({ actor, assigneeId, assigneeName }) => {
      await assign(actor, assigneeId, assigneeName);
      return view();
    },
    {
      validator: ({ actor, assigneeId }) => {
        requireNotClosed();
        requireRouter(actor);
        if (state.status === 'resolved') refuse('Ein gelöster Vorgang kann nicht zugewiesen werden. Bitte öffnen Sie ihn zuerst wieder.');
        if (!Number.isInteger(assigneeId) || assigneeId <= 0) refuse('Bitte wählen Sie eine zuständige Person.');
        if (state.assigneeId === assigneeId) refuse('Der Vorgang ist dieser Person bereits zugewiesen.');
      },
    },
  );

  setHandler(
    replyToTicket,
    async ({ actor, text }) => {
      const now = Date.now();
      if (handlesTickets(actor)) {
        // An answer to the tenant is the reaction the reaction deadline asks for.
        state.reaction = endMeasure(state.reaction, now, calendar);
        await record('replied', actor, text.trim(), {}, { userIds: [createdBy], managers: false });
        return view();
      }
      const answersQuestion = state.status === 'waiting_for_tenant';
      if (answersQuestion) {
        state.status = state.assigneeId === null ? 'open' : 'in_progress';
        state.pausedAtMs = null;
        state.resolution = resumeMeasure(state.resolution, now);
      }
      await record('tenant_replied', actor, text.trim(), { resumed: answersQuestion }, handlers());
      return view();
    },
    {
      validator: (message) => {
        requireNotClosed();
        requireParticipant(message.actor);
        requireText(message);
        if (state.status === 'resolved') refuse('Der Vorgang ist gelöst. Bitte öffnen Sie ihn wieder, um weiter zu schreiben.');
      },
    },
  );

  setHandler(
    askTenant,
    async ({ actor, text }) => {
      const now = Date.now();
      state.status = 'waiting_for_tenant';
      state.pausedAtMs = now;
      // Asking is a reaction; until the tenant answers, the resolution clock stands still.
      state.reaction = endMeasure(state.reaction, now, calendar);
      state.resolution = pauseMeasure(state.resolution, now, calendar);
      await record('asked_tenant', actor, text.trim(), {}, { userIds: [createdBy], managers: false });
      return view();
    },
    {
      validator: (message) => {
        requireNotClosed();
        requireStaff(message.actor);
        requireText(message);
        if (state.status === 'waiting_for_tenant') refuse('Es wartet bereits eine Rückfrage auf die Antwort des Mieters.');
        if (state.status === 'resolved') refuse('Der Vorgang ist gelöst. Bitte öffnen Sie ihn wieder, um eine Rückfrage zu stellen.');
      },
    },
  );

  setHandler(
    resolveTicket,
    async ({ actor, text }) => {
      const now = Date.now();
      state.status = 'resolved';
      state.pausedAtMs = null;
      state.resolvedAtMs = now;
      state.reaction = endMeasure(state.reaction, now, calendar);
      state.resolution = endMeasure(state.resolution, now, calendar);
      await record('resolved', actor, text.trim(), { round: state.round }, participants());
      return view();
    },
    {
      validator: (message) => {
        if (state.status === 'closed') refuse('Ein geschlossener Vorgang kann nicht gelöst werden.');
        requireStaff(message.actor);
        if (state.status === 'resolved') refuse('Der Vorgang ist bereits gelöst.');
        requireText(message, 'Bitte beschreiben Sie die Lösung.');
      },
    },
  );

  setHandler(
    reopenTicket,
    async ({ actor, text }) => {
      const now = Date.now();
      const target = input.slaMatrix[state.category][state.priority];
      state.round += 1;
      state.status = state.assigneeId === null ? 'open' : 'in_progress';
      state.resolvedAtMs = null;
      // A new round: a new resolution deadline from now, with its own escalations.
      state.resolution = startMeasure(target.resolutionMs, target.clock, now);
      await record('reopened', actor, text.trim(), { round: state.round }, participants());
      return view();
    },
    {
      validator: (message) => {
        if (state.status === 'closed') refuse('Ein geschlossener Vorgang kann nicht wieder geöffnet werden.');
        requireParticipant(message.actor);
        if (state.status !== 'resolved') refuse('Der Vorgang ist nicht gelöst und muss nicht wieder geöffnet werden.');
        requireText(message, 'Bitte geben Sie einen Grund an.');
      },
    },
  );

  async function closeNow(actor: Actor, note: string | null, details: Record<string, unknown>) {
    const now = Date.now();
    state.status = 'closed';
    state.pausedAtMs = null;
    state.closedAtMs = now;
    state.reaction = endMeasure(state.reaction, now, calendar);
    state.resolution = endMeasure(state.resolution, now, calendar);
    await record('closed', actor, note, details, participants());
  }

  setHandler(
    closeTicket,
    async ({ actor, text }) => {
      await closeNow(actor, text.trim() === '' ? null : text.trim(), {});
      return view();
    },
    {
      validator: (message) => {
        if (state.status === 'closed') refuse('Der Vorgang ist bereits geschlossen.');
        requireParticipant(message.actor);
        requireText(message, null);
      },
    },
  );

  setHandler(
    recategoriseTicket,
    async ({ actor, category, priority }) => {
      const now = Date.now();
      const before = { category: state.category, priority: state.priority };
      const target = input.slaMatrix[category][priority];
      state.category = category;
      state.priority = priority;
      state.reaction = retargetMeasure(state.reaction, target.reactionMs, target.clock, now, calendar);
      state.resolution = retargetMeasure(state.resolution, target.resolutionMs, target.clock, now, calendar);
      const text = `${TICKET_CATEGORY_LABELS[category]}, ${TICKET_PRIORITY_LABELS[priority]}`;
      await record('recategorised', actor, text, { before, after: { category, priority } }, null);
      return view();
    },
    {
      validator: ({ actor, category, priority }) => {
        requireNotClosed();
        requireRouter(actor);
        if (!isTicketCategory(category)) refuse('Unbekannte Kategorie.');
        if (!isTicketPriority(priority)) refuse('Unbekannte Priorität.');
        if (category === state.category && priority === state.priority) refuse('Kategorie und Priorität sind unverändert.');
      },
    },
  );

  // ---- the clock: escalations and closing a resolved ticket ----

  async function escalate(name: MeasureName, escalation: Escalation) {
    const now = Date.now();
    state[name] = recordEscalation(state[name], escalation, now);
    const details = { measure: name, round: state.round, dueAt: iso(dueAtOf(state[name], calendar)) };
    if (escalation === 'warning') await record('sla_warning', SYSTEM_ACTOR, null, details, handlers());
    else
      await record('sla_breached', SYSTEM_ACTOR, null, details, {
        userIds: state.assigneeId === null ? [] : [state.assigneeId],
        managers: true,
      });
  }

  async function actOnTheClock() {
    for (const name of MEASURES) {
      const escalation = dueEscalation(state[name], Date.now(), calendar);
      if (escalation) await escalate(name, escalation);
    }
    const autoClose = autoCloseAtMs();
    if (autoClose !== null && Date.now() >= autoClose) {
      await closeNow(SYSTEM_ACTOR, 'Automatisch geschlossen: nach der Lösung wurde der Vorgang nicht wieder geöffnet.', {
        automatic: true,
      });
    }
  }

  function nextWakeAt(): number | null {
    const points = [...MEASURES.map((name) => nextEscalationAt(state[name], calendar)), autoCloseAtMs()].filter(
      (at): at is number => at !== null,
    );
    return points.length > 0 ? Math.min(...points) : null;
  }

  // A function, not an inline comparison: steps inside the loop close the ticket behind TypeScript's back.
  const isClosed = () => state.status === 'closed';

  publishSearchAttributes();
  // Device work goes to the property's technician at once, through the same step a manager's assignment takes.
  if (!input.carried && input.defaultAssignee && state.assigneeId === null && patched(DEFAULT_ASSIGNEE_PATCH)) {
    await assign(SYSTEM_ACTOR, input.defaultAssignee.id, input.defaultAssignee.name);
  }
  while (!isClosed()) {
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof ticketWorkflow>({ ...input, carried: state });
    }
    await tellEveryone();
    await actOnTheClock();
    changed = false; // reset before planning: a step from here on wakes the sleep below
    if (!isClosed()) await sleepUntilWokenOr(() => changed || state.outbox.length > 0, nextWakeAt());
  }

  // Closed: answer queries and refuse updates with a clear message for a while, then finish.
  const lingerUntil = (state.closedAtMs ?? Date.now()) + CLOSED_LINGER_MS;
  await lingerThenDrain(lingerUntil, () => state.outbox.length > 0, tellEveryone);
  return view();
}
