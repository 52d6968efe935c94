// Consumption from stored readings for the statement (docs/rules.md §1): a device's value at the
// start of a day, its consumption between two days, and the tenancies of a unit as occupancies of
// the billing period. Pure and built for 10,000 units: every day the statement needs is prepared
// once (its day before, its set-date lookahead), and dates, all valid 'YYYY-MM-DD' strings here,
// are compared as strings, which orders them like the calendar.
import { addDays, addYears, daysBetween } from '../dates';
import type { DeviceType } from '../deadlines';
import type { BillingPeriod } from './types';

/** A reading reduced to what boundary values need; `day` is its calendar day in Germany. */
export interface ReadingPoint {
  day: string;
  at: number;
  value: number;
  setDateValue: number | null;
}

export interface BoundaryValue {
  value: number;
  /** Calendar day of the reading the value comes from. */
  readOn: string;
  /** 'set-date': the value the device stored at the set date, taken from a later reading. */
  how: 'reading' | 'set-date';
}

export type ReadingProblem = 'missing-start' | 'missing-end' | 'missing' | 'decreasing';

export interface DeviceConsumption {
  deviceId: number;
  serial: string;
  type: DeviceType;
  location: string | null;
  start: BoundaryValue | null;
  end: BoundaryValue | null;
  /** End minus start; null when a value is missing or the meter ran backwards. */
  consumption: number | null;
  problem: ReadingProblem | null;
  /** Values at the start of each change of tenant within the period (§9b intermediate readings). */
  intermediate: Array<{ day: string; value: BoundaryValue | null }>;
}

export interface TenancyFacts {
  id: number;
  tenantName: string;
  startsOn: string;
  endsOn: string | null;
  /**
   * §6a HKVO: the months ('YYYY-MM') of the billing period for which this tenancy was given its
   * monthly consumption information. Absent: not known, so no month counts as missing.
   */
  informedMonths?: readonly string[];
}

export interface OccupancySegment {
  key: string;
  tenancyId: number | null;
  tenantName: string | null;
  from: string;
  to: string;
}

/** How far after a set date a device's stored set-date value is looked for. */
export const SET_DATE_LOOKAHEAD_DAYS = 31;

/** The previous billing period of the same length, for the §6a(3) comparison. */
export function previousPeriod(period: BillingPeriod): BillingPeriod {
  return { start: addYears(period.start, -1), end: addYears(period.end, -1) };
}

/** The days at whose start a value is needed: period boundaries, tenant changes, previous period. */
export function boundaryDays(period: BillingPeriod, tenancyStarts: readonly string[]): string[] {
  const previous = previousPeriod(period);
  const days = new Set([period.start, addDays(period.end, 1), previous.start, addDays(previous.end, 1)]);
  for (const start of tenancyStarts) if (start > period.start && start <= period.end) days.add(start);
  return [...days].sort();
}

/** A day a value is needed at, with what finding it takes. */
export interface Boundary {
  day: string;
  before: string;
  /** Last day on which a later reading may carry the set-date value. */
  lookaheadEnd: string;
}

/** Prepares each day once: a statement asks for the same few days for every device. */
export class Boundaries {
  private readonly known = new Map<string, Boundary>();
  private readonly next = new Map<string, string>();

  /** The day after `day`. */
  after(day: string): string {
    let after = this.next.get(day);
    if (after === undefined) this.next.set(day, (after = addDays(day, 1)));
    return after;
  }

  of(day: string): Boundary {
    let boundary = this.known.get(day);
    if (!boundary) {
      boundary = { day, before: addDays(day, -1), lookaheadEnd: addDays(day, SET_DATE_LOOKAHEAD_DAYS) };
      this.known.set(day, boundary);
    }
    return boundary;
  }
}

const NONE = -1;
/** Shared by every device of a unit without a change of tenant; never changed. */
const NO_INTERMEDIATE: DeviceConsumption['intermediate'] = [];

/**
 * Where the value at the start of a day comes from, as an index into the readings: a reading on
 * that day (the earliest), else the latest one on the day before; at a set date also the first
 * later reading within the lookahead that carries the stored set-date value, encoded as −2 − index.
 * NONE when there is none.
 */
function locate(readings: readonly ReadingPoint[], boundary: Boundary, setDate: boolean): number {
  let late = NONE;
  let stored = NONE;
  for (let i = 0; i < readings.length; i++) {
    const day = readings[i]!.day;
    if (day === boundary.day) return i;
    if (day === boundary.before) late = i;
    // The cheap tests first: most readings carry no set-date value, and dates compare as text.
    else if (setDate && stored === NONE && readings[i]!.setDateValue !== null && day > boundary.day && day <= boundary.lookaheadEnd)
      stored = i;
  }
  if (late !== NONE) return late;
  return stored === NONE ? NONE : -2 - stored;
}

