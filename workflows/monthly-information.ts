// The monthly consumption information (HKVO §6a). A Schedule starts `monthlyInformationRun` on the
// 5th of each month; it plans the run and fans out into one child workflow per property
// (`monthlyPropertyInformation`, id monthly-information-<month>-property-<id>), a few at a time.
// A property of up to batchSize units is one activity (the usual house); a larger one prepares its
// comparison groups once and then processes its units in batches, each one activity with bulk
// writes. Both workflows continue as new when their history grows (a portfolio of thousands of
// properties, a property of thousands of units). A rerun of a month repeats the work
// idempotently: unchanged information is neither rewritten nor announced again.
//
// Deterministic code only: time from the workflow clock, side effects in activities.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { TIME_ZONE, calendarDate } from '../domain/calendar';
import { isYearMonth, reportingMonthFor } from '../domain/monthly';
import { getMonthlyPropertyStatus, getMonthlyRunStatus } from './shared/monthly';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_PROPERTY_CONCURRENCY,
  EMPTY_TOTALS,
  MONTHLY_OBLIGATION,
  addTotals,
  monthlyPropertyWorkflowId,
  type CarriedRunState,
  type MonthlyPropertyInput,
  type MonthlyPropertyStatus,
  type MonthlyRunInput,
  type MonthlyRunStatus,
  type PropertyPlan,
  type PropertyTotals,
} from '../domain/contracts/monthly';
import { SA } from './shared/search-attributes';

const { startMonthlyRun, finishMonthlyRun } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A batch that keeps failing (a bug, bad data) fails its property after about ten minutes, not the month.
const BATCH_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10 } as const;
const { prepareMonthlyProperty } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: BATCH_RETRY });
// A batch heartbeats at each stage: a worker that dies mid-batch is noticed after the heartbeat
// timeout, and the batch goes on on another worker within half a minute instead of five.
const { processMonthlyBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '15 seconds',
  retry: BATCH_RETRY,
});

const DEFAULT_MAX_CHILDREN_PER_RUN = 500;
const DEFAULT_MAX_BATCHES_PER_RUN = 25;

export async function monthlyInformationRun(input: MonthlyRunInput = {}): Promise<MonthlyRunStatus> {
  const month = input.carried?.month ?? input.month ?? reportingMonthFor(calendarDate(new Date(), TIME_ZONE));
  if (!isYearMonth(month)) throw ApplicationFailure.nonRetryable(`not a month YYYY-MM: ${month}`, 'InvalidMonth');
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const status: MonthlyRunStatus = {
    month,
    runId: input.carried?.runId ?? null,
    state: input.carried ? 'running' : 'planning',
    propertiesTotal: 0,
    propertiesDone: input.carried?.propertiesDone ?? 0,
    propertiesFailed: [...(input.carried?.propertiesFailed ?? [])],
    unitsTotal: input.carried?.unitsTotal ?? 0,
    unitsDone: input.carried?.done.units ?? 0,
    totals: input.carried?.done ?? { ...EMPTY_TOTALS },
  };
  setHandler(getMonthlyRunStatus, () => status);
  upsertSearchAttributes([
    { key: SA.obligation, value: MONTHLY_OBLIGATION },
    { key: SA.period, value: month },
    { key: SA.state, value: 'running' },
  ]);

  let carried: CarriedRunState | null = null;
  try {
    let pending: PropertyPlan[];
    if (input.carried) {
      pending = input.carried.pending;
    } else {
      const plan = await startMonthlyRun({ workflowId: workflowInfo().workflowId, month, organisationIds: input.organisationIds });
      status.runId = plan.runId;
      status.unitsTotal = plan.properties.reduce((sum, p) => sum + p.units, 0);
      pending = plan.properties;
    }
    const runId = status.runId!;
    status.state = 'running';
    status.propertiesTotal = status.propertiesDone + status.propertiesFailed.length + pending.length;

    const maxChildren = input.maxChildrenPerRun ?? DEFAULT_MAX_CHILDREN_PER_RUN;
    let next = 0;
    const mustContinue = () => next >= maxChildren || workflowInfo().continueAsNewSuggested;
    const lane = async () => {
      while (next < pending.length && !mustContinue()) {
        const property = pending[next++]!;
        const totals = await processProperty(
          {
            runId,
            month,
            propertyId: property.propertyId,
            units: property.units,
            batchSize,
            maxBatchesPerRun: input.maxBatchesPerRun,
          },
          property.organisationId,
        );
        if (totals) {
          status.propertiesDone += 1;
          status.unitsDone += totals.units;
          status.totals = addTotals(status.totals, totals);
        } else {
          status.propertiesFailed.push(property.propertyId);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, input.propertyConcurrency ?? DEFAULT_PROPERTY_CONCURRENCY) }, lane));

    if (next < pending.length) {
      carried = {
        month,
        runId,
        unitsTotal: status.unitsTotal,
        pending: pending.slice(next),
        done: status.totals,
        propertiesDone: status.propertiesDone,
        propertiesFailed: status.propertiesFailed,
      };
    } else {
      status.state = status.propertiesFailed.length === 0 ? 'completed' : 'failed';
      await finishMonthlyRun({ runId, status: status.state, summary: { ...status.totals, propertiesFailed: status.propertiesFailed } });
      upsertSearchAttributes([{ key: SA.state, value: status.state }]);
    }
  } catch (error) {
    if (isCancellation(error) || status.runId === null) throw error;
    status.state = 'failed';
    upsertSearchAttributes([{ key: SA.state, value: 'failed' }]);
    await finishMonthlyRun({ runId: status.runId, status: 'failed', summary: { error: String(error) } });
    throw error;
  }
  if (carried) {
    await condition(allHandlersFinished);
    return await continueAsNew<typeof monthlyInformationRun>({ ...input, carried });
  }
  return status;
}

