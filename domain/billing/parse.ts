import { addDays, compareDates, isDate } from '../dates';
import { ValidationError } from '../validation';
import { DEFAULT_HOT_WATER_TEMP_C, hotWaterEnergy } from './combined';
import { overlappingCut } from './cuts';
import { scaledColumn } from './decimal';
import { isWholeCents } from './money';
import { Ratio } from './ratio';
import {
  COST_TYPES,
  CUT_INPUTS,
  type BillingInput,
  type BillingPeriod,
  type Co2Input,
  type CombinedInput,
  type Consumptions,
  type CostType,
  type CostTypeInput,
  type OccupancyInput,
  type UnitInput,
} from './types';

// Strict reading of the billing input (docs/rules.md §2). Every error names the offending field as a
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
const between = (min: number, max: number, note = ''): NumberRule => ({
  accepts: (v) => v >= min && v <= max,
  message: `must be between ${min} and ${max}${note}`,
});
/** §7(1), §8(1) HKVO; §10: an agreement may raise the share up to 1, never lower it below 0.5. */
const HKVO_CONSUMPTION_SHARE = between(0.5, 0.7, ' (up to 1 with "agreed": true, §10 HKVO)');
const AGREED_CONSUMPTION_SHARE = between(0.5, 1, ' (§7(1), §10 HKVO)');
const COLD_WATER_CONSUMPTION_SHARE = between(0, 1);
/** The §9 formula's cold-water reference: a lower hot-water temperature would give negative energy. */
const HOT_WATER_TEMP_C: NumberRule = { accepts: (v) => v >= 10, message: 'must be at least 10 (°C)' };

/** Readings of occupancies may miss their unit's by float noise from upstream sums, no more. */
const SUM_TOLERANCE_INVERSE = 10n ** 9n;

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

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'string' ? 'a string' : String(value);
}

function readNumber(value: unknown, field: string, rule: NumberRule): number {
  if (isAbsent(value)) fail(field, 'is required');
  if (typeof value !== 'number') fail(field, `${rule.message} (got ${kindOf(value)})`);
  // JSON has no infinity: it comes from a literal too large for a double, such as 1e999.
  if (!Number.isFinite(value)) fail(field, `must be a finite number (got ${value}, a number too large for a double)`);
  if (!rule.accepts(value)) fail(field, rule.message);
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
    // `allowed` is short, so a repeated value is found within its length: this stays linear.
    if (choices.indexOf(choice) !== index) fail(`${field}[${index}]`, `"${String(choice)}" is listed twice`);
    return choice as T;
  });
}

