// The contract of the cost-data deadline workflow (`cost-deadline-<propertyId>-<periodEnd>`, issue 15
// item 5): per property and billing period the managers must enter the statement's costs in time for
// the statement to reach every tenant before BGB §556(3) (12 months after the period). It reminds,
// escalates once when the deadline passes, and closes when a statement for the period is saved.
// Its messages are in workflows/shared/cost-deadline.ts.
import { parseWholeNumberInRange } from '../params';

export const COST_DEADLINE_WORKFLOW_TYPE = 'costDataDeadline';
export const COST_DEADLINE_OBLIGATION = 'cost-data';

/** ApplicationFailure type of an activity that finds its property deleted. */
export const PROPERTY_GONE = 'PropertyGone';

/**
 * Months after the period end by which the costs are due, by default: 3 months leave 9 for reading,
 * calculation and delivery within BGB §556(3). Each organisation may choose 1 to 9 months (the
 * settings page; at most 9 keeps three months for the statement's own work).
 */
export const COST_DEADLINE_MONTHS = 3;
export const COST_DEADLINE_MONTHS_MIN = 1;
export const COST_DEADLINE_MONTHS_MAX = 9;

/** The months of a settings form (whole number 1–9), or an error naming the field. */
export function parseCostDeadlineMonths(value: unknown): { ok: true; months: number } | { ok: false; error: string } {
  const parsed = parseWholeNumberInRange(value, {
    min: COST_DEADLINE_MONTHS_MIN,
    max: COST_DEADLINE_MONTHS_MAX,
    field: 'Abgabefrist für Kostendaten',
    unit: 'Monaten',
  });
  return parsed.ok ? { ok: true, months: parsed.value } : parsed;
}
export const COST_DEADLINE_REMINDER_DAYS: readonly number[] = [30, 7];

export function costDeadlineWorkflowId(propertyId: number, periodEnd: string): string {
  return `cost-deadline-${propertyId}-${periodEnd}`;
}

export type CostDeadlineState = 'watching' | 'escalated' | 'entered';

export interface CostDeadlineInput {
  propertyId: number;
  periodStart: string; // YYYY-MM-DD
  periodEnd: string; // YYYY-MM-DD
  dueAt: string; // YYYY-MM-DD
  reminderDays: number[];
}

/** A statement for the period was saved (the server stored it first). */
export interface CostDataEntered {
  statementId: number;
}

export interface CostDeadlineStatus {
  propertyId: number;
  periodEnd: string;
  dueAt: string;
  state: CostDeadlineState;
  handledReminders: string[];
  escalated: boolean;
  statementId: number | null;
}

/** `cost-deadline-<p>-<end>:reminder-30` — each reminder and the escalation fire once. */
export function costDeadlineDedupeKey(propertyId: number, periodEnd: string, event: string): string {
  return `${costDeadlineWorkflowId(propertyId, periodEnd)}:${event}`;
}