function valueOf(readings: readonly ReadingPoint[], located: number): number {
  return located >= 0 ? readings[located]!.value : readings[-2 - located]!.setDateValue!;
}

function boundaryValueAt(readings: readonly ReadingPoint[], located: number): BoundaryValue | null {
  if (located === NONE) return null;
  if (located >= 0) return { value: readings[located]!.value, readOn: readings[located]!.day, how: 'reading' };
  const reading = readings[-2 - located]!;
  return { value: reading.setDateValue!, readOn: reading.day, how: 'set-date' };
}

/**
 * The device's value at the start of `day`: a reading on that day (the earliest), else one late on
 * the day before; at a set date (the period's boundaries) also the set-date value a radio device
 * stored and sent with a later reading.
 */
export function boundaryValue(readings: readonly ReadingPoint[], day: string, setDate: boolean): BoundaryValue | null {
  return boundaryValueAt(readings, locate(readings, new Boundaries().of(day), setDate));
}

/** Meter values have at most 3 decimals: consumption is computed in whole thousandths, exactly. */
export type Milli = number;
export const toMilli = (value: number): Milli => Math.round(value * 1000);
export const fromMilli = (milli: Milli): number => milli / 1000;

/** Consumption from the start of `from` to the start of `until` in thousandths; null when a value is missing or it ran backwards. */
export function consumptionMilli(
  readings: readonly ReadingPoint[],
  from: Boundary,
  until: Boundary,
  setDateFrom: boolean,
  setDateUntil: boolean,
): Milli | null {
  const start = locate(readings, from, setDateFrom);
  if (start === NONE) return null;
  const end = locate(readings, until, setDateUntil);
  if (end === NONE) return null;
  const milli = toMilli(valueOf(readings, end)) - toMilli(valueOf(readings, start));
  return milli < 0 ? null : milli;
}

/** A device's values over the period, with the intermediate values at each change of tenant. */
export function deviceConsumption(
  device: { id: number; serial: string; type: DeviceType; location: string | null; readings: readonly ReadingPoint[] },
  start: Boundary,
  end: Boundary,
  changes: readonly Boundary[],
): DeviceConsumption {
  const { readings } = device;
  const startAt = locate(readings, start, true);
  const endAt = locate(readings, end, true);
  let milli: Milli | null = null;
  let problem: ReadingProblem | null;
  if (startAt === NONE) problem = endAt === NONE ? 'missing' : 'missing-start';
  else if (endAt === NONE) problem = 'missing-end';
  else {
    milli = toMilli(valueOf(readings, endAt)) - toMilli(valueOf(readings, startAt));
    problem = milli < 0 ? 'decreasing' : null;
    if (problem) milli = null;
  }
  return {
    deviceId: device.id,
    serial: device.serial,
    type: device.type,
    location: device.location,
    start: boundaryValueAt(readings, startAt),
    end: boundaryValueAt(readings, endAt),
    consumption: milli === null ? null : fromMilli(milli),
    problem,
    intermediate:
      changes.length === 0
        ? NO_INTERMEDIATE
        : changes.map((change) => ({ day: change.day, value: boundaryValueAt(readings, locate(readings, change, false)) })),
  };
}

/** Tenancies clipped to the period in order, gaps filled with vacancies (billed to the landlord). */
export function occupancySegments(tenancies: readonly TenancyFacts[], period: BillingPeriod): OccupancySegment[] {
  // The usual case, one tenant all period long, without sorting.
  const only = tenancies.length === 1 ? tenancies[0]! : null;
  if (only && only.startsOn <= period.start && (only.endsOn === null || only.endsOn >= period.end))
    return [{ key: `T${only.id}`, tenancyId: only.id, tenantName: only.tenantName, from: period.start, to: period.end }];
  const segments: OccupancySegment[] = [];
  let next = period.start;
  let vacancies = 0;
  const vacancyUntil = (to: string) => segments.push({ key: `L${++vacancies}`, tenancyId: null, tenantName: null, from: next, to });
  const sorted = [...tenancies].sort((a, b) => (a.startsOn < b.startsOn ? -1 : a.startsOn > b.startsOn ? 1 : a.id - b.id));
  for (const tenancy of sorted) {
    if (next > period.end) break;
    const to = tenancy.endsOn === null || tenancy.endsOn > period.end ? period.end : tenancy.endsOn;
    if (to < next) continue; // ended before the period, or covered by an overlapping tenancy
    const from = tenancy.startsOn > next ? tenancy.startsOn : next;
    if (from > period.end) break;
    if (from !== next) vacancyUntil(addDays(from, -1));
    segments.push({ key: `T${tenancy.id}`, tenancyId: tenancy.id, tenantName: tenancy.tenantName, from, to });
    next = addDays(to, 1);
  }
  if (next <= period.end) vacancyUntil(period.end);
  return segments;
}

/** Days of an inclusive range. */
export function daysOf(from: string, to: string): number {
  return daysBetween(from, to) + 1;
}
