// The coverage reports of the compliance desk: the evidence an authority asks for. Per month and
// property, whether the §6a monthly information reached every unit by the 5th of the following
// month; per billing year and property, whether each statement recipient received it within BGB
// §556(3); per device type, which deadlines of a year were met, missed or resolved late. Pure: the
// server loads one row per unit, recipient or device and these functions classify and count.
import { addDays, compareDates } from '../dates';
import { addMonthsTo, isYearMonth, type MonthlyDelivery, type YearMonth } from '../monthly';
import { endOfGermanDayMs } from '../statement-lifecycle';
import type { DeadlineKind, DeviceType } from '../deadlines';
import type { ResolutionHow } from '../deadline-resolution';

// ---- §6a monthly information ----

/**
 * The day of the following month by which a month's information must be with the tenant: the
 * monthly Schedule publishes it on the 5th (server/monthly-schedule.ts), so the 5th is the portal's
 * own deadline and what the report checks against.
 */
export const MONTHLY_INFORMATION_DUE_DAY = 5;

/** The last calendar day (German time) the information on `month` may reach the unit: October → 05.11. */
export function monthlyInformationDueOn(month: YearMonth): string {
  if (!isYearMonth(month)) throw new RangeError(`month: not a month YYYY-MM: ${month}`);
  return `${addMonthsTo(month, 1)}-${String(MONTHLY_INFORMATION_DUE_DAY).padStart(2, '0')}`;
}

/** One unit of a property as the monthly report sees it; `delivery` null: no information published. */
export interface MonthlyUnitRow {
  propertyId: number;
  property: string;
  unitId: number;
  unit: string;
  delivery: MonthlyDelivery | null;
  /** When the information was first provided to the tenant in the portal (the proof chain's "provided"). */
  providedAt: string | null;
  openedAt: string | null;
}

export type MonthlyOutcome = 'on-time' | 'late' | 'missing' | 'not-due';

export interface MonthlyUnitFinding {
  unitId: number;
  unit: string;
  outcome: MonthlyOutcome;
  /** When it was provided to the tenant (null: not provided to a tenant). */
  providedAt: string | null;
  opened: boolean;
  /** Why, in German (what the auditor reads next to the unit). */
  reason: string;
}

export interface MonthlyPropertyReport {
  propertyId: number;
  property: string;
  units: number;
  /** Units whose tenant had to be informed (vacant flats and a mid-month change of tenant are not). */
  due: number;
  informed: number;
  onTime: number;
  late: number;
  opened: number;
  missing: number;
  /** Every unit not informed on time or not due, named (the complete list; the page may cut it). */
  findings: MonthlyUnitFinding[];
}

export interface MonthlyReport {
  month: YearMonth;
  dueOn: string;
  totals: Omit<MonthlyPropertyReport, 'propertyId' | 'property' | 'findings'>;
  properties: MonthlyPropertyReport[];
}

const NOT_DUE: Partial<Record<MonthlyDelivery, string>> = {
  vacant: 'Leerstand: niemand zu informieren',
  'tenant-change': 'Nutzerwechsel im Monat: nicht zugestellt, um die Verbräuche beider Mieter zu schützen',
};

/** One unit's outcome for the month whose information is due by `dueByMs` (exclusive: the next German midnight). */
export function classifyMonthlyUnit(row: MonthlyUnitRow, dueByMs: number): MonthlyUnitFinding {
  // Only a provision to the tenant counts; a row kept for the manager (no account, vacant) was provided to nobody.
  const base = { unitId: row.unitId, unit: row.unit, providedAt: null, opened: row.openedAt !== null };
  if (row.delivery === null) return { ...base, outcome: 'missing', reason: 'Keine Monatsinformation erstellt' };
  const notDue = NOT_DUE[row.delivery];
  if (notDue) return { ...base, outcome: 'not-due', reason: notDue };
  if (row.delivery === 'no-account') return { ...base, outcome: 'missing', reason: 'Kein Portalzugang: andere Zustellung nötig' };
  if (row.providedAt === null) return { ...base, outcome: 'missing', reason: 'Erstellt, aber nicht bereitgestellt' };
  const providedMs = Date.parse(row.providedAt);
  if (Number.isNaN(providedMs)) throw new RangeError(`providedAt: not an instant: ${row.providedAt}`);
  const provided = { ...base, providedAt: row.providedAt };
  return providedMs < dueByMs
    ? { ...provided, outcome: 'on-time', reason: 'Rechtzeitig bereitgestellt' }
    : { ...provided, outcome: 'late', reason: 'Nach Fristende bereitgestellt' };
}

