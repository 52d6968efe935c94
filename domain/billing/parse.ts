import { addDays, compareDates, isDate } from '../dates';
import { ValidationError } from '../validation';
import { hotWaterEnergy } from './combined';
import { isWholeCents } from './money';
import { Ratio } from './ratio';
import {
  COST_TYPES,
  CUT_REASONS,
  type BillingInput,
  type BillingPeriod,
  type Co2Input,
  type CombinedInput,
  type Consumptions,
  type CostTypeInput,
  type OccupancyInput,
  type UnitInput,
} from './types';

// Strict reading of the billing input (HKVO.md §2). Every error names the offending field as a
// path into the input (`units[1].area`) so the CLI and forms can point at it. Unknown keys are
// ignored; null counts as absent.

type JsonObject = Record<string, unknown>;

interface NumberRule {
  accepts: (value: number) => boolean;
  message: string;
}

const POSITIVE: NumberRule = { accepts: (v) => v > 0, message: 'must be a positive number' };
const NON_NEGATIVE: NumberRule = { accepts: (v) => v >= 0, message: 'must be a non-negative number' };
/** Keeps every sum of cents below 2^53, so results print exactly as JSON numbers. */
const MAX_AMOUNT_EUROS = 1e12;
const AMOUNT: NumberRule = {
  accepts: (v) => v >= 0 && v <= MAX_AMOUNT_EUROS && isWholeCents(v),
  message: `must be a non-negative amount in euros with at most 2 decimals (at most ${MAX_AMOUNT_EUROS})`,
};
const between = (min: number, max: number): NumberRule => ({
  accepts: (v) => v >= min && v <= max,
  message: `must be between ${min} and ${max}`,
});
/** §7(1), §8(1) HKVO */
const HKVO_CONSUMPTION_SHARE = between(0.5, 0.7);
const COLD_WATER_CONSUMPTION_SHARE = between(0, 1);
/** The §9 formula's cold-water reference: a lower hot-water temperature would give negative energy. */
const HOT_WATER_TEMP_C: NumberRule = { accepts: (v) => v >= 10, message: 'must be at least 10 (°C)' };

/** Readings of occupancies may miss their unit's by float noise from upstream sums, no more. */
const SUM_TOLERANCE = Ratio.of(1, 10 ** 9);

function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
}

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function readObject(value: unknown, field: string): JsonObject {
  if (isAbsent(value)) fail(field, 'is required');
  if (typeof value !== 'object' || Array.isArray(value)) fail(field, 'must be an object');
  return value as JsonObject;
}

function readArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) fail(field, isAbsent(value) ? 'is required' : 'must be an array');
  return value;
}

function readNumber(value: unknown, field: string, rule: NumberRule): number {
  if (isAbsent(value)) fail(field, 'is required');
  if (typeof value !== 'number' || !Number.isFinite(value) || !rule.accepts(value)) fail(field, rule.message);
  return value;
}

function readOptionalNumber<D extends number | null>(value: unknown, field: string, rule: NumberRule, fallback: D): number | D {
  return isAbsent(value) ? fallback : readNumber(value, field, rule);
}

function readId(value: unknown, field: string): string {
  if (isAbsent(value)) fail(field, 'is required');
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a non-empty string');
  return value;
}

function readDate(value: unknown, field: string): string {
  if (isAbsent(value)) fail(field, 'is required');
  if (!isDate(value)) fail(field, 'must be a date YYYY-MM-DD');
  return value;
}

function readOptionalBoolean(value: unknown, field: string, fallback: boolean): boolean {
  if (isAbsent(value)) return fallback;
  if (typeof value !== 'boolean') fail(field, 'must be true or false');
  return value;
}

