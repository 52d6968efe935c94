// The contract of the legionella sampling workflow (`legionella-<waterSystemId>`): one per large
// drinking-water system (TrinkwV §31, shared/HKVO.md §3). It watches the sampling deadline (3 years
// after the last sampling), reminds and escalates like a device; a lab result closes the round and
// starts the next, a finding (> 100 CFU/100 ml) switches it to the follow-up until a clean result.
// Its messages are in workflows/shared/legionella.ts.
export const LEGIONELLA_WORKFLOW_TYPE = 'legionellaSampling';
export const LEGIONELLA_OBLIGATION = 'legionella';

/** ApplicationFailure type of an activity that finds its water system deleted. */
export const WATER_SYSTEM_GONE = 'WaterSystemGone';

/** Default days from a finding's sampling to the re-sampling deadline (after the remedy). */
export const DEFAULT_RESAMPLE_DAYS = 30;

export function legionellaWorkflowId(waterSystemId: number): string {
  return `legionella-${waterSystemId}`;
}

export const TRINKWASSER_PATH = '/trinkwasser';

/** `routine`: the 3-yearly sampling; `finding`: the follow-up of a finding until a clean result. */
export type LegionellaPhase = 'routine' | 'finding';
export type LegionellaState = 'watching' | 'escalated';

export interface LegionellaCarried {
  handledReminders: string[];
  escalationKey: string | null;
}

export interface LegionellaInput {
  waterSystemId: number;
  propertyId: number;
  phase: LegionellaPhase;
  /** The deadline of the current round (YYYY-MM-DD). */
  dueAt: string;
  /** The result that opened the follow-up, while phase is `finding`. */
  findingResultId: number | null;
  reminderDays: number[];
  resampleDays: number;
  carried?: LegionellaCarried;
}

/** A lab result as the workflow learns it (the server stored it first). */
export interface LabResultRecorded {
  resultId: number;
  sampledAt: string; // YYYY-MM-DD
  cfuPer100ml: number;
}

export interface LegionellaStatus {
  waterSystemId: number;
  phase: LegionellaPhase;
  state: LegionellaState;
  dueAt: string;
  findingResultId: number | null;
  handledReminders: string[];
  escalated: boolean;
  /** Results processed by this run, in order. */
  results: LabResultRecorded[];
}

/** `legionella-<id>:<phase>:<dueAt>:reminder-30` — each reminder and escalation of a round fires once. */
export function legionellaDedupeKey(waterSystemId: number, phase: LegionellaPhase, dueAt: string, event: string): string {
  return `${legionellaWorkflowId(waterSystemId)}:${phase}:${dueAt}:${event}`;
}
