// A heating statement assembled from the facts: the entered costs, the stored readings and the
// tenancies become the billing engine's input, and its result the statement the pages, documents
// and the archive show. Pure: loading the facts and storing the result is db/statements.ts.
import { addDays, addYears, compareDates, daysBetween } from '../dates';
import type { DeviceType } from '../deadlines';
import {
  COST_TYPES,
  computeBilling,
  type BillingInput,
  type BillingPeriod,
  type BillingResult,
  type CostType,
  type CutReason,
  type OccupancyDerivation,
  type UnitDerivation,
} from './index';
import { splitCents } from './allocate';
import { Ratio } from './ratio';
import { ValidationError } from '../validation';
import type { StatementStatus } from '../statement-lifecycle';

export const COST_KINDS = ['fuel', 'operating'] as const;
export type CostKind = (typeof COST_KINDS)[number];

export type PerCostType<T> = Record<CostType, T>;

export function perCostType<T>(make: (type: CostType) => T): PerCostType<T> {
  return { heating: make('heating'), hotWater: make('hotWater'), coldWater: make('coldWater') };
}

/** A fuel delivery or invoice (category: the energy carrier) or a §7(2) operating cost item. */
export interface CostLine {
  kind: CostKind;
  category: string;
  description: string | null;
  invoiceDate: string | null;
  /** Euros, gross, at most 2 decimals. */
  amount: number;
  /** Taxes, levies and duties contained in the amount (§6a(3)): energy tax, CO2 price, VAT. */
  taxesAndLevies: number | null;
  kwh: number | null;
  litres: number | null;
}

export const FUEL_CATEGORIES = ['Erdgas', 'Heizöl', 'Fernwärme', 'Holzpellets', 'Flüssiggas', 'Strom (Wärmepumpe)'] as const;

/** §7(2) HKVO: operating costs of the central heating besides the fuel. */
export const OPERATING_COST_CATEGORIES = [
  'Betriebsstrom',
  'Wartung',
  'Reinigung der Anlage',
  'Immissionsmessung',
  'Messgerätemiete',
  'Abrechnungskosten',
  'Sonstige Betriebskosten',
] as const;

/** Items that are fees for metering and billing, which §6a(3) asks to show separately. */
export const METERING_FEE_CATEGORIES: readonly string[] = ['Messgerätemiete', 'Abrechnungskosten'];

export interface StatementParameters {
  /** §7(1): share of the heating cost distributed by consumption, 0.5–0.7. */
  heatingConsumptionShare: number;
  /** §8(1): the same for hot water. */
  hotWaterConsumptionShare: number;
  /** Cold water (BetrKV, not HKVO): euros and share by consumption 0–1. */
  coldWaterCost: number;
  coldWaterConsumptionShare: number;
  /** §9(2): hot-water temperature for Q = 2.5 × V × (t_w − 10); unused when Q is measured. */
  hotWaterTempC: number | null;
  /** §9(2): Q measured by a heat meter on the hot-water supply, kWh. */
  hotWaterKwhMeasured: number | null;
  /** V in m³; null: the sum of the units' hot-water meters. */
  hotWaterM3Entered: number | null;
  districtHeating: boolean;
  /** CO2KostAufG: emissions and CO2 cost of the fuel; both or neither. */
  co2Kg: number | null;
  co2Cost: number | null;
  /** Heated area of the building for kg CO2/m²; null: the sum of the units' areas. */
  heatedAreaM2: number | null;
}