const emptyMonthlyCounts = () => ({ units: 0, due: 0, informed: 0, onTime: 0, late: 0, opened: 0, missing: 0 });

export function monthlyInformationReport(month: YearMonth, rows: readonly MonthlyUnitRow[]): MonthlyReport {
  const dueOn = monthlyInformationDueOn(month);
  const dueByMs = endOfGermanDayMs(dueOn);
  const byProperty = new Map<number, MonthlyPropertyReport>();
  const totals = emptyMonthlyCounts();
  for (const row of rows) {
    let report = byProperty.get(row.propertyId);
    if (!report) {
      report = { propertyId: row.propertyId, property: row.property, ...emptyMonthlyCounts(), findings: [] };
      byProperty.set(row.propertyId, report);
    }
    const finding = classifyMonthlyUnit(row, dueByMs);
    for (const counts of [report, totals]) {
      counts.units += 1;
      if (finding.outcome === 'not-due') continue;
      counts.due += 1;
      if (finding.outcome === 'missing') counts.missing += 1;
      else {
        counts.informed += 1;
        if (finding.outcome === 'on-time') counts.onTime += 1;
        else counts.late += 1;
        if (finding.opened) counts.opened += 1;
      }
    }
    if (finding.outcome !== 'on-time') report.findings.push(finding);
  }
  return { month, dueOn, totals, properties: [...byProperty.values()] };
}

// ---- BGB §556(3) statement delivery ----

/** One tenant (occupancy) of a statement version in force; `receivedOn` null: not delivered yet. */
export interface StatementRecipientRow {
  propertyId: number;
  property: string;
  statementId: number;
  documentNumber: string;
  version: number;
  periodEnd: string;
  unit: string;
  tenant: string;
  channel: 'portal' | 'post' | null;
  receivedOn: string | null;
  /** BGB §556(3): the last day of receipt. */
  deliveryDeadline: string;
}

export type DeliveryOutcome = 'in-time' | 'late' | 'overdue' | 'open';

export interface RecipientFinding extends Omit<StatementRecipientRow, 'propertyId' | 'property'> {
  outcome: DeliveryOutcome;
  /** Days received after the deadline (late), or passed since it (overdue); else 0. */
  daysLate: number;
}

export interface StatementPropertyReport {
  propertyId: number;
  property: string;
  recipients: number;
  inTime: number;
  late: number;
  /** Not received and the deadline has passed. */
  overdue: number;
  /** Not received, the deadline still ahead. */
  open: number;
  /** Every recipient not received in time (late, overdue, open). */
  findings: RecipientFinding[];
}

export interface StatementReport {
  year: number;
  asOf: string;
  totals: Omit<StatementPropertyReport, 'propertyId' | 'property' | 'findings'>;
  properties: StatementPropertyReport[];
}

function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A recipient's outcome as of the calendar day `asOf` (receipt on the deadline itself is in time). */
export function classifyRecipient(row: StatementRecipientRow, asOf: string): RecipientFinding {
  const { propertyId: _propertyId, property: _property, ...rest } = row;
  if (row.receivedOn !== null) {
    const late = compareDates(row.receivedOn, row.deliveryDeadline) > 0;
    return { ...rest, outcome: late ? 'late' : 'in-time', daysLate: late ? daysFrom(row.deliveryDeadline, row.receivedOn) : 0 };
  }
  const overdue = compareDates(asOf, row.deliveryDeadline) > 0;
  return { ...rest, outcome: overdue ? 'overdue' : 'open', daysLate: overdue ? daysFrom(row.deliveryDeadline, asOf) : 0 };
}

const emptyStatementCounts = () => ({ recipients: 0, inTime: 0, late: 0, overdue: 0, open: 0 });
const COUNT_OF: Readonly<Record<DeliveryOutcome, 'inTime' | 'late' | 'overdue' | 'open'>> = {
  'in-time': 'inTime',
  late: 'late',
  overdue: 'overdue',
  open: 'open',
};

export function statementDeliveryReport(year: number, rows: readonly StatementRecipientRow[], asOf: string): StatementReport {
  const byProperty = new Map<number, StatementPropertyReport>();
  const totals = emptyStatementCounts();
  for (const row of rows) {
    let report = byProperty.get(row.propertyId);
    if (!report) {
      report = { propertyId: row.propertyId, property: row.property, ...emptyStatementCounts(), findings: [] };
      byProperty.set(row.propertyId, report);
    }
    const finding = classifyRecipient(row, asOf);
    for (const counts of [report, totals]) {
      counts.recipients += 1;
      counts[COUNT_OF[finding.outcome]] += 1;
    }
    if (finding.outcome !== 'in-time') report.findings.push(finding);
  }
  return { year, asOf, totals, properties: [...byProperty.values()] };
}

