// Device deadlines (docs/rules.md §3): when a meter's calibration expires (MessEV), when a heat cost
// allocator or a smoke alarm must be replaced, when a smoke alarm must be inspected (DIN 14676),
// and the traffic light that summarises a device's state on a given day.
import { MAX_YEAR, MIN_YEAR, addDays, addMonths, addYears, compareDates, daysBetween, formatDate, isDate, parseDate } from './dates';
import { ValidationError } from './validation';

export { ValidationError };

export type DeviceType = 'HKV' | 'WZ-K' | 'WZ-W' | 'WMZ' | 'GZ' | 'RWM';
export const DEVICE_TYPES: readonly DeviceType[] = ['HKV', 'WZ-K', 'WZ-W', 'WMZ', 'GZ', 'RWM'];

export type Light = 'green' | 'yellow' | 'red';
export type DeadlineKind = 'calibration' | 'replacement' | 'inspection';

export interface DeviceHealth {
  batteryPercent?: number | null;
  lastReadingAt?: string | null;
  /** What the device last reported by radio: "ok", or its status text (READINGS.md); null: never reported. */
  reportedStatus?: string | null;
}

/** The status a device reports when nothing is wrong (READINGS.md maps wmbusmeters' "OK" to it). */
export const STATUS_OK = 'ok';

/** Whether a reported status says something is wrong with the device. */
export function reportsFault(status: string | null | undefined): status is string {
  return status != null && status !== STATUS_OK;
}

export interface DeviceFacts extends DeviceHealth {
  type: DeviceType;
  installedAt: string; // YYYY-MM-DD (commissioning)
  calibratedYear?: number | null; // defaults to the year of installedAt
  lastInspectionAt?: string | null; // RWM only
  hkvLifetimeYears?: number; // HKV replacement, default DEFAULT_HKV_LIFETIME_YEARS
}

export interface Deadline {
  kind: DeadlineKind;
  dueAt: string;
}

export type CalibratedType = Exclude<DeviceType, 'HKV' | 'RWM'>;

/** MessEV: validity of a calibration in years (hot-water meters 6, not 5, since the 2021 amendment). */
export const CALIBRATION_YEARS: Readonly<Record<CalibratedType, number>> = { 'WZ-K': 6, 'WZ-W': 6, WMZ: 6, GZ: 8 };
export const DEFAULT_HKV_LIFETIME_YEARS = 10;
/** DIN 14676: every 12 months with 3 months tolerance. */
export const RWM_INSPECTION_MONTHS = 12 + 3;
export const RWM_LIFETIME_MONTHS = 10 * 12 + 6;
/** A deadline this many calendar months ahead turns the light yellow. */
export const WARNING_MONTHS = 3;
export const LOW_BATTERY_PERCENT = 25;
/** A device silent for more than this many days is red. */
export const MAX_READING_GAP_DAYS = 30;
export const DEFAULT_REMINDER_DAYS: readonly number[] = [90, 30, 7];

export function isCalibratedType(type: DeviceType): type is CalibratedType {
  return type !== 'HKV' && type !== 'RWM';
}

/**
 * MessEV §34: the calibration of a meter calibrated (or first marked) in `calibratedYear` is valid
 * until 31 December of the year it expires; the period counts from that year (§34(2)), not from the
 * installation: marked 2020, installed 2021 → valid until 31.12.2026 (cold water).
 */
export function calibrationValidUntil(type: CalibratedType, calibratedYear: number): string {
  return formatDate({ year: calibratedYear + CALIBRATION_YEARS[type], month: 12, day: 31 });
}

/**
 * What the register knows about a meter's calibration. With the year unknown there is no
 * deadline to rely on: a meter is calibrated before it is installed, so the installation year
 * only bounds it, and `validUntilAtTheLatest` is the deadline if it had been calibrated then.
 */
export type CalibrationValidity =
  | { yearKnown: true; calibratedYear: number; validUntil: string }
  | { yearKnown: false; calibratedYear: null; validUntil: null; validUntilAtTheLatest: string };

export function calibrationValidity(
  type: CalibratedType,
  calibratedYear: number | null | undefined,
  installedAt: string,
): CalibrationValidity {
  if (calibratedYear == null) {
    return {
      yearKnown: false,
      calibratedYear: null,
      validUntil: null,
      validUntilAtTheLatest: calibrationValidUntil(type, parseDate(installedAt).year),
    };
  }
  return { yearKnown: true, calibratedYear, validUntil: calibrationValidUntil(type, calibratedYear) };
}

