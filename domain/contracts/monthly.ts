// The contract of the monthly information workflows (HKVO §6a): ids, states, inputs and message payloads, shared by the
// workflow, its activities, the server and the pages. Its messages are in workflows/shared/monthly.ts.
import type { Assumptions, PeerMonth, YearMonth } from '../monthly';

export const MONTHLY_RUN_WORKFLOW_TYPE = 'monthlyInformationRun';
export const MONTHLY_PROPERTY_WORKFLOW_TYPE = 'monthlyPropertyInformation';
/** Value of the KlarObligation search attribute of both workflows. */
export const MONTHLY_OBLIGATION = 'monthly-information';

/** The Schedule (5th of each month, 06:00 German time) and the id its runs start with (Temporal appends the time). */
export const MONTHLY_SCHEDULE_ID = 'monthly-information';

/** Units per activity: one bulk write per batch keeps 10,000 units within a few minutes. */
export const DEFAULT_BATCH_SIZE = 200;
/** Properties processed at the same time. */
export const DEFAULT_PROPERTY_CONCURRENCY = 6;

/** Business id: one property's information for one month; a second run of the month finds it done or running. */
export function monthlyPropertyWorkflowId(month: YearMonth, propertyId: number): string {
  return `${MONTHLY_OBLIGATION}-${month}-property-${propertyId}`;
}

/** Tenant's page of a month, linked from notifications and e-mails. */
export function monthlyInformationPath(month: YearMonth): string {
  return `/verbrauch?monat=${month}`;
}

/** Dedupe key of the notification "your information for <month> is there": one per user and month. */
export function monthlyNotificationKey(month: YearMonth): string {
  return `${MONTHLY_OBLIGATION}:${month}`;
}

export interface MonthlyRunInput {
  /** The month to inform about; absent (the Schedule's runs): the month before the run's start, in German time. */
  month?: YearMonth;
  /** Only these organisations' properties (tests, benchmarks); absent: the whole portfolio. */
  organisationIds?: number[];
  batchSize?: number;
  propertyConcurrency?: number;
  /** Property workflows started per run before continuing as new (keeps the history small); tests set it low. */
  maxChildrenPerRun?: number;
  /** Passed on to each property's workflow (see MonthlyPropertyInput). */
  maxBatchesPerRun?: number;
  /** Set by the workflow itself when it continues as new. */
  carried?: CarriedRunState;
}

export interface PropertyPlan {
  propertyId: number;
  units: number;
  /** The property's organisation, for the child's KlarOrganisation (absent in plans made before it was added). */
  organisationId?: number;
}

export interface CarriedRunState {
  month: YearMonth;
  runId: number;
  unitsTotal: number;
  /** Properties not yet processed. */
  pending: PropertyPlan[];
  done: PropertyTotals;
  propertiesDone: number;
  propertiesFailed: number[];
}

/** Counts of what a batch, a property or a run produced. */
export interface PropertyTotals {
  units: number;
  /** Informations whose content was new or changed (0 on an idempotent rerun). */
  published: number;
  portal: number;
  noAccount: number;
  vacant: number;
  tenantChange: number;
  estimated: number;
  notRemoteReadable: number;
  mailed: number;
}

export const EMPTY_TOTALS: PropertyTotals = {
  units: 0,
  published: 0,
  portal: 0,
  noAccount: 0,
  vacant: 0,
  tenantChange: 0,
  estimated: 0,
  notRemoteReadable: 0,
  mailed: 0,
};

export function addTotals(a: PropertyTotals, b: PropertyTotals): PropertyTotals {
  const sum = { ...a };
  for (const key of Object.keys(EMPTY_TOTALS) as Array<keyof PropertyTotals>) sum[key] = a[key] + b[key];
  return sum;
}

export type MonthlyRunState = 'planning' | 'running' | 'completed' | 'failed';

export interface MonthlyRunStatus {
  month: YearMonth | null;
  runId: number | null;
  state: MonthlyRunState;
  propertiesTotal: number;
  propertiesDone: number;
  propertiesFailed: number[];
  unitsTotal: number;
  /** Units of properties whose workflow has finished (the database has per-batch progress). */
  unitsDone: number;
  totals: PropertyTotals;
}

export interface MonthlyPropertyInput {
  runId: number;
  month: YearMonth;
  propertyId: number;
  /** Units when the run was planned: up to batchSize they are done in one activity, without a separate preparation. */
  units?: number;
  batchSize?: number;
  /** Batches per run before continuing as new (a property of thousands of units); tests set it low. */
  maxBatchesPerRun?: number;
  carried?: CarriedPropertyState;
}

/** What the property's preparation computed once, for all its batches. */
export interface PropertyPreparation {
  unitIds: number[];
  peers: PeerMonth[];
  assumptions: Assumptions;
}

export interface CarriedPropertyState extends PropertyPreparation {
  position: number;
  totals: PropertyTotals;
}

export interface MonthlyPropertyStatus {
  propertyId: number;
  month: YearMonth;
  state: 'preparing' | 'running' | 'completed';
  unitsTotal: number;
  unitsDone: number;
  totals: PropertyTotals;
}

export interface MonthlyBatchInput {
  runId: number;
  month: YearMonth;
  propertyId: number;
  /** One batch of a prepared property; absent: all the property's units in one batch. */
  part?: BatchPart;
}

export interface BatchPart extends Omit<PropertyPreparation, 'unitIds'> {
  unitIds: number[];
  /** Units of the property done once this batch is (its end in the property's ordered list). */
  position: number;
}