/** A list of distinct values from `allowed`; absent means empty. */
function readChoices<T extends string>(value: unknown, field: string, allowed: readonly T[]): T[] {
  if (isAbsent(value)) return [];
  const choices = readArray(value, field);
  return choices.map((choice, index) => {
    if (!allowed.includes(choice as T)) fail(`${field}[${index}]`, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    if (choices.indexOf(choice) !== index) fail(`${field}[${index}]`, `"${String(choice)}" is listed twice`);
    return choice as T;
  });
}

function checkUniqueIds(items: readonly { id: string }[], field: string): void {
  items.forEach(({ id }, index) => {
    const first = items.findIndex((other) => other.id === id);
    if (first !== index) fail(`${field}[${index}].id`, `duplicate id "${id}" (also ${field}[${first}].id)`);
  });
}

function readPeriod(value: unknown): BillingPeriod {
  const period = readObject(value, 'period');
  const start = readDate(period.start, 'period.start');
  const end = readDate(period.end, 'period.end');
  if (compareDates(end, start) < 0) fail('period.end', 'must not be before period.start');
  return { start, end };
}

/**
 * A cost type's object. With a combined plant (§9) the plant's split supplies heating and hot-water
 * cost, so a second cost there would be ambiguous.
 */
function readCostType(value: unknown, field: string, shareRule: NumberRule, costFromCombined: boolean): CostTypeInput {
  const costType = readObject(value, field);
  const consumptionShare = readNumber(costType.consumptionShare, `${field}.consumptionShare`, shareRule);
  if (!costFromCombined) return { cost: readNumber(costType.cost, `${field}.cost`, AMOUNT), consumptionShare };
  if (readOptionalNumber(costType.cost, `${field}.cost`, AMOUNT, 0) !== 0) {
    fail(`${field}.cost`, 'must be omitted or 0 when combined is given (the §9 split determines it)');
  }
  return { cost: 0, consumptionShare };
}

/** Cold water is outside the HKVO and optional: absent means no cold-water cost, 100 % by consumption. */
function readColdWater(value: unknown): CostTypeInput {
  if (isAbsent(value)) return { cost: 0, consumptionShare: 1 };
  const coldWater = readObject(value, 'coldWater');
  return {
    cost: readNumber(coldWater.cost, 'coldWater.cost', AMOUNT),
    consumptionShare: readOptionalNumber(coldWater.consumptionShare, 'coldWater.consumptionShare', COLD_WATER_CONSUMPTION_SHARE, 1),
  };
}

function readConsumptions(object: JsonObject, field: string): Consumptions {
  return {
    heating: readNumber(object.heating, `${field}.heating`, NON_NEGATIVE),
    hotWater: readNumber(object.hotWater, `${field}.hotWater`, NON_NEGATIVE),
    coldWater: readOptionalNumber(object.coldWater, `${field}.coldWater`, NON_NEGATIVE, 0),
  };
}

function readOccupancy(value: unknown, field: string): OccupancyInput {
  const occupancy = readObject(value, field);
  const id = readId(occupancy.id, `${field}.id`);
  const from = readDate(occupancy.from, `${field}.from`);
  const to = readDate(occupancy.to, `${field}.to`);
  if (compareDates(to, from) < 0) fail(`${field}.to`, `must not be before ${field}.from`);
  return { id, from, to, ...readConsumptions(occupancy, field) };
}

/**
 * Occupancies are listed in chronological order and cover the billing period without gap or
 * overlap, so that they always add up to their unit; a vacancy is billed as an occupancy of its own.
 */
function checkCoverage(occupancies: readonly OccupancyInput[], field: string, period: BillingPeriod): void {
  occupancies.forEach((occupancy, index) => {
    const at = `${field}[${index}]`;
    if (compareDates(occupancy.from, period.start) < 0) fail(`${at}.from`, `must not be before period.start (${period.start})`);
    if (compareDates(occupancy.to, period.end) > 0) fail(`${at}.to`, `must not be after period.end (${period.end})`);
    if (index === 0) return;
    const previous = occupancies[index - 1];
    const previousAt = `${field}[${index - 1}]`;
    if (compareDates(occupancy.from, previous.to) <= 0) {
      fail(`${at}.from`, `overlaps ${previousAt}, which ends ${previous.to} (list occupancies in chronological order)`);
    }
    if (occupancy.from !== addDays(previous.to, 1)) {
      fail(
        `${at}.from`,
        `leaves a gap after ${previousAt}, which ends ${previous.to}: occupancies must cover the billing period (bill a vacancy as an occupancy)`,
      );
    }
  });
  const last = occupancies.length - 1;
  if (occupancies[0].from !== period.start) {
    fail(`${field}[0].from`, `must be period.start (${period.start}): occupancies must cover the billing period`);
  }
  if (occupancies[last].to !== period.end) {
    fail(`${field}[${last}].to`, `must be period.end (${period.end}): occupancies must cover the billing period`);
  }
}

function checkConsumptionSums(occupancies: readonly OccupancyInput[], field: string, unit: Consumptions, unitField: string): void {
  for (const type of COST_TYPES) {
    const sum = Ratio.sum(occupancies.map((occupancy) => Ratio.fromNumber(occupancy[type])));
    const expected = Ratio.fromNumber(unit[type]);
    const tolerance = SUM_TOLERANCE.mul(expected.compare(Ratio.ONE) > 0 ? expected : Ratio.ONE);
    if (sum.sub(expected).abs().compare(tolerance) > 0) {
      fail(field, `${type} readings sum to ${sum.toNumber(9)}, but ${unitField}.${type} is ${unit[type]}`);
    }
  }
}

function readOccupancies(value: unknown, field: string, period: BillingPeriod, unit: Consumptions, unitField: string): OccupancyInput[] {
  if (isAbsent(value)) return [];
  const occupancies = readArray(value, field).map((occupancy, index) => readOccupancy(occupancy, `${field}[${index}]`));
  if (occupancies.length === 0) return [];
  checkUniqueIds(occupancies, field);
  checkCoverage(occupancies, field, period);
  checkConsumptionSums(occupancies, field, unit, unitField);
  return occupancies;
}

function readUnit(value: unknown, field: string, period: BillingPeriod): UnitInput {
  const unit = readObject(value, field);
  const id = readId(unit.id, `${field}.id`);
  const area = readNumber(unit.area, `${field}.area`, POSITIVE);
  const consumptions = readConsumptions(unit, field);
  return {
    id,
    area,
    ...consumptions,
    estimated: readChoices(unit.estimated, `${field}.estimated`, COST_TYPES),
    cuts: readChoices(unit.cuts, `${field}.cuts`, CUT_REASONS),
    occupancies: readOccupancies(unit.occupancies, `${field}.occupancies`, period, consumptions, field),
  };
}

function readUnits(value: unknown, period: BillingPeriod): UnitInput[] {
  const units = readArray(value, 'units').map((unit, index) => readUnit(unit, `units[${index}]`, period));
  if (units.length === 0) fail('units', 'must contain at least one unit');
  checkUniqueIds(units, 'units');
  return units;
}

function readCombined(value: unknown): CombinedInput {
  const combined = readObject(value, 'combined');
  const plant: CombinedInput = {
    cost: readNumber(combined.cost, 'combined.cost', AMOUNT),
    energyKwh: readNumber(combined.energyKwh, 'combined.energyKwh', POSITIVE),
    hotWaterKwh: readOptionalNumber(combined.hotWaterKwh, 'combined.hotWaterKwh', NON_NEGATIVE, null),
    hotWaterM3: readOptionalNumber(combined.hotWaterM3, 'combined.hotWaterM3', NON_NEGATIVE, null),
    hotWaterTempC: readOptionalNumber(combined.hotWaterTempC, 'combined.hotWaterTempC', HOT_WATER_TEMP_C, null),
    districtHeating: readOptionalBoolean(combined.districtHeating, 'combined.districtHeating', false),
  };
  if (plant.hotWaterKwh === null) {
    // Without a heat meter, Q comes from the §9(2) formula, which needs both values.
    if (plant.hotWaterM3 === null) fail('combined.hotWaterM3', 'is required when combined.hotWaterKwh is not given');
    if (plant.hotWaterTempC === null) fail('combined.hotWaterTempC', 'is required when combined.hotWaterKwh is not given');
  }
  const energy = hotWaterEnergy(plant);
  if (energy.kwh.compare(Ratio.fromNumber(plant.energyKwh)) > 0) {
    if (energy.source === 'measured') fail('combined.hotWaterKwh', 'must not exceed combined.energyKwh');
    fail('combined.energyKwh', `must be at least the hot-water energy Q = ${energy.kwh.toNumber(2)} kWh`);
  }
  return plant;
}

function readCo2(value: unknown): Co2Input {
  const co2 = readObject(value, 'co2');
  return {
    kg: readNumber(co2.kg, 'co2.kg', NON_NEGATIVE),
    cost: readNumber(co2.cost, 'co2.cost', AMOUNT),
    area: readOptionalNumber(co2.area, 'co2.area', POSITIVE, null),
  };
}

/**
 * Validates raw input (parsed JSON, or a BillingInput built in code) and returns it normalised,
 * defaults filled in. Throws a ValidationError naming the first offending field.
 */
export function parseBillingInput(raw: unknown): BillingInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('input', 'must be a JSON object');
  const root = raw as JsonObject;
  const period = readPeriod(root.period);
  const combined = isAbsent(root.combined) ? undefined : readCombined(root.combined);
  const input: BillingInput = {
    period,
    heating: readCostType(root.heating, 'heating', HKVO_CONSUMPTION_SHARE, combined !== undefined),
    hotWater: readCostType(root.hotWater, 'hotWater', HKVO_CONSUMPTION_SHARE, combined !== undefined),
    coldWater: readColdWater(root.coldWater),
    units: readUnits(root.units, period),
  };
  if (combined) input.combined = combined;
  if (!isAbsent(root.co2)) input.co2 = readCo2(root.co2);
  return input;
}