/** Linear: one map from id to its first index. */
function checkUniqueIds(items: readonly { id: string }[], field: string): void {
  const firstIndex = new Map<string, number>();
  items.forEach(({ id }, index) => {
    const first = firstIndex.get(id);
    if (first !== undefined) fail(`${field}[${index}].id`, `duplicate id "${id}" (also ${field}[${first}].id)`);
    firstIndex.set(id, index);
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
 * A heating or hot-water section, or undefined when the building has none. With a combined plant
 * (§9) the plant's split supplies the cost, so a second cost would be ambiguous; the section is
 * then required for its consumption share.
 */
function readHkvoCostType(value: unknown, field: 'heating' | 'hotWater', costFromCombined: boolean): CostTypeInput | undefined {
  if (isAbsent(value)) {
    if (costFromCombined) fail(field, 'is required when combined is given (its consumptionShare)');
    return undefined;
  }
  const costType = readObject(value, field);
  const agreed = readOptionalBoolean(costType.agreed, `${field}.agreed`, false);
  const shareRule = agreed ? AGREED_CONSUMPTION_SHARE : HKVO_CONSUMPTION_SHARE;
  const consumptionShare = readNumber(costType.consumptionShare, `${field}.consumptionShare`, shareRule);
  let cost: number;
  if (!costFromCombined) {
    cost = readNumber(costType.cost, `${field}.cost`, AMOUNT);
  } else if (readOptionalNumber(costType.cost, `${field}.cost`, AMOUNT, 0) !== 0) {
    fail(`${field}.cost`, 'must be omitted or 0 when combined is given (the §9 split determines it)');
  } else {
    cost = 0;
  }
  return agreed ? { cost, consumptionShare, agreed } : { cost, consumptionShare };
}

/** Cold water is outside the HKVO and optional: 100 % by consumption unless configured. */
function readColdWater(value: unknown): CostTypeInput | undefined {
  if (isAbsent(value)) return undefined;
  const coldWater = readObject(value, 'coldWater');
  return {
    cost: readNumber(coldWater.cost, 'coldWater.cost', AMOUNT),
    consumptionShare: readOptionalNumber(coldWater.consumptionShare, 'coldWater.consumptionShare', COLD_WATER_CONSUMPTION_SHARE, 1),
  };
}

/** Which consumptions each unit must give: those of the cost types the building bills (cold water: optional, 0). */
type Required = Record<CostType, boolean>;

// Field paths of units are built only for an error message: a building has many units.
const at = (base: string, key: string) => `${base}.${key}`;

function readConsumption(object: JsonObject, base: string, type: CostType, required: boolean): number {
  const value = object[type];
  if (typeof value === 'number' && value >= 0 && Number.isFinite(value)) return value;
  if (!required && isAbsent(value)) return 0;
  return readNumber(value, at(base, type), NON_NEGATIVE);
}

function readOccupancy(value: unknown, field: string): OccupancyInput {
  const occupancy = readObject(value, field);
  const id = readId(occupancy.id, `${field}.id`);
  const from = readDate(occupancy.from, `${field}.from`);
  const to = readDate(occupancy.to, `${field}.to`);
  if (to < from) fail(`${field}.to`, `must not be before ${field}.from`);
  const read = (type: CostType) => readOptionalNumber(occupancy[type], at(field, type), NON_NEGATIVE, null);
  return { id, from, to, heating: read('heating'), hotWater: read('hotWater'), coldWater: read('coldWater') };
}

/**
 * Occupancies are listed in chronological order and cover the billing period without gap or
 * overlap, so that they always add up to their unit; a vacancy is billed as an occupancy of its own.
 */
function checkCoverage(occupancies: readonly OccupancyInput[], field: string, period: BillingPeriod): void {
  // Dates read by readDate are 'YYYY-MM-DD' with four-digit years: their text order is their order.
  occupancies.forEach((occupancy, index) => {
    const item = `${field}[${index}]`;
    if (occupancy.from < period.start) fail(`${item}.from`, `must not be before period.start (${period.start})`);
    if (occupancy.to > period.end) fail(`${item}.to`, `must not be after period.end (${period.end})`);
    const previous = occupancies[index - 1];
    if (previous === undefined) return;
    const previousItem = `${field}[${index - 1}]`;
    if (occupancy.from <= previous.to) {
      fail(`${item}.from`, `overlaps ${previousItem}, which ends ${previous.to} (list occupancies in chronological order)`);
    }
    if (occupancy.from !== addDays(previous.to, 1)) {
      fail(
        `${item}.from`,
        `leaves a gap after ${previousItem}, which ends ${previous.to}: occupancies must cover the billing period (bill a vacancy as an occupancy)`,
      );
    }
  });
  const last = occupancies.length - 1;
  if (occupancies[0]!.from !== period.start) {
    fail(`${field}[0].from`, `must be period.start (${period.start}): occupancies must cover the billing period`);
  }
  if (occupancies[last]!.to !== period.end) {
    fail(`${field}[${last}].to`, `must be period.end (${period.end}): occupancies must cover the billing period`);
  }
}

/**
 * §9b(3): an occupancy without its own reading of a cost type splits that type by the fixed keys;
 * that works only for the whole unit, so either every occupancy has the reading or none has.
 */
function checkReadingsComplete(occupancies: readonly OccupancyInput[], field: string): void {
  for (const type of COST_TYPES) {
    const given = occupancies.findIndex((occupancy) => occupancy[type] !== null);
    const missing = occupancies.findIndex((occupancy) => occupancy[type] === null);
    if (given >= 0 && missing >= 0) {
      fail(
        `${field}[${missing}].${type}`,
        `is required because ${field}[${given}].${type} is given: either every occupancy of a unit has its ${type} reading or none has (then ${type} is split by the fixed keys alone, §9b(3) HKVO)`,
      );
    }
  }
}

function checkConsumptionSums(occupancies: readonly OccupancyInput[], field: string, unit: Consumptions, unitField: string): void {
  for (const type of COST_TYPES) {
    if (occupancies[0]![type] === null) continue;
    const values = occupancies.map((occupancy) => occupancy[type] ?? 0);
    const column = scaledColumn([unit[type], ...values]);
    const [expected = 0n] = column.integers;
    const sum = column.sum - expected;
    const difference = sum > expected ? sum - expected : expected - sum;
    const one = 10n ** BigInt(column.scale);
    // |sum − expected| ≤ 1e-9 × max(expected, 1)
    if (difference * SUM_TOLERANCE_INVERSE > (expected > one ? expected : one)) {
      fail(field, `${type} readings sum to ${Ratio.of(sum, one).toNumber(9)}, but ${unitField}.${type} is ${unit[type]}`);
    }
  }
}

function readOccupancies(value: unknown, field: string, period: BillingPeriod, unit: Consumptions, unitField: string): OccupancyInput[] {
  if (isAbsent(value)) return [];
  const occupancies = readArray(value, field).map((occupancy, index) => readOccupancy(occupancy, `${field}[${index}]`));
  if (occupancies.length === 0) return [];
  checkUniqueIds(occupancies, field);
  checkCoverage(occupancies, field, period);
  checkReadingsComplete(occupancies, field);
  checkConsumptionSums(occupancies, field, unit, unitField);
  return occupancies;
}

/** An absent or empty list without building its field path. */
function readUnitChoices<T extends string>(value: unknown, base: string, key: string, allowed: readonly T[]): T[] {
  if (isAbsent(value) || (Array.isArray(value) && value.length === 0)) return [];
  return readChoices(value, at(base, key), allowed);
}

const isCount = (value: unknown): value is number => typeof value === 'number' && value >= 0 && Number.isFinite(value);
const isEmptyList = (value: unknown): boolean => Array.isArray(value) && value.length === 0;
const UNIT_KEYS = 8;

/**
 * A unit that is already what readUnit returns (as the statement assembly builds them: every field
 * given, no occupancies, cuts or substitutes, nothing else): taken as it is, without a copy. Any
 * other unit goes through readUnit, which then names what is wrong.
 */
function isNormalUnit(value: unknown): value is UnitInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const unit = value as JsonObject;
  if (!(typeof unit.id === 'string' && unit.id.trim() !== '' && isCount(unit.area) && unit.area > 0)) return false;
  if (!(isCount(unit.heating) && isCount(unit.hotWater) && isCount(unit.coldWater))) return false;
  if (!(isEmptyList(unit.estimated) && isEmptyList(unit.cuts) && isEmptyList(unit.occupancies))) return false;
  let keys = 0;
  for (const key in unit) if (Object.hasOwn(unit, key)) keys++;
  return keys === UNIT_KEYS;
}

/**
 * Occupancies are `checked` in input from outside; `built` by the statement assembly from its own
 * occupancy segments (chronological, covering the period, each reading a part of the unit's sum by
 * construction), so they are taken as they are.
 */
type Occupancies = 'checked' | 'built';

function readUnit(value: unknown, field: string, period: BillingPeriod, required: Required, occupancyMode: Occupancies): UnitInput {
  const unit = readObject(value, field);
  const id = typeof unit.id === 'string' && unit.id.trim() !== '' ? unit.id : readId(unit.id, at(field, 'id'));
  const area =
    typeof unit.area === 'number' && unit.area > 0 && Number.isFinite(unit.area)
      ? unit.area
      : readNumber(unit.area, at(field, 'area'), POSITIVE);
  const heating = readConsumption(unit, field, 'heating', required.heating);
  const hotWater = readConsumption(unit, field, 'hotWater', required.hotWater);
  const coldWater = readConsumption(unit, field, 'coldWater', required.coldWater);
  const cuts = readUnitChoices(unit.cuts, field, 'cuts', CUT_INPUTS);
  const overlap = cuts.length > 1 ? overlappingCut(cuts) : null;
  if (overlap) {
    fail(`${field}.cuts[${overlap.index}]`, `"${cuts[overlap.index]}" cuts again what ${field}.cuts[${overlap.earlier}] already cuts`);
  }
  const estimated = readUnitChoices(unit.estimated, field, 'estimated', COST_TYPES);
  const consumptions = { heating, hotWater, coldWater };
  const occupancies = isAbsent(unit.occupancies)
    ? []
    : occupancyMode === 'built' && Array.isArray(unit.occupancies)
      ? (unit.occupancies as OccupancyInput[])
      : readOccupancies(unit.occupancies, at(field, 'occupancies'), period, consumptions, field);
  return { id, area, heating, hotWater, coldWater, estimated, cuts, occupancies };
}

function readUnits(value: unknown, period: BillingPeriod, required: Required, occupancyMode: Occupancies): UnitInput[] {
  const list = readArray(value, 'units');
  const units = new Array<UnitInput>(list.length);
  for (let index = 0; index < list.length; index++) {
    const unit = list[index];
    units[index] = isNormalUnit(unit) ? unit : readUnit(unit, `units[${index}]`, period, required, occupancyMode);
  }
  if (units.length === 0) fail('units', 'must contain at least one unit');
  checkUniqueIds(units, 'units');
  return units;
}

function readCombined(value: unknown): CombinedInput {
  const combined = readObject(value, 'combined');
  return {
    cost: readNumber(combined.cost, 'combined.cost', AMOUNT),
    energyKwh: readNumber(combined.energyKwh, 'combined.energyKwh', POSITIVE),
    hotWaterKwh: readOptionalNumber(combined.hotWaterKwh, 'combined.hotWaterKwh', NON_NEGATIVE, null),
    hotWaterM3: readOptionalNumber(combined.hotWaterM3, 'combined.hotWaterM3', NON_NEGATIVE, null),
    hotWaterTempC: readOptionalNumber(combined.hotWaterTempC, 'combined.hotWaterTempC', HOT_WATER_TEMP_C, DEFAULT_HOT_WATER_TEMP_C),
    districtHeating: readOptionalBoolean(combined.districtHeating, 'combined.districtHeating', false),
    grossCalorific: readOptionalBoolean(combined.grossCalorific, 'combined.grossCalorific', false),
    area: readOptionalNumber(combined.area, 'combined.area', POSITIVE, null),
  };
}

/** The units' total area, exactly. */
export function unitsArea(units: readonly { area: number }[]): Ratio {
  const column = scaledColumn(units.map((unit) => unit.area));
  return Ratio.of(column.sum, 10n ** BigInt(column.scale));
}

/** Q from the units' total area: only for a plant without measured Q, volume and own area. */
function needsUnitsArea(plant: CombinedInput): boolean {
  return plant.hotWaterKwh === null && plant.hotWaterM3 === null && plant.area == null;
}

/** Q must not exceed the plant's energy. */
function checkCombinedEnergy(plant: CombinedInput, units?: readonly UnitInput[]): void {
  const energy = hotWaterEnergy(plant, units && unitsArea(units));
  if (energy.kwh.compare(Ratio.fromNumber(plant.energyKwh)) > 0) {
    if (energy.source === 'measured') fail('combined.hotWaterKwh', 'must not exceed combined.energyKwh');
    fail('combined.energyKwh', `must be at least the hot-water energy Q = ${energy.kwh.toNumber(2)} kWh`);
  }
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
  return readInput(raw, 'checked');
}

/**
 * parseBillingInput for the input the statement assembly builds: everything is checked the same
 * way except the units' occupancies, which the assembly derives itself (see `Occupancies`).
 */
export function parseAssembledBillingInput(input: BillingInput): BillingInput {
  return readInput(input, 'built');
}

function readInput(raw: unknown, occupancyMode: Occupancies): BillingInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('input', 'must be a JSON object');
  const root = raw as JsonObject;
  const period = readPeriod(root.period);
  const combined = isAbsent(root.combined) ? undefined : readCombined(root.combined);
  // Q from the plant's own figures is checked at once; from the units' area once they are read.
  if (combined && !needsUnitsArea(combined)) checkCombinedEnergy(combined);
  const heating = readHkvoCostType(root.heating, 'heating', combined !== undefined);
  const hotWater = readHkvoCostType(root.hotWater, 'hotWater', combined !== undefined);
  const coldWater = readColdWater(root.coldWater);
  const required: Required = { heating: heating !== undefined, hotWater: hotWater !== undefined, coldWater: false };
  const units = readUnits(root.units, period, required, occupancyMode);
  // Keys in the order of the contract; a section left out stays out.
  const input: BillingInput = {
    period,
    ...(heating && { heating }),
    ...(hotWater && { hotWater }),
    ...(coldWater && { coldWater }),
    units,
  };
  if (combined) {
    if (needsUnitsArea(combined)) checkCombinedEnergy(combined, units);
    input.combined = combined;
  }
  if (!isAbsent(root.co2)) input.co2 = readCo2(root.co2);
  return input;
}
