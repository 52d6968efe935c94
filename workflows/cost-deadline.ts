// One workflow per property and billing period (id `cost-deadline-<propertyId>-<periodEnd>`): it
// waits for the cost-data deadline, reminds the managers before it and escalates once when it
// passes; a saved statement for the period (signal, or found at start) ends it.
//
// VERSIONING: guard changes with patched(). Patches:
// - OVERDUE_ATTRIBUTE_PATCH: tracks KlarOverdue beside the workflow (workflows/shared/overdue.ts).
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { daysBetween } from '../domain/dates';
import { reminderDates } from '../domain/deadlines';
import {
  COST_DEADLINE_OBLIGATION,
  PROPERTY_GONE,
  costDeadlineDedupeKey,
  type CostDeadlineInput,
  type CostDeadlineStatus,
} from '../domain/contracts/cost-deadline';
import { costDataEntered, costDeadlineStatus } from './shared/cost-deadline';
import { SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';

const { findCostDataStatement, sendCostDeadlineReminder, escalateCostDeadline } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [PROPERTY_GONE] },
});

function startOfDayMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function isGone(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === PROPERTY_GONE;
}

export async function costDataDeadline(input: CostDeadlineInput): Promise<CostDeadlineStatus> {
  trackOverdue();
  const { propertyId, periodEnd, dueAt } = input;
  const handled = new Set<string>();
  let escalated = false;
  let statementId: number | null = null;
  const escalationKey = costDeadlineDedupeKey(propertyId, periodEnd, 'escalation');
  const reminders = reminderDates(dueAt, input.reminderDays).map((date) => {
    const daysBefore = daysBetween(date, dueAt);
    return { key: costDeadlineDedupeKey(propertyId, periodEnd, `reminder-${daysBefore}`), daysBefore, atMs: startOfDayMs(date) };
  });
  const status = (): CostDeadlineStatus => ({
    propertyId,
    periodEnd,
    dueAt,
    state: statementId !== null ? 'entered' : escalated ? 'escalated' : 'watching',
    handledReminders: [...handled],
    escalated,
    statementId,
  });
  setHandler(costDeadlineStatus, status);
  setHandler(costDataEntered, ({ statementId: id }) => {
    statementId ??= id;
  });

  /** Past the deadline: the escalation, once. Before it: only the latest passed reminder not yet sent. */
  async function fireDuePoints(nowMs: number) {
    if (nowMs >= startOfDayMs(dueAt)) {
      for (const r of reminders) handled.add(r.key);
      if (escalated) return;
      await escalateCostDeadline({ ...input, dedupeKey: escalationKey });
      escalated = true;
      return;
    }
    const passed = reminders.filter((r) => r.atMs <= nowMs && !handled.has(r.key));
    const latest = passed[passed.length - 1];
    if (!latest) return;
    await sendCostDeadlineReminder({ ...input, daysBefore: latest.daysBefore, dedupeKey: latest.key });
    for (const r of passed) handled.add(r.key);
  }

  try {
    // A statement saved before this workflow started (its signal was skipped) already meets it.
    const found = await findCostDataStatement({ propertyId, periodEnd });
    statementId ??= found;
    while (statementId === null) {
      const now = Date.now();
      await fireDuePoints(now);
      upsertSearchAttributes([
        { key: SA.obligation, value: COST_DEADLINE_OBLIGATION },
        { key: SA.property, value: String(propertyId) },
        { key: SA.dueAt, value: new Date(startOfDayMs(dueAt)) },
        { key: SA.state, value: status().state },
      ]);
      const ahead = [...reminders.map((r) => r.atMs), startOfDayMs(dueAt)].filter((at) => at > now);
      if (ahead.length === 0) await condition(() => statementId !== null);
      else await condition(() => statementId !== null, Math.min(...ahead) - now);
    }
    upsertSearchAttributes([{ key: SA.state, value: 'entered' }]);
    await condition(allHandlersFinished);
    return status();
  } catch (error) {
    if (!isGone(error)) throw error;
    log.warn('Property no longer exists; ending its cost-data deadline', { propertyId, periodEnd });
    return status();
  }
}
