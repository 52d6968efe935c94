// Service levels of tickets: which reaction and resolution time a category and priority get (the
// SLA matrix; organisations may override single cells), how a deadline is counted — on the wall
// clock or in business hours — and how the clock pauses while the tenant is asked for something.
//
// A deadline is a budget of SLA time. A measure records how much of it earlier running segments
// used up; while it runs, its due instant is "now plus what is left", counted on its clock. That
// makes pausing, resuming and changing the priority plain bookkeeping, and everything here is pure,
// so the ticket workflow runs the same code on replay.
import { BUSINESS_DAY_MS, addBusinessTime, businessTimeBetween, type BusinessCalendar } from './business-hours';

export const TICKET_CATEGORIES = ['statement_objection', 'device_report', 'reading', 'general_question', 'data_protection'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

/** Most urgent first. */
export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_CATEGORY_LABELS: Readonly<Record<TicketCategory, string>> = {
  statement_objection: 'Einspruch Abrechnung',
  device_report: 'Gerätemeldung',
  reading: 'Ablesung',
  general_question: 'Allgemeine Frage',
  data_protection: 'Datenschutz',
};

export const TICKET_PRIORITY_LABELS: Readonly<Record<TicketPriority, string>> = {
  urgent: 'Dringend',
  high: 'Hoch',
  normal: 'Normal',
  low: 'Niedrig',
};

export function isTicketCategory(value: unknown): value is TicketCategory {
  return typeof value === 'string' && (TICKET_CATEGORIES as readonly string[]).includes(value);
}

export function isTicketPriority(value: unknown): value is TicketPriority {
  return typeof value === 'string' && (TICKET_PRIORITIES as readonly string[]).includes(value);
}

/** The more urgent of two priorities. */
export function morePressing(a: TicketPriority, b: TicketPriority): TicketPriority {
  return TICKET_PRIORITIES.indexOf(a) <= TICKET_PRIORITIES.indexOf(b) ? a : b;
}

/** 'calendar': every hour counts (emergencies, legal month limits); 'business': Mon–Fri 8–17 without holidays. */
export type SlaClock = 'calendar' | 'business';

export interface SlaTarget {
  reactionMs: number;
  resolutionMs: number;
  clock: SlaClock;
}

export type SlaMatrix = Record<TicketCategory, Record<TicketPriority, SlaTarget>>;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const hours = (n: number) => n * HOUR_MS;
const days = (n: number) => n * DAY_MS;
const workingDays = (n: number) => n * BUSINESS_DAY_MS;
const onBusinessHours = (reactionMs: number, resolutionMs: number): SlaTarget => ({ reactionMs, resolutionMs, clock: 'business' });
const aroundTheClock = (reactionMs: number, resolutionMs: number): SlaTarget => ({ reactionMs, resolutionMs, clock: 'calendar' });

/** Urgent means an emergency (no heating, no hot water, a leak): its clock never stops for nights and weekends. */
const BY_PRIORITY: Record<TicketPriority, SlaTarget> = {
  urgent: aroundTheClock(hours(2), hours(24)),
  high: onBusinessHours(hours(4), workingDays(2)),
  normal: onBusinessHours(workingDays(1), workingDays(5)),
  low: onBusinessHours(workingDays(2), workingDays(10)),
};

/**
 * The defaults of every organisation. Statement objections need the billing to be checked, so they
 * get more time to resolve; data-protection requests run on the calendar because Art. 12(3) GDPR
 * gives one month at most, weekends included.
 */
export const DEFAULT_SLA_MATRIX: SlaMatrix = {
  device_report: BY_PRIORITY,
  reading: BY_PRIORITY,
  general_question: BY_PRIORITY,
  statement_objection: {
    urgent: onBusinessHours(hours(4), workingDays(5)),
    high: onBusinessHours(workingDays(1), workingDays(10)),
    normal: onBusinessHours(workingDays(2), workingDays(20)),
    low: onBusinessHours(workingDays(2), workingDays(20)),
  },
  data_protection: {
    urgent: aroundTheClock(days(1), days(7)),
    high: aroundTheClock(days(3), days(14)),
    normal: aroundTheClock(days(3), days(28)),
    low: aroundTheClock(days(3), days(28)),
  },
};

/** One cell of an organisation's matrix that differs from the defaults (a row of ticket_sla_rules). */
export interface SlaRuleOverride {
  category: TicketCategory;
  priority: TicketPriority;
  reactionSeconds: number;
  resolutionSeconds: number;
  businessHours: boolean;
}

export function slaMatrixWith(overrides: readonly SlaRuleOverride[], base: SlaMatrix = DEFAULT_SLA_MATRIX): SlaMatrix {
  const matrix = Object.fromEntries(TICKET_CATEGORIES.map((c) => [c, { ...base[c] }])) as SlaMatrix;
  for (const rule of overrides) {
    if (!(rule.reactionSeconds > 0 && rule.resolutionSeconds > 0))
      throw new RangeError(`SLA rule ${rule.category}/${rule.priority}: times must be positive`);
    matrix[rule.category][rule.priority] = {
      reactionMs: rule.reactionSeconds * 1000,
      resolutionMs: rule.resolutionSeconds * 1000,
      clock: rule.businessHours ? 'business' : 'calendar',
    };
  }
  return matrix;
}

/** SLA time between two instants on a clock. */
export function slaTimeBetween(fromMs: number, toMs: number, clock: SlaClock, calendar: BusinessCalendar): number {
  if (toMs <= fromMs) return 0;
  return clock === 'business' ? businessTimeBetween(fromMs, toMs, calendar) : toMs - fromMs;
}

/** The instant at which `durationMs` of SLA time has passed after `startMs`. */
export function addSlaTime(startMs: number, durationMs: number, clock: SlaClock, calendar: BusinessCalendar): number {
  return clock === 'business' ? addBusinessTime(startMs, durationMs, calendar) : startMs + Math.max(0, durationMs);
}

/** Escalation to the assignee when this share of the budget is used up. */
export const WARNING_SHARE = 0.75;

/** One deadline (reaction or resolution) of a ticket, with its pauses and escalations. */
export interface SlaMeasure {
  budgetMs: number;
  clock: SlaClock;
  /** SLA time used by running segments that have ended (pauses, retargets). */
  consumedMs: number;
  /** Start of the running segment; null while paused or after the end. */
  runningSinceMs: number | null;
  /** When the deadline was met (answer, resolution) or stopped (closed); null while open. */
  endedAtMs: number | null;
  /** When the 75 % escalation went out, and when the breach was recorded: each happens once. */
  warnedAtMs: number | null;
  breachedAtMs: number | null;
}

export type MeasureState = 'running' | 'paused' | 'breached' | 'met' | 'met_late';

export function startMeasure(budgetMs: number, clock: SlaClock, atMs: number): SlaMeasure {
  return { budgetMs, clock, consumedMs: 0, runningSinceMs: atMs, endedAtMs: null, warnedAtMs: null, breachedAtMs: null };
}

export function consumedAt(measure: SlaMeasure, atMs: number, calendar: BusinessCalendar): number {
  const running = measure.runningSinceMs === null ? 0 : slaTimeBetween(measure.runningSinceMs, atMs, measure.clock, calendar);
  return measure.consumedMs + running;
}

/** SLA time left; negative once the deadline has passed. */
export function remainingAt(measure: SlaMeasure, atMs: number, calendar: BusinessCalendar): number {
  return measure.budgetMs - consumedAt(measure, atMs, calendar);
}

export function pauseMeasure(measure: SlaMeasure, atMs: number, calendar: BusinessCalendar): SlaMeasure {
  if (measure.runningSinceMs === null) return measure;
  return { ...measure, consumedMs: consumedAt(measure, atMs, calendar), runningSinceMs: null };
}

export function resumeMeasure(measure: SlaMeasure, atMs: number): SlaMeasure {
  if (measure.endedAtMs !== null || measure.runningSinceMs !== null) return measure;
  return { ...measure, runningSinceMs: atMs };
}

export function endMeasure(measure: SlaMeasure, atMs: number, calendar: BusinessCalendar): SlaMeasure {
  if (measure.endedAtMs !== null) return measure;
  return { ...pauseMeasure(measure, atMs, calendar), endedAtMs: atMs };
}

/**
 * A new budget (the manager changed category or priority). Time already used stays used, counted
 * on the clock that ran at the time; escalations already made stay made.
 */
export function retargetMeasure(
  measure: SlaMeasure,
  budgetMs: number,
  clock: SlaClock,
  atMs: number,
  calendar: BusinessCalendar,
): SlaMeasure {
  if (measure.endedAtMs !== null) return { ...measure, budgetMs, clock };
  const paused = pauseMeasure(measure, atMs, calendar);
  return { ...paused, budgetMs, clock, runningSinceMs: measure.runningSinceMs === null ? null : atMs };
}

/** The instant at which the measure will have used `amountMs`, if it is running. */
function instantOfConsumption(measure: SlaMeasure, amountMs: number, calendar: BusinessCalendar): number | null {
  if (measure.runningSinceMs === null) return null;
  return addSlaTime(measure.runningSinceMs, amountMs - measure.consumedMs, measure.clock, calendar);
}

export function dueAtOf(measure: SlaMeasure, calendar: BusinessCalendar): number | null {
  return instantOfConsumption(measure, measure.budgetMs, calendar);
}

export function warningAtOf(measure: SlaMeasure, calendar: BusinessCalendar): number | null {
  return instantOfConsumption(measure, Math.ceil(measure.budgetMs * WARNING_SHARE), calendar);
}

export function measureState(measure: SlaMeasure, atMs: number, calendar: BusinessCalendar): MeasureState {
  if (measure.endedAtMs !== null) return measure.consumedMs <= measure.budgetMs ? 'met' : 'met_late';
  if (remainingAt(measure, atMs, calendar) <= 0) return 'breached';
  return measure.runningSinceMs === null ? 'paused' : 'running';
}

export type Escalation = 'warning' | 'breach';

/**
 * The escalation due at `atMs` that has not been made, if any. Past the deadline that is the
 * breach alone: a warning that was missed (a worker outage) would only say less, later.
 */
export function dueEscalation(measure: SlaMeasure, atMs: number, calendar: BusinessCalendar): Escalation | null {
  if (measure.endedAtMs !== null || measure.runningSinceMs === null || measure.breachedAtMs !== null) return null;
  const remaining = remainingAt(measure, atMs, calendar);
  if (remaining <= 0) return 'breach';
  if (measure.warnedAtMs === null && remaining <= measure.budgetMs - Math.ceil(measure.budgetMs * WARNING_SHARE)) return 'warning';
  return null;
}

/** Marks an escalation as made; a breach also settles the warning. */
export function recordEscalation(measure: SlaMeasure, escalation: Escalation, atMs: number): SlaMeasure {
  if (escalation === 'warning') return { ...measure, warnedAtMs: measure.warnedAtMs ?? atMs };
  return { ...measure, warnedAtMs: measure.warnedAtMs ?? atMs, breachedAtMs: measure.breachedAtMs ?? atMs };
}

/** When the measure next needs attention by itself (null: paused, ended or fully escalated). */
export function nextEscalationAt(measure: SlaMeasure, calendar: BusinessCalendar): number | null {
  if (measure.endedAtMs !== null || measure.runningSinceMs === null || measure.breachedAtMs !== null) return null;
  return measure.warnedAtMs === null ? warningAtOf(measure, calendar) : dueAtOf(measure, calendar);
}

/** A span in German shorthand, coarse enough to read at a glance: "2 T 4 h", "4 h 12 min", "12 min", "45 s". */
export function formatSpan(ms: number, { days = true }: { days?: boolean } = {}): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  const d = days ? Math.floor(seconds / 86_400) : 0;
  const h = Math.floor((seconds - d * 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  if (d > 0) return h > 0 ? `${d} T ${h} h` : `${d} T`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${seconds % 60} s`;
}

/**
 * "4 h verbleibend" / "seit 2 h überfällig" — the brochure's countdown wording. Business time is
 * told in hours ("44 h"), since its days are working days of nine hours, not calendar days.
 */
export function describeRemaining(remainingMs: number, clock: SlaClock = 'calendar'): string {
  const span = formatSpan(remainingMs, { days: clock === 'calendar' });
  return remainingMs > 0 ? `${span} verbleibend` : `seit ${span} überfällig`;
}

/** A budget as people state it: "5 Arbeitstage", "4 Arbeitsstunden", "24 h", "28 Tage". */
export function describeBudget(target: { ms: number; clock: SlaClock }): string {
  const { ms, clock } = target;
  if (clock === 'business') {
    if (ms % BUSINESS_DAY_MS === 0) return ms === BUSINESS_DAY_MS ? '1 Arbeitstag' : `${ms / BUSINESS_DAY_MS} Arbeitstage`;
    if (ms % HOUR_MS === 0) return ms === HOUR_MS ? '1 Arbeitsstunde' : `${ms / HOUR_MS} Arbeitsstunden`;
    return `${formatSpan(ms, { days: false })} Arbeitszeit`;
  }
  if (ms % DAY_MS === 0 && ms >= 2 * DAY_MS) return `${ms / DAY_MS} Tage`;
  return formatSpan(ms, { days: false });
}