// ---- Device deadlines per type ----

/**
 * A device's deadline: the current one of a device in service, the last one of a replaced device
 * (resolved by its replacement), or one that recorded work resolved and the device left behind (a
 * recalibration or inspection moves the deadline; device_deadline_resolutions keeps the old one).
 */
export interface DeviceDeadlineRow {
  deviceId: number;
  type: DeviceType;
  serial: string;
  property: string;
  unit: string | null;
  kind: DeadlineKind;
  dueAt: string;
  /** The day the deadline was resolved (null: still open). */
  resolvedOn: string | null;
  /** By what (null: still open). */
  resolvedBy: ResolutionHow | null;
}

/**
 * The report's rows: the resolved deadlines as recorded, and the register's deadlines that are not
 * among them. The register may still show a deadline just resolved (the workflow moves devices.due_at
 * after the commit), and a replaced device shows its last deadline: each deadline is counted once.
 */
export function mergeResolvedDeadlines(
  register: readonly DeviceDeadlineRow[],
  resolved: readonly DeviceDeadlineRow[],
): DeviceDeadlineRow[] {
  const key = (row: DeviceDeadlineRow) => `${row.deviceId}:${row.kind}:${row.dueAt}`;
  const done = new Set(resolved.map(key));
  const replaced = new Set(resolved.filter((row) => row.resolvedBy === 'replaced').map((row) => row.deviceId));
  const open = register.filter((row) => !done.has(key(row)) && !(row.resolvedBy === 'replaced' && replaced.has(row.deviceId)));
  const unit = (row: DeviceDeadlineRow) => row.unit ?? '';
  return [...open, ...resolved].sort(
    (a, b) =>
      a.property.localeCompare(b.property, 'de') ||
      unit(a).localeCompare(unit(b), 'de') ||
      a.serial.localeCompare(b.serial, 'de') ||
      compareDates(a.dueAt, b.dueAt),
  );
}

export type DeadlineOutcome = 'met' | 'resolved-late' | 'missed' | 'pending';

export interface DeadlineFinding extends DeviceDeadlineRow {
  outcome: DeadlineOutcome;
  daysLate: number;
}

export interface DeviceTypeReport {
  type: DeviceType;
  deadlines: number;
  met: number;
  resolvedLate: number;
  missed: number;
  pending: number;
}

export interface DeviceDeadlineReport {
  year: number;
  asOf: string;
  totals: Omit<DeviceTypeReport, 'type'>;
  types: DeviceTypeReport[];
  /** Deadlines missed or resolved late, named. */
  findings: DeadlineFinding[];
}

/**
 * A deadline's outcome as of `asOf`. The deadline day is the last day on which the device is still
 * valid (calibration until the end of the year, an inspection due on that day): resolving it on the
 * day is in time, an unresolved one is missed from the day after.
 */
export function classifyDeadline(row: DeviceDeadlineRow, asOf: string): DeadlineFinding {
  if (row.resolvedOn !== null) {
    const late = compareDates(row.resolvedOn, row.dueAt) > 0;
    return { ...row, outcome: late ? 'resolved-late' : 'met', daysLate: late ? daysFrom(row.dueAt, row.resolvedOn) : 0 };
  }
  const missed = compareDates(asOf, row.dueAt) > 0;
  return { ...row, outcome: missed ? 'missed' : 'pending', daysLate: missed ? daysFrom(row.dueAt, asOf) : 0 };
}

const DEVICE_TYPE_ORDER: readonly DeviceType[] = ['HKV', 'WZ-W', 'WZ-K', 'WMZ', 'GZ', 'RWM'];
const DEADLINE_COUNT_OF: Readonly<Record<DeadlineOutcome, 'met' | 'resolvedLate' | 'missed' | 'pending'>> = {
  met: 'met',
  'resolved-late': 'resolvedLate',
  missed: 'missed',
  pending: 'pending',
};

