// The Temporal Schedule of the monthly consumption information (HKVO §6a): the 5th of each month at
// 06:00 German time, when the collection systems have delivered the month's last readings. Created
// or brought up to date by every worker at start-up, so a deployment changes it with the code.
import { ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec } from '@temporalio/client';
import { TIME_ZONE } from '../domain/calendar';
import type { monthlyInformationRun } from '../workflows/monthly-information';
import { MONTHLY_OBLIGATION, MONTHLY_RUN_WORKFLOW_TYPE, MONTHLY_SCHEDULE_ID } from '../domain/contracts/monthly';
import { SA } from '../workflows/shared/search-attributes';
import { ensureSchedule, withTemporalClient } from './schedules';

export const MONTHLY_SCHEDULE_SPEC: ScheduleSpec = {
  calendars: [{ dayOfMonth: 5, hour: 6, minute: 0, comment: 'Monatsinformation (HKVO §6a) für den Vormonat' }],
  timezone: TIME_ZONE,
};

export const MONTHLY_SCHEDULE_POLICIES = {
  // A run still going (a huge portfolio, an outage) is not joined by a second one for the same month.
  overlap: ScheduleOverlapPolicy.SKIP,
  // After an outage of up to a week the month's run still happens; the workflow derives the month
  // from its own start, which then still lies in the month after the one it reports.
  catchupWindow: '7 days',
} as const;

function monthlyAction(taskQueue: string): ScheduleOptionsStartWorkflowAction<typeof monthlyInformationRun> {
  return {
    type: 'startWorkflow',
    workflowType: MONTHLY_RUN_WORKFLOW_TYPE,
    // Temporal appends the scheduled time: monthly-information-2026-11-05T05:00:00Z.
    workflowId: MONTHLY_SCHEDULE_ID,
    taskQueue,
    args: [{}],
    typedSearchAttributes: [{ key: SA.obligation, value: MONTHLY_OBLIGATION }],
  };
}

/**
 * Creates the Schedule, or updates spec, action and policies of the existing one (keeping whether
 * an operator paused it). Idempotent: any number of workers may call it at start-up.
 */
export function ensureMonthlySchedule(client: Client, taskQueue: string): Promise<'created' | 'updated'> {
  return ensureSchedule<typeof monthlyInformationRun>(client, {
    scheduleId: MONTHLY_SCHEDULE_ID,
    spec: MONTHLY_SCHEDULE_SPEC,
    action: monthlyAction(taskQueue),
    policies: MONTHLY_SCHEDULE_POLICIES,
  });
}

/** For the worker's start-up: its own short-lived connection, closed again so that shutdown is not held up. */
export function ensureMonthlyScheduleAt(settings: {
  address: string;
  namespace: string;
  taskQueue: string;
}): Promise<'created' | 'updated'> {
  return withTemporalClient(settings, (client) => ensureMonthlySchedule(client, settings.taskQueue));
}