/**
 * A device's next deadline. For meters without a known calibration year this assumes the year of
 * installation (the docs/rules.md §4 command's default); the register flags such meters instead, see
 * calibrationValidity.
 */
export function deadlineOf(facts: DeviceFacts): Deadline {
  switch (facts.type) {
    case 'HKV':
      // "10 years after installation": the exact anniversary, not the end of that year.
      return { kind: 'replacement', dueAt: addYears(facts.installedAt, facts.hkvLifetimeYears ?? DEFAULT_HKV_LIFETIME_YEARS) };
    case 'RWM':
      return smokeAlarmDeadline(facts);
    default: {
      const calibratedYear = facts.calibratedYear ?? parseDate(facts.installedAt).year;
      return { kind: 'calibration', dueAt: calibrationValidUntil(facts.type, calibratedYear) };
    }
  }
}

// ---- Legionella (TrinkwV §31) ----

/** A large hot-water system is sampled every 3 years. */
export const LEGIONELLA_INTERVAL_YEARS = 3;
/** Technical action value, CFU per 100 ml: a finding above it starts its own obligation. */
export const LEGIONELLA_ACTION_VALUE_CFU_PER_100ML = 100;

/** Sampled 14.06.2023 → due 14.06.2026 (29 February clamps to 28 February). */
export function legionellaDueAt(lastSampledAt: string): string {
  return addYears(lastSampledAt, LEGIONELLA_INTERVAL_YEARS);
}

export interface HotWaterSystem {
  storageLitres: number;
  /** Largest content of a pipe between the heater and a tap, litres. */
  pipeLitres: number;
  /** Rented (a commercial activity) and with showers. */
  rentedWithShowers: boolean;
}

/** TrinkwV §31: storage over 400 l or over 3 l in a pipe, in a rented building with showers. */
export function requiresLegionellaSampling(system: HotWaterSystem): boolean {
  return system.rentedWithShowers && (system.storageLitres > 400 || system.pipeLitres > 3);
}

export function exceedsLegionellaActionValue(cfuPer100ml: number): boolean {
  return cfuPer100ml > LEGIONELLA_ACTION_VALUE_CFU_PER_100ML;
}

function smokeAlarmDeadline(facts: DeviceFacts): Deadline {
  const inspection: Deadline = {
    kind: 'inspection',
    dueAt: addMonths(facts.lastInspectionAt ?? facts.installedAt, RWM_INSPECTION_MONTHS),
  };
  // One step of 126 months, so that month-end clamping happens once (2016-02-29 → 2026-08-29).
  const replacement: Deadline = { kind: 'replacement', dueAt: addMonths(facts.installedAt, RWM_LIFETIME_MONTHS) };
  // On a tie the replacement wins: the new device's commissioning also restarts the inspection cycle.
  return compareDates(inspection.dueAt, replacement.dueAt) < 0 ? inspection : replacement;
}

const SEVERITY: Record<Light, number> = { green: 0, yellow: 1, red: 2 };