/** One property's child workflow; null when it failed (the run goes on, the property is reported). */
async function processProperty(input: MonthlyPropertyInput, organisationId: number | undefined): Promise<PropertyTotals | null> {
  try {
    return await executeChild(monthlyPropertyInformation, {
      workflowId: monthlyPropertyWorkflowId(input.month, input.propertyId),
      args: [input],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      // Only the start's attributes change (plans made before carry no organisation): the commands stay the same.
      typedSearchAttributes: [
        { key: SA.obligation, value: MONTHLY_OBLIGATION },
        { key: SA.period, value: input.month },
        { key: SA.property, value: String(input.propertyId) },
        ...(organisationId === undefined ? [] : [{ key: SA.organisation, value: String(organisationId) }]),
      ],
    });
  } catch (error) {
    // Another run of the same month is processing this property right now: it will publish it.
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      log.warn('Property already being processed by another run', { propertyId: input.propertyId, month: input.month });
      return null;
    }
    if (error instanceof ChildWorkflowFailure) {
      log.error('Monthly information of a property failed', {
        propertyId: input.propertyId,
        month: input.month,
        error: String(error.cause ?? error),
      });
      return null;
    }
    throw error;
  }
}

export async function monthlyPropertyInformation(input: MonthlyPropertyInput): Promise<PropertyTotals> {
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const status: MonthlyPropertyStatus = {
    propertyId: input.propertyId,
    month: input.month,
    state: input.carried ? 'running' : 'preparing',
    unitsTotal: input.carried?.unitIds.length ?? 0,
    unitsDone: input.carried?.position ?? 0,
    totals: input.carried?.totals ?? { ...EMPTY_TOTALS },
  };
  setHandler(getMonthlyPropertyStatus, () => status);

  // The common case (a house of up to batchSize flats): one activity does it all.
  if (!input.carried && input.units !== undefined && input.units <= batchSize) {
    status.state = 'running';
    status.unitsTotal = input.units;
    const totals = await processMonthlyBatch({ runId: input.runId, month: input.month, propertyId: input.propertyId });
    Object.assign(status, { state: 'completed', unitsTotal: totals.units, unitsDone: totals.units, totals });
    return totals;
  }

  const prepared =
    input.carried ?? (await prepareMonthlyProperty({ runId: input.runId, month: input.month, propertyId: input.propertyId }));
  status.unitsTotal = prepared.unitIds.length;
  status.state = 'running';

  let position = input.carried?.position ?? 0;
  for (let batches = 0; position < prepared.unitIds.length; batches++) {
    if (batches >= (input.maxBatchesPerRun ?? DEFAULT_MAX_BATCHES_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof monthlyPropertyInformation>({
        ...input,
        carried: { unitIds: prepared.unitIds, peers: prepared.peers, assumptions: prepared.assumptions, position, totals: status.totals },
      });
    }
    const unitIds = prepared.unitIds.slice(position, position + batchSize);
    const totals = await processMonthlyBatch({
      runId: input.runId,
      month: input.month,
      propertyId: input.propertyId,
      part: { unitIds, position: position + unitIds.length, peers: prepared.peers, assumptions: prepared.assumptions },
    });
    position += unitIds.length;
    status.unitsDone = position;
    status.totals = addTotals(status.totals, totals);
  }
  status.state = 'completed';
  return status.totals;
}
