// Monthly information for past months (issue 14 item 7): a new demo gets a year of history for its
// charts and comparisons through the same workflow the Schedule starts, given the month. One month
// after the other, with few properties at a time, so a small machine stays responsive. Each month's
// run has a fixed id: starting the backfill again (a restart) joins a running month and skips a
// finished one, and the workflow itself repeats published work idempotently.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { MONTHLY_OBLIGATION, MONTHLY_RUN_WORKFLOW_TYPE, MONTHLY_SCHEDULE_ID, type MonthlyRunInput } from '../domain/contracts/monthly';
import { monthsEnding, type YearMonth } from '../domain/monthly';
import type { monthlyInformationRun } from '../workflows/monthly-information';
import { SA } from '../workflows/shared/search-attributes';
import { temporalClient, temporalSettings } from './temporal';

/** Properties of one backfilled month processed at the same time (the Schedule's runs use 6). */
export const BACKFILL_PROPERTY_CONCURRENCY = 2;

export function backfillWorkflowId(month: YearMonth, prefix = `${MONTHLY_OBLIGATION}-backfill`): string {
  return `${prefix}-${month}`;
}

export interface BackfillOptions {
  client?: Client;
  taskQueue?: string;
  /** Only these organisations (tests); absent: the whole portfolio, as the Schedule's runs. */
  organisationIds?: number[];
  /** Tests give their own, so that their ids do not meet another run's. */
  workflowIdPrefix?: string;
  log?: (line: string) => void;
}

/** The `count` months before `month`, oldest first, none before `earliest` (where the readings begin). */
export function monthsBefore(month: YearMonth, count: number, earliest: YearMonth): YearMonth[] {
  return monthsEnding(month, count + 1)
    .slice(0, -1)
    .filter((m) => m >= earliest);
}

/** Runs the monthly information of `months` in the given order, each to its end; returns how many were started (not found done or running). */
export async function backfillMonthlyInformation(months: readonly YearMonth[], options: BackfillOptions = {}): Promise<number> {
  const client = options.client ?? temporalClient();
  const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
  let started = 0;
  for (const month of months) {
    const workflowId = backfillWorkflowId(month, options.workflowIdPrefix);
    const input: MonthlyRunInput = { month, organisationIds: options.organisationIds, propertyConcurrency: BACKFILL_PROPERTY_CONCURRENCY };
    try {
      await client.workflow.start<typeof monthlyInformationRun>(MONTHLY_RUN_WORKFLOW_TYPE, {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [{ key: SA.obligation, value: MONTHLY_OBLIGATION }],
      });
      started++;
    } catch (error) {
      // Ended before (an earlier start of the backfill): that month is done.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    // Waits for the month (also one that was already running) before starting the next.
    const status = await client.workflow.getHandle<typeof monthlyInformationRun>(workflowId).result();
    options.log?.(`Monthly information ${month}: ${status.unitsDone} units, ${status.propertiesFailed.length} properties failed.`);
  }
  return started;
}

/** Waits until the runs the monthly Schedule has going now (one just triggered: it shows within ~30 s) have ended. */
export async function waitForScheduledMonthlyRuns(client: Client = temporalClient()): Promise<void> {
  const schedule = client.schedule.getHandle(MONTHLY_SCHEDULE_ID);
  for (let attempt = 0; attempt < 30; attempt++) {
    const { info } = await schedule.describe();
    if (info.runningActions.length > 0) {
      for (const action of info.runningActions) await client.workflow.getHandle(action.workflow.workflowId).result();
      return;
    }
    if (info.recentActions.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