function worse(a: Light, b: Light): Light {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

function deadlineLight(dueAt: string, asOf: string): Light {
  if (compareDates(dueAt, asOf) <= 0) return 'red';
  if (compareDates(dueAt, addMonths(asOf, WARNING_MONTHS)) <= 0) return 'yellow';
  return 'green';
}

function healthLight({ batteryPercent, lastReadingAt, reportedStatus }: DeviceHealth, asOf: string): Light {
  const flat = batteryPercent != null && batteryPercent <= 0;
  const silent = lastReadingAt != null && daysBetween(lastReadingAt, asOf) > MAX_READING_GAP_DAYS;
  if (flat || silent) return 'red';
  if (batteryPercent != null && batteryPercent <= LOW_BATTERY_PERCENT) return 'yellow';
  // A device that reports a fault (error flags, a broken seal) still measures, or may: a warning.
  if (reportsFault(reportedStatus)) return 'yellow';
  return 'green';
}

/** The light as of `asOf` for a deadline, made worse (never better) by the device's health. */
export function lightForDue(dueAt: string, asOf: string, health: DeviceHealth = {}): Light {
  return worse(deadlineLight(dueAt, asOf), healthLight(health, asOf));
}

export function lightAt(facts: DeviceFacts, asOf: string): Light {
  return lightForDue(deadlineOf(facts).dueAt, asOf, facts);
}

/** The days `leadDays` before `dueAt`, ascending; lead days of 0 or less are not "before" and are skipped. */
export function reminderDates(dueAt: string, leadDays: readonly number[]): string[] {
  return [...new Set(leadDays)]
    .filter((days) => days > 0)
    .map((days) => addDays(dueAt, -days))
    .sort(compareDates);
}

// ---- Validation of untrusted input (CLI, imports) ----

interface FieldRule<T> {
  expected: string;
  accepts: (value: unknown) => value is T;
}

function isIntegerBetween(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

const DATE: FieldRule<string> = { expected: 'a date YYYY-MM-DD', accepts: isDate };
const YEAR: FieldRule<number> = {
  expected: `an integer year from ${MIN_YEAR} to ${MAX_YEAR}`,
  accepts: (value): value is number => isIntegerBetween(value, MIN_YEAR, MAX_YEAR),
};
const PERCENT: FieldRule<number> = {
  expected: 'a number from 0 to 100',
  accepts: (value): value is number => typeof value === 'number' && value >= 0 && value <= 100,
};
const POSITIVE_YEARS: FieldRule<number> = {
  expected: 'a positive integer number of years',
  accepts: (value): value is number => isIntegerBetween(value, 1, Infinity),
};
const STATUS: FieldRule<string> = {
  expected: 'a status text ("ok" or what the device reported)',
  accepts: (value): value is string => typeof value === 'string' && value.trim() !== '' && value.length <= 500,
};
const ID: FieldRule<string> = {
  expected: 'a non-empty string',
  accepts: (value): value is string => typeof value === 'string' && value.trim() !== '',
};

function describe(value: unknown): string {
  // JSON.stringify writes Infinity (from a literal such as 1e999) and NaN as "null".
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (not a finite number)`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

// null counts as absent, as JSON exports commonly write it for "no value".
function optionalField<T>(record: Record<string, unknown>, key: string, rule: FieldRule<T>, path: string): T | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (!rule.accepts(value)) throw new ValidationError(childPath(path, key), `expected ${rule.expected}, got ${describe(value)}`);
  return value;
}

function requiredField<T>(record: Record<string, unknown>, key: string, rule: FieldRule<T>, path: string): T {
  const value = optionalField(record, key, rule, path);
  if (value === undefined) throw new ValidationError(childPath(path, key), `missing (expected ${rule.expected})`);
  return value;
}

function requireRecord(input: unknown, path: string): Record<string, unknown> {
  if (!isRecord(input)) throw new ValidationError(path || 'device', `expected a device object, got ${describe(input)}`);
  return input;
}

function isDeviceType(value: unknown): value is DeviceType {
  return DEVICE_TYPES.includes(value as DeviceType);
}

function parseDeviceType(record: Record<string, unknown>, path: string): DeviceType {
  const type = record.type;
  if (isDeviceType(type)) return type;
  const expected = `(expected ${DEVICE_TYPES.join(', ')})`;
  const problem = type === undefined || type === null ? 'missing' : `unknown device type ${describe(type)}`;
  throw new ValidationError(childPath(path, 'type'), `${problem} ${expected}`);
}

/**
 * Checks untrusted input and returns the device facts it describes. `path` prefixes field names in
 * errors (`[2]` → `[2].installedAt: expected a date YYYY-MM-DD, got "2025-02-30"`). Unknown keys are
 * ignored, so records may carry more than the rules need; absent optional facts come back undefined.
 */
export function parseDeviceFacts(input: unknown, path = '', options: { reportedStatus?: boolean } = {}): DeviceFacts {
  const record = requireRecord(input, path);
  const facts: DeviceFacts = {
    type: parseDeviceType(record, path),
    installedAt: requiredField(record, 'installedAt', DATE, path),
    calibratedYear: optionalField(record, 'calibratedYear', YEAR, path),
    lastInspectionAt: optionalField(record, 'lastInspectionAt', DATE, path),
    batteryPercent: optionalField(record, 'batteryPercent', PERCENT, path),
    lastReadingAt: optionalField(record, 'lastReadingAt', DATE, path),
    hkvLifetimeYears: optionalField(record, 'hkvLifetimeYears', POSITIVE_YEARS, path),
  };
  // What a device reported by radio is a fact of the register (and the device workflow), not of
  // the deadlines command's input format (docs/rules.md §4), which ignores such a key.
  if (options.reportedStatus ?? true) facts.reportedStatus = optionalField(record, 'reportedStatus', STATUS, path);
  return facts;
}

/** A device record as imported: its id and the facts its deadline follows from. */
export function parseDevice(input: unknown, path = ''): { id: string; facts: DeviceFacts } {
  const record = requireRecord(input, path);
  return { id: requiredField(record, 'id', ID, path), facts: parseDeviceFacts(record, path, { reportedStatus: false }) };
}

export type RadioStatus = 'ok' | 'weak' | 'offline';