export interface StatementRequest {
  propertyId: number;
  period: BillingPeriod;
  costs: CostLine[];
  parameters: StatementParameters;
  /** Why a new version replaces the previous one; shown on the corrected statement. */
  correctionReason?: string | null;
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

/** §9a HKVO: how a substitute value was found. */
export interface SubstituteValue {
  method: 'previous-period' | 'average-per-m2' | 'no-basis';
  /** The unit's consumption in the previous period (method previous-period). */
  previous?: number;
  /** Average consumption per m² of the units with readings (method average-per-m2). */
  perM2?: number;
  /** Serials of the devices without a usable reading. */
  devices: string[];
}

export interface StatementAmounts {
  heating: number;
  hotWater: number;
  coldWater: number;
  cut: number;
  /** heating + hotWater + coldWater − cut, the engine's total. */
  total: number;
  /** The landlord's CO2 share (CO2KostAufG) credited to this unit or occupancy. */
  co2Credit: number;
  /** total − co2Credit: what the statement charges. */
  amountDue: number;
}

export interface StatementOccupancyData {
  key: string;
  tenancyId: number | null;
  /** Null for a vacancy. */
  tenantName: string | null;
  from: string;
  to: string;
  consumption: PerCostType<number>;
  splitByDays: CostType[];
  amounts: StatementAmounts;
  /** Keys of the §9b split; null when the occupancy is the whole unit. */
  derivation: OccupancyDerivation | null;
}

export interface StatementUnitData {
  unitId: number;
  label: string;
  floor: string | null;
  areaM2: number;
  consumption: PerCostType<number>;
  estimated: CostType[];
  substitutes: Partial<PerCostType<SubstituteValue>>;
  cuts: CutReason[];
  /** Measured consumption of the previous period, null when not available. */
  previous: PerCostType<number | null>;
  readings: DeviceConsumption[];
  amounts: StatementAmounts;
  derivation: UnitDerivation;
  /** At least one: the addressees of the unit's statement. */
  occupancies: StatementOccupancyData[];
}

export interface PlantSummary {
  /** Sum of all cost lines: the combined plant's cost (§7(2), §9). */
  cost: number;
  fuelCost: number;
  operatingCost: number;
  taxesAndLevies: number;
  meteringFees: number;
  energyKwh: number;
  hotWaterM3: number;
  hotWaterM3Source: 'meters' | 'entered';
}

/** Building-level figures stored with a statement. */
export interface StatementSummary {
  methods: BillingResult['methods'];
  warnings: string[];
  combined?: BillingResult['combined'];
  co2?: BillingResult['co2'];
  plant: PlantSummary;
  /** What the heating consumption counts: heat cost allocator units or kWh of heat meters. */
  heatingUnit: HeatingUnit;
}

export type HeatingUnit = 'HKV-Einheiten' | 'kWh';

export interface StoredStatementInfo {
  id: number;
  version: number;
  documentNumber: string;
  status: StatementStatus;
  createdAt: string;
  supersedesId: number | null;
  correctionReason: string | null;
  engineInputSha256: string;
}

export interface StatementData {
  stored: StoredStatementInfo | null;
  organisationName: string;
  property: PropertyFacts;
  period: BillingPeriod;
  parameters: StatementParameters;
  costs: CostLine[];
  summary: StatementSummary;
  units: StatementUnitData[];
}

export interface PropertyFacts {
  id: number;
  organisationId: number;
  name: string;
  street: string;
  postalCode: string;
  city: string;
  federalState: string;
}

/** A reading reduced to what boundary values need; `day` is its calendar day in Germany. */
export interface ReadingPoint {
  day: string;
  at: number;
  value: number;
  setDateValue: number | null;
}

export interface DeviceFacts {
  id: number;
  serial: string;
  type: DeviceType;
  location: string | null;
  installedAt: string;
  remoteReadable: boolean;
  /** Readings near the boundaries the statement needs, in time order. */
  readings: ReadingPoint[];
}

export interface TenancyFacts {
  id: number;
  tenantName: string;
  startsOn: string;
  endsOn: string | null;
}

export interface UnitFacts {
  id: number;
  label: string;
  floor: string | null;
  areaM2: number;
  devices: DeviceFacts[];
  tenancies: TenancyFacts[];
}

export interface BillingFacts {
  organisationName: string;
  property: PropertyFacts;
  period: BillingPeriod;
  units: UnitFacts[];
}

export const CONSUMPTION_DEVICE_TYPES: readonly DeviceType[] = ['HKV', 'WMZ', 'WZ-W', 'WZ-K'];
/** How far after a set date a device's stored set-date value is looked for. */
export const SET_DATE_LOOKAHEAD_DAYS = 31;
/** §5(2) HKVO: devices installed from this day on must be remotely readable (else §12 allows a cut). */
const REMOTE_READING_REQUIRED_FROM = '2021-12-01';

/** The previous billing period of the same length, for the §6a(3) comparison. */
export function previousPeriod(period: BillingPeriod): BillingPeriod {
  return { start: addYears(period.start, -1), end: addYears(period.end, -1) };
}

/** The days at whose start a value is needed: period boundaries, tenant changes, previous period. */
export function boundaryDays(period: BillingPeriod, tenancyStarts: readonly string[]): string[] {
  const previous = previousPeriod(period);
  const days = new Set([period.start, addDays(period.end, 1), previous.start, addDays(previous.end, 1)]);
  for (const start of tenancyStarts) if (compareDates(start, period.start) > 0 && compareDates(start, period.end) <= 0) days.add(start);
  return [...days].sort(compareDates);
}

type Milli = number;
const toMilli = (value: number): Milli => Math.round(value * 1000);
const fromMilli = (milli: Milli): number => milli / 1000;

/**
 * The device's value at the start of `day`: a reading on that day (the earliest), else one late on
 * the day before; at a set date (the period's boundaries) also the set-date value a radio device
 * stored and sent with a later reading.
 */
export function boundaryValue(readings: readonly ReadingPoint[], day: string, setDate: boolean): BoundaryValue | null {
  const onDay = readings.find((r) => r.day === day);
  if (onDay) return { value: onDay.value, readOn: onDay.day, how: 'reading' };
  const dayBefore = addDays(day, -1);
  const lateBefore = readings.filter((r) => r.day === dayBefore).at(-1);
  if (lateBefore) return { value: lateBefore.value, readOn: lateBefore.day, how: 'reading' };
  if (!setDate) return null;
  const later = readings.find(
    (r) => r.setDateValue !== null && compareDates(r.day, day) > 0 && daysBetween(day, r.day) <= SET_DATE_LOOKAHEAD_DAYS,
  );
  return later ? { value: later.setDateValue!, readOn: later.day, how: 'set-date' } : null;
}

/** Consumption of one device from the start of `from` to the start of `until`, in thousandths. */
function deviceMilli(device: DeviceFacts, from: string, until: string, setDates: { from: boolean; until: boolean }): Milli | null {
  const start = boundaryValue(device.readings, from, setDates.from);
  const end = boundaryValue(device.readings, until, setDates.until);
  if (!start || !end) return null;
  const milli = toMilli(end.value) - toMilli(start.value);
  return milli < 0 ? null : milli;
}

function deviceConsumption(device: DeviceFacts, period: BillingPeriod, changeDays: readonly string[]): DeviceConsumption {
  const start = boundaryValue(device.readings, period.start, true);
  const end = boundaryValue(device.readings, addDays(period.end, 1), true);
  const milli = start && end ? toMilli(end.value) - toMilli(start.value) : null;
  const problem: ReadingProblem | null =
    !start && !end ? 'missing' : !start ? 'missing-start' : !end ? 'missing-end' : milli! < 0 ? 'decreasing' : null;
  return {
    deviceId: device.id,
    serial: device.serial,
    type: device.type,
    location: device.location,
    start,
    end,
    consumption: problem ? null : fromMilli(milli!),
    problem,
    intermediate: changeDays.map((day) => ({ day, value: boundaryValue(device.readings, day, false) })),
  };
}

/** Which devices measure which cost type. Heating: the HKVs, or heat meters where a property has none. */
function devicesByCostType(units: readonly UnitFacts[]): {
  heatingUnit: HeatingUnit;
  devicesOf: (unit: UnitFacts, type: CostType) => DeviceFacts[];
} {
  const heatingType: DeviceType = units.some((u) => u.devices.some((d) => d.type === 'HKV')) ? 'HKV' : 'WMZ';
  const typeOf: PerCostType<DeviceType> = { heating: heatingType, hotWater: 'WZ-W', coldWater: 'WZ-K' };
  return {
    heatingUnit: heatingType === 'HKV' ? 'HKV-Einheiten' : 'kWh',
    devicesOf: (unit, type) => unit.devices.filter((d) => d.type === typeOf[type]),
  };
}

/** Sum over devices, null when any device has no usable value (a unit without devices consumes 0). */
function sumMilli(devices: readonly DeviceFacts[], measure: (device: DeviceFacts) => Milli | null): Milli | null {
  let sum = 0;
  for (const device of devices) {
    const milli = measure(device);
    if (milli === null) return null;
    sum += milli;
  }
  return sum;
}

interface OccupancySegment {
  key: string;
  tenancyId: number | null;
  tenantName: string | null;
  from: string;
  to: string;
}

/** Tenancies clipped to the period in order, gaps filled with vacancies (billed to the landlord). */
export function occupancySegments(tenancies: readonly TenancyFacts[], period: BillingPeriod): OccupancySegment[] {
  const segments: OccupancySegment[] = [];
  let next = period.start;
  let vacancies = 0;
  const vacancyUntil = (to: string) => segments.push({ key: `L${++vacancies}`, tenancyId: null, tenantName: null, from: next, to });
  const sorted = [...tenancies].sort((a, b) => compareDates(a.startsOn, b.startsOn) || a.id - b.id);
  for (const tenancy of sorted) {
    if (compareDates(next, period.end) > 0) break;
    const to = tenancy.endsOn === null || compareDates(tenancy.endsOn, period.end) > 0 ? period.end : tenancy.endsOn;
    if (compareDates(to, next) < 0) continue; // ended before the period, or covered by an overlapping tenancy
    const from = compareDates(tenancy.startsOn, next) > 0 ? tenancy.startsOn : next;
    if (compareDates(from, period.end) > 0) break;
    if (from !== next) vacancyUntil(addDays(from, -1));
    segments.push({ key: `T${tenancy.id}`, tenancyId: tenancy.id, tenantName: tenancy.tenantName, from, to });
    next = addDays(to, 1);
  }
  if (compareDates(next, period.end) <= 0) vacancyUntil(period.end);
  return segments;
}

/** Splits whole thousandths in proportion to the segments' days (largest remainder, exact sum). */
function splitMilliByDays(total: Milli, segments: readonly OccupancySegment[]): Milli[] {
  const days = segments.map((s) => Ratio.of(daysBetween(s.from, s.to) + 1));
  return splitCents(BigInt(total), days).map(Number);
}

/**
 * §9b: each occupancy's consumption from the intermediate readings; where one is missing (or the
 * unit's value is a substitute), the unit's consumption split by days, and flagged.
 */
function occupancyConsumptions(
  segments: readonly OccupancySegment[],
  devices: readonly DeviceFacts[],
  unitMilli: Milli,
  estimated: boolean,
  period: BillingPeriod,
): { milli: Milli[]; byDays: boolean } {
  if (!estimated) {
    const measured = segments.map((segment) =>
      sumMilli(devices, (device) =>
        deviceMilli(device, segment.from, addDays(segment.to, 1), {
          from: segment.from === period.start,
          until: segment.to === period.end,
        }),
      ),
    );
    if (measured.every((m): m is Milli => m !== null) && measured.reduce((a, b) => a + b, 0) === unitMilli)
      return { milli: measured, byDays: false };
  }
  return { milli: splitMilliByDays(unitMilli, segments), byDays: true };
}

const toCentsInt = (euros: number): number => Math.round(euros * 100);
const fromCentsInt = (cents: number): number => cents / 100;

function plantSummary(costs: readonly CostLine[], hotWaterM3: { value: number; source: PlantSummary['hotWaterM3Source'] }): PlantSummary {
  const cents = (lines: readonly CostLine[], pick: (line: CostLine) => number | null) =>
    lines.reduce((sum, line) => sum + toCentsInt(pick(line) ?? 0), 0);
  const fuel = costs.filter((c) => c.kind === 'fuel');
  const operating = costs.filter((c) => c.kind === 'operating');
  return {
    cost: fromCentsInt(cents(costs, (c) => c.amount)),
    fuelCost: fromCentsInt(cents(fuel, (c) => c.amount)),
    operatingCost: fromCentsInt(cents(operating, (c) => c.amount)),
    taxesAndLevies: fromCentsInt(cents(costs, (c) => c.taxesAndLevies)),
    meteringFees: fromCentsInt(
      cents(
        operating.filter((c) => METERING_FEE_CATEGORIES.includes(c.category)),
        (c) => c.amount,
      ),
    ),
    energyKwh: fromMilli(fuel.reduce((sum, line) => sum + toMilli(line.kwh ?? 0), 0)),
    hotWaterM3: hotWaterM3.value,
    hotWaterM3Source: hotWaterM3.source,
  };
}

/** §12: a cut for devices that had to be remotely readable (installed from 12/2021) but are not. */
function cutsFor(unit: UnitFacts): CutReason[] {
  const lacksRemoteReading = unit.devices.some((d) => !d.remoteReadable && compareDates(d.installedAt, REMOTE_READING_REQUIRED_FROM) >= 0);
  return lacksRemoteReading ? ['no-remote-reading'] : [];
}

/**
 * Splits whole cents by weights; the engine's own rounding rule (largest remainder, ties to the
 * first), so credits add up to the landlord's CO2 share exactly.
 */
function splitCentsByWeights(totalCents: number, weights: readonly number[]): number[] {
  if (totalCents === 0 || weights.every((w) => w === 0)) return weights.map(() => 0);
  return splitCents(
    BigInt(totalCents),
    weights.map((w) => Ratio.of(w)),
  ).map(Number);
}

interface UnitMeasurement {
  unit: UnitFacts;
  readings: DeviceConsumption[];
  /** Per cost type the devices' readings; the sum is null when any device lacks a usable value. */
  readingsOf: PerCostType<DeviceConsumption[]>;
  measured: PerCostType<Milli | null>;
  previous: PerCostType<Milli | null>;
}

function measureUnit(
  unit: UnitFacts,
  period: BillingPeriod,
  devicesOf: (unit: UnitFacts, type: CostType) => DeviceFacts[],
): UnitMeasurement {
  const previous = previousPeriod(period);
  const changeDays = occupancySegments(unit.tenancies, period)
    .slice(1)
    .map((segment) => segment.from);
  const readingsOf = perCostType((type) => devicesOf(unit, type).map((d) => deviceConsumption(d, period, changeDays)));
  const sum = (readings: readonly DeviceConsumption[]) =>
    readings.some((r) => r.consumption === null) ? null : readings.reduce((total, r) => total + toMilli(r.consumption!), 0);
  return {
    unit,
    readings: COST_TYPES.flatMap((type) => readingsOf[type]),
    readingsOf,
    measured: perCostType((type) => sum(readingsOf[type])),
    previous: perCostType((type) => {
      const devices = devicesOf(unit, type);
      return devices.length === 0
        ? null
        : sumMilli(devices, (d) => deviceMilli(d, previous.start, addDays(previous.end, 1), { from: true, until: true }));
    }),
  };
}

/**
 * §9a(1): a unit without a usable reading gets its consumption of the previous period, else the
 * average per m² of the units with readings times its area.
 */
function substitute(
  measurement: UnitMeasurement,
  type: CostType,
  all: readonly UnitMeasurement[],
): { milli: Milli; value: SubstituteValue } {
  const missingSerials = measurement.readingsOf[type].filter((r) => r.problem !== null).map((r) => r.serial);
  const previous = measurement.previous[type];
  if (previous !== null)
    return { milli: previous, value: { method: 'previous-period', previous: fromMilli(previous), devices: missingSerials } };
  const measured = all.filter((m) => m.measured[type] !== null);
  const area = measured.reduce((sum, m) => sum + m.unit.areaM2, 0);
  if (measured.length === 0 || area === 0) return { milli: 0, value: { method: 'no-basis', devices: missingSerials } };
  const perM2 = measured.reduce((sum, m) => sum + m.measured[type]!, 0) / area;
  return {
    milli: Math.round(perM2 * measurement.unit.areaM2),
    value: { method: 'average-per-m2', perM2: Math.round(perM2) / 1000, devices: missingSerials },
  };
}

export const zeroAmounts = (): StatementAmounts => ({
  heating: 0,
  hotWater: 0,
  coldWater: 0,
  cut: 0,
  total: 0,
  co2Credit: 0,
  amountDue: 0,
});

/** Checks what the engine cannot know is wrong: plant energy, CO2 pairs, the §9 formula's inputs. */
function checkRequest(request: StatementRequest): void {
  const { parameters, costs } = request;
  if (costs.length === 0) throw new ValidationError('costs', 'Bitte mindestens eine Brennstofflieferung oder -rechnung erfassen.');
  costs.forEach((line, index) => {
    if (line.kind === 'fuel' && !(line.kwh !== null && line.kwh > 0)) {
      throw new ValidationError(
        `costs[${index}].kwh`,
        'Bitte die Energiemenge der Brennstoffzeile in kWh angeben (für die Aufteilung nach §9 HKVO).',
      );
    }
  });
  if (parameters.hotWaterKwhMeasured === null && parameters.hotWaterTempC === null) {
    throw new ValidationError(
      'hotWaterTempC',
      'Bitte die Warmwassertemperatur oder die gemessene Wärmemenge für Warmwasser angeben (§9 Abs. 2 HKVO).',
    );
  }
  if ((parameters.co2Kg === null) !== (parameters.co2Cost === null)) {
    throw new ValidationError(parameters.co2Kg === null ? 'co2Kg' : 'co2Cost', 'CO₂-Emissionen und CO₂-Kosten bitte zusammen angeben.');
  }
}

/**
 * Builds the engine input from the facts and the entered costs, runs the HKVO engine and returns
 * the whole statement. Pure: the same facts and request give the same statement.
 */
export function assembleStatement(facts: BillingFacts, request: StatementRequest): { statement: StatementData; input: BillingInput } {
  checkRequest(request);
  const { period, parameters } = request;
  if (facts.units.length === 0) throw new ValidationError('propertyId', 'Die Liegenschaft hat keine Wohneinheiten.');
  const { heatingUnit, devicesOf } = devicesByCostType(facts.units);
  const measurements = facts.units.map((unit) => measureUnit(unit, period, devicesOf));

  const units = measurements.map((measurement) => {
    const consumption = {} as PerCostType<Milli>;
    const substitutes: Partial<PerCostType<SubstituteValue>> = {};
    for (const type of COST_TYPES) {
      const measured = measurement.measured[type];
      if (measured !== null) {
        consumption[type] = measured;
        continue;
      }
      const estimate = substitute(measurement, type, measurements);
      consumption[type] = estimate.milli;
      substitutes[type] = estimate.value;
    }
    const estimated = COST_TYPES.filter((type) => substitutes[type] !== undefined);
    const segments = occupancySegments(measurement.unit.tenancies, period);
    const split = perCostType((type) =>
      occupancyConsumptions(segments, devicesOf(measurement.unit, type), consumption[type], estimated.includes(type), period),
    );
    return { measurement, consumption, substitutes, estimated, segments, split, cuts: cutsFor(measurement.unit) };
  });

  const hotWaterM3 =
    parameters.hotWaterM3Entered !== null
      ? { value: parameters.hotWaterM3Entered, source: 'entered' as const }
      : { value: fromMilli(units.reduce((sum, u) => sum + u.consumption.hotWater, 0)), source: 'meters' as const };
  const plant = plantSummary(request.costs, hotWaterM3);

  const input: BillingInput = {
    period,
    heating: { cost: 0, consumptionShare: parameters.heatingConsumptionShare },
    hotWater: { cost: 0, consumptionShare: parameters.hotWaterConsumptionShare },
    coldWater: { cost: parameters.coldWaterCost, consumptionShare: parameters.coldWaterConsumptionShare },
    units: units.map((u) => ({
      id: String(u.measurement.unit.id),
      area: u.measurement.unit.areaM2,
      ...perCostType((type) => fromMilli(u.consumption[type])),
      estimated: u.estimated,
      cuts: u.cuts,
      occupancies:
        u.segments.length < 2
          ? []
          : u.segments.map((segment, index) => ({
              id: segment.key,
              from: segment.from,
              to: segment.to,
              ...perCostType((type) => fromMilli(u.split[type].milli[index]!)),
            })),
    })),
    combined: {
      cost: plant.cost,
      energyKwh: plant.energyKwh,
      hotWaterKwh: parameters.hotWaterKwhMeasured,
      hotWaterM3: plant.hotWaterM3,
      hotWaterTempC: parameters.hotWaterTempC,
      districtHeating: parameters.districtHeating,
    },
    ...(parameters.co2Kg !== null &&
      parameters.co2Cost !== null && {
        co2: { kg: parameters.co2Kg, cost: parameters.co2Cost, area: parameters.heatedAreaM2 },
      }),
  };
  const result = computeBilling(input);

  // CO2KostAufG: the landlord's share is credited to the units by their heating + hot-water
  // amounts (the fuel, and with it the CO2 cost, is distributed through these two cost types).
  const fuelWeight = (r: { heating: number; hotWater: number }) => toCentsInt(r.heating) + toCentsInt(r.hotWater);
  const unitCredits = splitCentsByWeights(toCentsInt(result.co2?.landlordCost ?? 0), result.units.map(fuelWeight));

  const statementUnits: StatementUnitData[] = units.map((u, index) => {
    const unitResult = result.units[index]!;
    const unitCredit = unitCredits[index]!;
    const amountsOf = (
      r: { heating: number; hotWater: number; coldWater: number; cut: number; total: number },
      creditCents: number,
    ): StatementAmounts => ({
      heating: r.heating,
      hotWater: r.hotWater,
      coldWater: r.coldWater,
      cut: r.cut,
      total: r.total,
      co2Credit: fromCentsInt(creditCents),
      amountDue: fromCentsInt(toCentsInt(r.total) - creditCents),
    });
    const amounts = amountsOf(unitResult, unitCredit);
    const occupancyResults = unitResult.occupancies ?? [];
    const occupancyCredits = splitCentsByWeights(unitCredit, occupancyResults.map(fuelWeight));
    return {
      unitId: u.measurement.unit.id,
      label: u.measurement.unit.label,
      floor: u.measurement.unit.floor,
      areaM2: u.measurement.unit.areaM2,
      consumption: perCostType((type) => fromMilli(u.consumption[type])),
      estimated: u.estimated,
      substitutes: u.substitutes,
      cuts: u.cuts,
      previous: perCostType((type) => (u.measurement.previous[type] === null ? null : fromMilli(u.measurement.previous[type]!))),
      readings: u.measurement.readings,
      amounts,
      derivation: unitResult.derivation,
      occupancies: u.segments.map((segment, i) => ({
        key: segment.key,
        tenancyId: segment.tenancyId,
        tenantName: segment.tenantName,
        from: segment.from,
        to: segment.to,
        consumption: perCostType((type) => fromMilli(u.split[type].milli[i]!)),
        splitByDays: u.segments.length < 2 ? [] : COST_TYPES.filter((type) => u.split[type].byDays),
        amounts: u.segments.length < 2 ? amounts : amountsOf(occupancyResults[i]!, occupancyCredits[i]!),
        derivation: unitResult.derivation.occupancies?.[i] ?? null,
      })),
    };
  });

  return {
    input,
    statement: {
      stored: null,
      organisationName: facts.organisationName,
      property: facts.property,
      period,
      parameters,
      costs: request.costs,
      summary: {
        methods: result.methods,
        warnings: result.warnings,
        ...(result.combined && { combined: result.combined }),
        ...(result.co2 && { co2: result.co2 }),
        plant,
        heatingUnit,
      },
      units: statementUnits,
    },
  };
}

export interface Actor {
  userId: number | null;
  email: string;
  organisationId: number | null;
  ip?: string | null;
}

export interface StatementVersion {
  id: number;
  version: number;
  documentNumber: string;
  status: StatementStatus;
  createdAt: string;
  correctionReason: string | null;
}

/** The request that produced a stored statement: the starting point of its correction. */
export function requestOf(statement: StatementData): StatementRequest {
  return { propertyId: statement.property.id, period: statement.period, costs: statement.costs, parameters: statement.parameters };
}