export function deviceDeadlineReport(year: number, rows: readonly DeviceDeadlineRow[], asOf: string): DeviceDeadlineReport {
  const byType = new Map<DeviceType, DeviceTypeReport>();
  const totals = { deadlines: 0, met: 0, resolvedLate: 0, missed: 0, pending: 0 };
  const findings: DeadlineFinding[] = [];
  for (const row of rows) {
    let report = byType.get(row.type);
    if (!report) {
      report = { type: row.type, deadlines: 0, met: 0, resolvedLate: 0, missed: 0, pending: 0 };
      byType.set(row.type, report);
    }
    const finding = classifyDeadline(row, asOf);
    for (const counts of [report, totals]) {
      counts.deadlines += 1;
      counts[DEADLINE_COUNT_OF[finding.outcome]] += 1;
    }
    if (finding.outcome === 'missed' || finding.outcome === 'resolved-late') findings.push(finding);
  }
  const types = [...byType.values()].sort((a, b) => DEVICE_TYPE_ORDER.indexOf(a.type) - DEVICE_TYPE_ORDER.indexOf(b.type));
  return { year, asOf, totals, types, findings };
}

/** Each outcome in the words of the pages and the PDF. */
export const OUTCOME_LABELS: Readonly<Record<MonthlyOutcome | DeliveryOutcome | DeadlineOutcome, string>> = {
  'on-time': 'rechtzeitig',
  late: 'verspätet',
  missing: 'nicht informiert',
  'not-due': 'nicht fällig',
  'in-time': 'fristgerecht',
  overdue: 'Frist versäumt, nicht zugestellt',
  open: 'noch nicht zugestellt',
  met: 'eingehalten',
  'resolved-late': 'verspätet erledigt',
  missed: 'versäumt',
  pending: 'noch offen',
};

// ---- Filters ----

export const REPORT_KINDS = ['monatsinformation', 'abrechnungen', 'fristen'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_TITLES: Readonly<Record<ReportKind, string>> = {
  monatsinformation: 'Monatsinformation (§ 6a HKVO)',
  abrechnungen: 'Zustellung der Abrechnungen (§ 556 Abs. 3 BGB)',
  fristen: 'Gerätefristen nach Gerätetyp',
};

export function isReportKind(value: unknown): value is ReportKind {
  return typeof value === 'string' && (REPORT_KINDS as readonly string[]).includes(value);
}

export interface ReportFilters {
  propertyId: number | null;
  /** monatsinformation: the month reported on. */
  month: YearMonth;
  /** abrechnungen: the year the billing periods end in; fristen: the year the deadlines fall in. */
  year: number;
}

export interface ParsedReportFilters {
  filters: ReportFilters;
  /** Field → German message; the defaults stand in for a refused field. */
  errors: Partial<Record<keyof ReportFilters, string>>;
}

/**
 * The filters from the query string. Defaults from `today` (German calendar day): last month (the
 * newest month whose information is due), the year before (the newest billing year whose §556(3)
 * deadline runs), this year for deadlines.
 */
export function parseReportFilters(params: URLSearchParams, kind: ReportKind, today: string): ParsedReportFilters {
  const errors: ParsedReportFilters['errors'] = {};
  const thisYear = Number(today.slice(0, 4));
  const filters: ReportFilters = {
    propertyId: null,
    month: addMonthsTo(today.slice(0, 7), -1),
    year: kind === 'fristen' ? thisYear : thisYear - 1,
  };
  const property = params.get('property');
  if (property) {
    if (/^[1-9]\d{0,9}$/.test(property)) filters.propertyId = Number(property);
    else errors.propertyId = 'Liegenschaft: bitte aus der Liste wählen.';
  }
  const month = params.get('month');
  if (month) {
    if (isYearMonth(month)) filters.month = month;
    else errors.month = 'Monat: bitte im Format JJJJ-MM angeben.';
  }
  const year = params.get('year');
  if (year) {
    if (/^\d{4}$/.test(year) && Number(year) >= 2000 && Number(year) <= 2100) filters.year = Number(year);
    else errors.year = 'Jahr: bitte eine Jahreszahl zwischen 2000 und 2100 angeben.';
  }
  return { filters, errors };
}

/** The query string of the filters (for the PDF link and the form's values). */
export function reportQuery(kind: ReportKind, filters: ReportFilters): string {
  const params = new URLSearchParams();
  if (filters.propertyId !== null) params.set('property', String(filters.propertyId));
  if (kind === 'monatsinformation') params.set('month', filters.month);
  else params.set('year', String(filters.year));
  return params.toString();
}

/** The first and the last day of a year, for date-range queries. */
export function yearRange(year: number): { from: string; to: string } {
  return { from: `${year}-01-01`, to: addDays(`${year + 1}-01-01`, -1) };
}
