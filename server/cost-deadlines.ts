// Cost-data deadlines ("Abgabefristen", issue 15 item 5): per property and billing period an
// obligation for the managers to enter the statement's costs in time. Started through the outbox
// for each property's previous calendar year (worker start-up sweep, or on demand); a saved
// statement for the period signals it (enqueued in the statement's transaction) and closes it.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db';
import { addMonths } from '../domain/dates';
import {
  COST_DEADLINE_MONTHS,
  COST_DEADLINE_OBLIGATION,
  COST_DEADLINE_REMINDER_DAYS,
  COST_DEADLINE_WORKFLOW_TYPE,
  costDeadlineWorkflowId,
  type CostDeadlineInput,
} from '../domain/contracts/cost-deadline';
import type { costDataDeadline } from '../workflows/cost-deadline';
import { costDataEntered } from '../workflows/shared/cost-deadline';
import { db as sharedDb } from './db';
import { deliverNow, enqueueSignal, enqueueWorkflowStart, type OutboxEntry } from './outbox';
import { temporalSettings, type WorkflowOptions } from './temporal';

export interface BillingPeriodRef {
  start: string; // YYYY-MM-DD
  end: string; // YYYY-MM-DD
}

export function costDeadlineDueAt(periodEnd: string, months: number = COST_DEADLINE_MONTHS): string {
  return addMonths(periodEnd, months);
}

/** Each organisation's months from the period end to the cost-data deadline (the default where none is set). */
export async function costDeadlineMonthsByOrganisation(database: Db, organisationIds: number[]): Promise<Map<number, number>> {
  const months = new Map(organisationIds.map((id) => [id, COST_DEADLINE_MONTHS]));
  if (organisationIds.length === 0) return months;
  const rows = await database.sequelize.query<{ organisationId: number; months: number }>(
    `SELECT organisation_id AS "organisationId", cost_deadline_months AS months
       FROM statement_lifecycle_settings WHERE organisation_id IN (:organisationIds)`,
    { replacements: { organisationIds }, type: QueryTypes.SELECT },
  );
  for (const row of rows) months.set(row.organisationId, row.months);
  return months;
}

/** The organisation's months from the period end to the cost-data deadline. */
export async function costDeadlineMonths(organisationId: number, database: Db = sharedDb()): Promise<number> {
  return (await costDeadlineMonthsByOrganisation(database, [organisationId])).get(organisationId) ?? COST_DEADLINE_MONTHS;
}

/** The calendar year before `today` (YYYY-MM-DD): the period a start-up sweep covers. */
export function previousCalendarYear(today: string): BillingPeriodRef {
  const year = Number(today.slice(0, 4)) - 1;
  return { start: `${year}-01-01`, end: `${year}-12-31` };
}

/**
 * Starts the obligation of each given property (default: all) for the period, idempotently (the
 * workflow id is the key; a closed one is not restarted). Returns how many were enqueued.
 */
export async function ensureCostDeadlines(
  period: BillingPeriodRef,
  options: WorkflowOptions & { propertyIds?: number[] } = {},
): Promise<number> {
  const database = options.db ?? sharedDb();
  const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
  const where = options.propertyIds ? { id: options.propertyIds } : {};
  const properties = await database.models.Property.findAll({ where, attributes: ['id', 'organisationId'], order: [['id', 'ASC']] });
  // Read when the obligation starts: a later change of the setting applies to the next period.
  const monthsOf = await costDeadlineMonthsByOrganisation(database, [...new Set(properties.map((p) => p.organisationId))]);
  const entries = await database.sequelize.transaction(async (transaction) => {
    const queued: OutboxEntry[] = [];
    for (const { id: propertyId, organisationId } of properties) {
      const input: CostDeadlineInput = {
        propertyId,
        periodStart: period.start,
        periodEnd: period.end,
        dueAt: costDeadlineDueAt(period.end, monthsOf.get(organisationId)),
        reminderDays: [...COST_DEADLINE_REMINDER_DAYS],
      };
      queued.push(
        await enqueueWorkflowStart<typeof costDataDeadline>(transaction, {
          workflowType: COST_DEADLINE_WORKFLOW_TYPE,
          workflowId: costDeadlineWorkflowId(propertyId, period.end),
          taskQueue,
          args: [input],
          identity: { obligation: COST_DEADLINE_OBLIGATION, organisationId, propertyId, unitId: null },
        }),
      );
    }
    return queued;
  });
  await deliverNow(entries, { db: database, client: options.client });
  return entries.length;
}

/** In the statement's transaction: tells the period's obligation (if any) that its costs are in. */
export function enqueueCostDataEntered(
  transaction: Transaction,
  statement: { id: number; propertyId: number; periodEnd: string },
  taskQueue?: string,
): Promise<OutboxEntry> {
  return enqueueSignal(
    transaction,
    costDeadlineWorkflowId(statement.propertyId, statement.periodEnd),
    costDataEntered,
    [{ statementId: statement.id }],
    {
      ifMissing: 'skip',
      taskQueue,
    },
  );
}
