// One workflow per large drinking-water system (id `legionella-<id>`, TrinkwV §31): it waits for the
// sampling deadline, reminds the managers before it and escalates once when it passes. A clean lab
// result closes the round and starts the next (3 years after that sampling); a finding informs the
// tenants (once per finding, in an activity) and sets the re-sampling deadline; only a clean result
// ends the follow-up.
//
// VERSIONING: executions run for years; guard changes with patched(). Patches:
// - OVERDUE_ATTRIBUTE_PATCH: tracks KlarOverdue beside the workflow (workflows/shared/overdue.ts).
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { addDays, daysBetween } from '../domain/dates';
import { reminderDates } from '../domain/deadlines';
import { isFinding, samplingDueAt } from '../domain/legionella';
import {
  WATER_SYSTEM_GONE,
  legionellaDedupeKey,
  type LabResultRecorded,
  type LegionellaInput,
  type LegionellaPhase,
  type LegionellaStatus,
} from '../domain/contracts/legionella';
import { labResultRecorded, legionellaStatus } from './shared/legionella';
import { SA } from './shared/search-attributes';
import { trackOverdue } from './shared/overdue';

const { recordLegionellaRound, sendLegionellaReminder, escalateLegionella, informLegionellaFinding } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: [WATER_SYSTEM_GONE] },
});

const MAX_ITERATIONS_PER_RUN = 100;

function startOfDayMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

interface Reminder {
  key: string;
  daysBefore: number;
  atMs: number;
}

function isGone(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === WATER_SYSTEM_GONE;
}

export async function legionellaSampling(input: LegionellaInput): Promise<LegionellaStatus> {
  trackOverdue();
  const { waterSystemId } = input;
  let phase: LegionellaPhase = input.phase;
  let dueAt = input.dueAt;
  let findingResultId = input.findingResultId;
  let handled = new Set(input.carried?.handledReminders ?? []);
  let escalationKey = input.carried?.escalationKey ?? null;
  const results: LabResultRecorded[] = [];
  const inbox: LabResultRecorded[] = [];

  const escalationKeyNow = () => legionellaDedupeKey(waterSystemId, phase, dueAt, 'escalation');
  const reminders = (): Reminder[] =>
    reminderDates(dueAt, input.reminderDays).map((date) => {
      const daysBefore = daysBetween(date, dueAt);
      return { key: legionellaDedupeKey(waterSystemId, phase, dueAt, `reminder-${daysBefore}`), daysBefore, atMs: startOfDayMs(date) };
    });
  const status = (): LegionellaStatus => ({
    waterSystemId,
    phase,
    state: escalationKey === escalationKeyNow() ? 'escalated' : 'watching',
    dueAt,
    findingResultId,
    handledReminders: [...handled],
    escalated: escalationKey === escalationKeyNow(),
    results: [...results],
  });

  setHandler(legionellaStatus, status);
  setHandler(labResultRecorded, (result) => {
    inbox.push(result);
  });

  /** Past the deadline: the escalation, once. Before it: only the latest passed reminder not yet sent. */
  async function fireDuePoints(nowMs: number) {
    const dueMs = startOfDayMs(dueAt);
    const points = reminders();
    if (nowMs >= dueMs) {
      for (const r of points) handled.add(r.key);
      if (escalationKey === escalationKeyNow()) return;
      await escalateLegionella({ waterSystemId, phase, dueAt, dedupeKey: escalationKeyNow() });
      escalationKey = escalationKeyNow();
      return;
    }
    const passed = points.filter((r) => r.atMs <= nowMs && !handled.has(r.key));
    const latest = passed[passed.length - 1];
    if (!latest) return;
    await sendLegionellaReminder({ waterSystemId, phase, dueAt, daysBefore: latest.daysBefore, dedupeKey: latest.key });
    for (const r of passed) handled.add(r.key);
  }

  async function apply(result: LabResultRecorded) {
    results.push(result);
    if (isFinding(result.cfuPer100ml)) {
      // Informing is idempotent per result: a retried or replayed call tells nobody twice.
      await informLegionellaFinding({ waterSystemId, resultId: result.resultId });
      phase = 'finding';
      findingResultId = result.resultId;
      dueAt = addDays(result.sampledAt, input.resampleDays);
    } else {
      phase = 'routine';
      findingResultId = null;
      dueAt = samplingDueAt(result.sampledAt);
    }
    handled = new Set();
    await recordLegionellaRound({ waterSystemId, phase, dueAt, findingResultId });
  }

  try {
    await recordLegionellaRound({ waterSystemId, phase, dueAt, findingResultId });
    for (let iteration = 1; ; iteration++) {
      if ((iteration > MAX_ITERATIONS_PER_RUN || workflowInfo().continueAsNewSuggested) && inbox.length === 0) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof legionellaSampling>({
          ...input,
          phase,
          dueAt,
          findingResultId,
          carried: { handledReminders: [...handled], escalationKey },
        });
      }
      const next = inbox.shift();
      if (next) {
        await apply(next);
        continue;
      }
      const now = Date.now();
      await fireDuePoints(now);
      upsertSearchAttributes([
        { key: SA.obligation, value: phase === 'finding' ? 'legionella-finding' : 'legionella' },
        { key: SA.property, value: String(input.propertyId) },
        { key: SA.dueAt, value: new Date(startOfDayMs(dueAt)) },
        { key: SA.state, value: status().state },
      ]);
      const ahead = [...reminders().map((r) => r.atMs), startOfDayMs(dueAt)].filter((at) => at > now);
      const wakeAt = ahead.length > 0 ? Math.min(...ahead) : null;
      if (wakeAt === null) await condition(() => inbox.length > 0);
      else await condition(() => inbox.length > 0, wakeAt - now);
    }
  } catch (error) {
    if (!isGone(error)) throw error;
    log.warn('Water system no longer exists; ending its sampling workflow', { waterSystemId });
    return status();
  }
}
