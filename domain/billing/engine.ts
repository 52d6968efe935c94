// The HKVO billing engine on integers: exact like the rational reference engine (rational-engine.ts,
// its test oracle) but without a fraction per value. Each cost type's amounts share one
// denominator, so a unit's exact amount is one integer numerator over it: the floor and the
// remainder that largest-remainder rounding compares are integer division and its rest. BigInt
// where products exceed 2^53; no floating point in money.
import { daysBetween } from '../dates';
import { splitCo2Cost } from './co2';
import { combinedResult, splitCombinedCost } from './combined';
import { cutReasonsByCostType, percentOf } from './cuts';
import { decimalParts, scaledColumn, type ScaledColumn } from './decimal';
import { degreeDayUnits } from './degree-days';
import { toCents } from './money';
import { parseAssembledBillingInput, parseBillingInput } from './parse';
import { Ratio } from './ratio';
import {
  COST_TYPES,
  CUT_PERCENT,
  type BillingInput,
  type BillingResult,
  type CostType,
  type CostTypeDerivation,
  type CutDerivation,
  type DistributionMethod,
  type CutReason,
  type OccupancyDerivation,
  type OccupancyInput,
  type OccupancyResult,
  type UnitInput,
  type UnitResult,
} from './types';
import { noConsumptionWarning, substituteAreaWarning } from './warnings';

type PerCostType<T> = Record<CostType, T>;

/** Display precision of prices, keys and shares in the derivation; amounts are exact cents. */
const DERIVATION_DECIMALS = 6;
const DERIVATION_SCALE = 10n ** BigInt(DERIVATION_DECIMALS);

/**
 * Cents as a JSON number: an integer below 2^53 divided by 100 is correctly rounded, so it prints
 * as the intended decimal. Cents are integer doubles here: every sum of them stays below 2^53
 * (amounts are at most 10^12 euros).
 */
const euros = (cents: number): number => cents / 100;

/** numerator / denominator (both ≥ 0) rounded half up to `DERIVATION_DECIMALS` decimals. */
function display(numerator: bigint, denominator: bigint): number {
  return Number((2n * numerator * DERIVATION_SCALE + denominator) / (2n * denominator)) / Number(DERIVATION_SCALE);
}

/**
 * The indices of the `count` largest remainders, ties to the lower index (docs/rules.md §1 "Rounding":
 * largest remainder, ties to the amount listed first). Exact: Number(remainder) is a monotone
 * sort key (a larger BigInt never converts to a smaller double), so every index whose key is above
 * the count-th largest key is in, and the ones whose key equals it are ordered by the exact
 * remainder, then by index. No amount is ever computed in floating point.
 */
function largestRemainders(remainders: readonly bigint[], count: number): number[] {
  const total = remainders.length;
  if (count === 0) return [];
  if (total <= SMALL) return fewLargest(remainders, count);
  const keys = new Float64Array(total);
  for (let i = 0; i < total; i++) keys[i] = Number(remainders[i]!);
  const threshold = kthSmallest(keys.slice(), total - count);
  const chosen: number[] = [];
  const tied: number[] = [];
  for (let i = 0; i < total; i++) {
    if (keys[i]! > threshold) chosen.push(i);
    else if (keys[i] === threshold) tied.push(i);
  }
  tied.sort((a, b) => {
    const ra = remainders[a]!;
    const rb = remainders[b]!;
    return ra > rb ? -1 : ra < rb ? 1 : a - b;
  });
  for (let k = 0; chosen.length < count; k++) chosen.push(tied[k]!);
  return chosen;
}

/**
 * The value that would stand at index k (0-based) if `values` were sorted ascending; reorders
 * `values`. Quickselect with three-way partitions (linear on average, and on many equal values, as
 * remainders of round amounts are): a sort of all remainders only to read one of them cost more than
 * the rest of the rounding.
 */
function kthSmallest(values: Float64Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    // Median of three as the pivot: sorted or reversed input stays linear.
    const a = values[low]!;
    const b = values[(low + high) >>> 1]!;
    const c = values[high]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // values[low, lt) < pivot, [lt, i) = pivot, (gt, high] > pivot.
    let lt = low;
    let gt = high;
    let i = low;
    while (i <= gt) {
      const value = values[i]!;
      if (value < pivot) {
        values[i] = values[lt]!;
        values[lt++] = value;
        i++;
      } else if (value > pivot) {
        values[i] = values[gt]!;
        values[gt--] = value;
      } else i++;
    }
    if (k < lt) high = lt - 1;
    else if (k > gt) low = gt + 1;
    else return pivot;
  }
  return values[low]!;
}

/** Few amounts (a unit's occupancies): pick the largest remainder `count` times, first index on ties. */
const SMALL = 16;

function fewLargest<T extends bigint | number>(remainders: ArrayLike<T>, count: number): number[] {
  const chosen: number[] = [];
  for (let k = 0; k < count; k++) {
    let best = -1;
    for (let i = 0; i < remainders.length; i++) {
      if (!chosen.includes(i) && (best < 0 || remainders[i]! > remainders[best]!)) best = i;
    }
    chosen.push(best);
  }
  return chosen;
}

/**
 * Rounds amounts numerators[i] / denominator (≥ 0) to whole cents summing to `total`: floors,
 * then one cent each to the largest remainders. `total` may differ from the exact sum by less
 * than a cent (occupancies are rounded against their unit's rounded cents).
 */
function roundToTotal(numerators: readonly bigint[], denominator: bigint, total: number): number[] {
  const count = numerators.length;
  const cents = new Array<number>(count);
  const remainders = new Array<bigint>(count);
  let floorSum = 0;
  for (let i = 0; i < count; i++) {
    const numerator = numerators[i]!;
    const floor = numerator / denominator;
    remainders[i] = numerator - floor * denominator;
    // Below the total, which is below 2^53: an exact double.
    const cent = Number(floor);
    cents[i] = cent;
    floorSum += cent;
  }
  const missing = total - floorSum;
  if (missing < 0 || missing > count) throw new RangeError(`cannot round amounts to a total of ${total} cents`);
  for (const index of largestRemainders(remainders, missing)) cents[index]! += 1;
  return cents;
}

/**
 * Splits whole cents (or any whole units) in proportion to non-negative integer weights, rounded as
 * above; exported for the statement's splits (CO₂ credits, cuts and consumption by occupancy).
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  if (total === 0) return weights.map(() => 0);
  let sum = 0;
  let largest = 0;
  let whole = Number.isSafeInteger(total) && total > 0;
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i]!;
    sum += weight;
    if (weight > largest) largest = weight;
    if (!(weight >= 0 && Number.isSafeInteger(weight))) whole = false;
  }
  if (sum === 0) throw new RangeError(`cannot split ${total} cents by zero weights`);
  // Every product, floor and remainder an exact integer double: no BigInt needed (the usual case).
  if (whole && total * largest + sum <= Number.MAX_SAFE_INTEGER) return splitExactly(total, weights, sum);
  const bigTotal = BigInt(total);
  return roundToTotal(
    weights.map((weight) => bigTotal * BigInt(weight)),
    BigInt(sum),
    total,
  );
}

/**
 * splitByWeights on doubles that are exact integers (total × weight + sum ≤ 2^53 − 1): the same
 * floors, remainders and largest-remainder choice as roundToTotal, without a BigInt per weight.
 */
function splitExactly(total: number, weights: readonly number[], sum: number): number[] {
  const count = weights.length;
  const cents = new Array<number>(count);
  const remainders = new Float64Array(count);
  let floorSum = 0;
  for (let i = 0; i < count; i++) {
    const numerator = total * weights[i]!;
    // The quotient of two doubles may round up to the next integer: corrected by the remainder.
    let floor = Math.floor(numerator / sum);
    let remainder = numerator - floor * sum;
    if (remainder < 0) {
      floor -= 1;
      remainder += sum;
    } else if (remainder >= sum) {
      floor += 1;
      remainder -= sum;
    }
    cents[i] = floor;
    remainders[i] = remainder;
    floorSum += floor;
  }
  const missing = total - floorSum;
  if (missing < 0 || missing > count) throw new RangeError(`cannot round amounts to a total of ${total} cents`);
  if (missing === 0) return cents;
  // The `missing` largest remainders, ties to the lower index; the remainders are exact.
  if (count <= SMALL) {
    for (const index of fewLargest(remainders, missing)) cents[index]! += 1;
    return cents;
  }
  const threshold = kthSmallest(remainders.slice(), count - missing);
  let tied = missing;
  for (let i = 0; i < count; i++) if (remainders[i]! > threshold) tied--;
  for (let i = 0; i < count; i++) {
    const remainder = remainders[i]!;
    if (remainder > threshold) cents[i]! += 1;
    else if (remainder === threshold && tied > 0) {
      cents[i]! += 1;
      tied--;
    }
  }
  return cents;
}

/**
 * One cost type over all units. Unit i's exact amount in cents is
 *   C·s·c_i/Σc + C·(1−s)·a_i/ΣA = (P·c_i + Q·a_i) / D
 * with C the cost in cents, s = shareNumerator/shareDenominator, c and a the scaled consumptions
 * and areas: D = s_d·Σc·ΣA, P = C·s_n·ΣA, Q = C·(s_d − s_n)·Σc (Σc = 0: no consumption term).
 */
interface Distribution {
  method: DistributionMethod;
  consumptions: ScaledColumn;
  p: bigint;
  q: bigint;
  d: bigint;
  cents: number[];
  /** Shared by every unit's derivation. */
  display: Omit<CostTypeDerivation, 'consumption' | 'area' | 'estimated'>;
}

/** §9a(2) HKVO: substitute values on more than a quarter of the area force billing by area. */
function chooseMethod(type: CostType, input: BillingInput, areas: ScaledColumn, costCents: bigint, warnings: string[]): DistributionMethod {
  let estimatedArea = 0n;
  input.units.forEach((unit, index) => {
    if (unit.estimated.length > 0 && unit.estimated.includes(type)) estimatedArea += areas.integers[index]!;
  });
  if (estimatedArea * 4n > areas.sum) {
    warnings.push(substituteAreaWarning(type, Ratio.of(estimatedArea, areas.sum)));
    return 'area';
  }
  const needsConsumption = costCents > 0n && (input[type]?.consumptionShare ?? 0) > 0;
  if (needsConsumption && !input.units.some((unit) => unit[type] > 0)) {
    warnings.push(noConsumptionWarning(type));
    return 'area';
  }
  return 'consumption';
}

function distribute(type: CostType, input: BillingInput, areas: ScaledColumn, costCents: bigint, warnings: string[]): Distribution {
  const section = input[type];
  // A cost type without a section costs nothing and has nothing to explain.
  const method = section ? chooseMethod(type, input, areas, costCents, warnings) : 'consumption';
  const share = section && method === 'consumption' ? decimalParts(section.consumptionShare) : { digits: 0n, scale: 0 };
  const shareNumerator = share.digits;
  const shareDenominator = 10n ** BigInt(share.scale);
  const consumptions = scaledColumn(input.units.map((unit) => unit[type]));
  const consumptionSum = consumptions.sum;
  const c = costCents;
  const hasConsumption = consumptionSum > 0n;
  const p = hasConsumption ? c * shareNumerator * areas.sum : 0n;
  const q = c * (shareDenominator - shareNumerator) * (hasConsumption ? consumptionSum : 1n);
  const d = shareDenominator * (hasConsumption ? consumptionSum : 1n) * areas.sum;
  const numerators = new Array<bigint>(input.units.length);
  const consumptionIntegers = consumptions.integers;
  const areaIntegers = areas.integers;
  for (let i = 0; i < numerators.length; i++) {
    const consumption = consumptionIntegers[i]!;
    const fixed = q * areaIntegers[i]!;
    numerators[i] = consumption === 0n || p === 0n ? fixed : p * consumption + fixed;
  }
  const consumptionScale = 10n ** BigInt(consumptions.scale);
  const areaScale = 10n ** BigInt(areas.scale);
  // Display values, rounded half up like the reference engine's Ratio.toNumber.
  const consumptionPart = c * shareNumerator; // C·s_n = cost cents × share × s_d
  return {
    method,
    consumptions,
    p,
    q,
    d,
    cents: roundToTotal(numerators, d, Number(c)),
    display: {
      method,
      cost: euros(Number(c)),
      consumptionShare: display(shareNumerator, shareDenominator),
      // (C·s / Σc) / 100 euros per consumption unit, Σc = sum / 10^scale
      pricePerConsumptionUnit: hasConsumption ? display(consumptionPart * consumptionScale, shareDenominator * consumptionSum * 100n) : 0,
      pricePerM2: display((c * shareDenominator - consumptionPart) * areaScale, shareDenominator * areas.sum * 100n),
      totalConsumption: display(consumptionSum, consumptionScale),
      totalArea: display(areas.sum, areaScale),
    },
  };
}

interface CutCents {
  heating: number;
  hotWater: number;
  derivation: CutDerivation;
}

/** One cost type's cut: each reason's percentage rounded half up, in integers below 2^53. */
function costTypeCut(cents: number, reasons: readonly CutReason[]): number {
  let cut = 0;
  for (const reason of reasons) {
    const halfUp = cents * CUT_PERCENT[reason] + 50;
    cut += (halfUp - (halfUp % 100)) / 100;
  }
  return cut;
}

/** §12: each reason's percentage of each cost type it applies to, rounded half up; added up per cost type. */
function unitCut(unit: UnitInput, cents: PerCostType<number>): CutCents {
  if (unit.cuts.length === 0) {
    const base = euros(cents.heating + cents.hotWater);
    return {
      heating: 0,
      hotWater: 0,
      derivation: {
        reasons: [],
        percent: 0,
        base,
        heating: { reasons: [], percent: 0, base: euros(cents.heating), cut: 0 },
        hotWater: { reasons: [], percent: 0, base: euros(cents.hotWater), cut: 0 },
      },
    };
  }
  const reasons = cutReasonsByCostType(unit.cuts);
  const heating = costTypeCut(cents.heating, reasons.heating);
  const hotWater = costTypeCut(cents.hotWater, reasons.hotWater);
  const percentHeating = percentOf(reasons.heating);
  const percentHotWater = percentOf(reasons.hotWater);
  return {
    heating,
    hotWater,
    derivation: {
      reasons: unit.cuts,
      percent: percentHeating === percentHotWater ? percentHeating : null,
      base: euros(cents.heating + cents.hotWater),
      heating: { reasons: reasons.heating, percent: percentHeating, base: euros(cents.heating), cut: euros(heating) },
      hotWater: { reasons: reasons.hotWater, percent: percentHotWater, base: euros(cents.hotWater), cut: euros(hotWater) },
    },
  };
}

interface PeriodKeys {
  days: number;
  degreeDayUnits: number;
}

/**
 * §9b: a unit's amount of one cost type split between its occupancies, against the unit's rounded
 * cents. Occupancy j gets consumptionCents·ck_j + fixedCents·fk_j, with fk the degree-day share
 * (heating) or the day share (water) and ck the share of the occupancies' readings, or fk itself
 * without readings (§9b(3)) or when they sum to zero.
 */
function splitUnitAmount(
  type: CostType,
  distribution: Distribution,
  unitIndex: number,
  unitArea: bigint,
  occupancies: readonly OccupancyInput[],
  fixedKeys: { numerators: readonly bigint[]; denominator: bigint },
): number[] {
  const consumptionNumerator = distribution.p * distribution.consumptions.integers[unitIndex]!;
  const fixedNumerator = distribution.q * unitArea;
  let consumptionKeys = fixedKeys;
  if (occupancies[0]![type] !== null) {
    const readings = scaledColumn(occupancies.map((occupancy) => occupancy[type] ?? 0));
    if (readings.sum > 0n) consumptionKeys = { numerators: readings.integers, denominator: readings.sum };
  }
  const numerators = occupancies.map(
    (_, j) =>
      consumptionNumerator * consumptionKeys.numerators[j]! * fixedKeys.denominator +
      fixedNumerator * fixedKeys.numerators[j]! * consumptionKeys.denominator,
  );
  return roundToTotal(numerators, distribution.d * consumptionKeys.denominator * fixedKeys.denominator, distribution.cents[unitIndex]!);
}

function occupancyPart(
  distributions: PerCostType<Distribution>,
  unit: UnitInput,
  unitIndex: number,
  unitArea: bigint,
  cut: CutCents,
  period: PeriodKeys,
): { results: OccupancyResult[]; derivations: OccupancyDerivation[] } {
  const occupancies = unit.occupancies;
  const days = occupancies.map(({ from, to }) => daysBetween(from, to) + 1);
  const degreeDays = occupancies.map(({ from, to }) => degreeDayUnits(from, to));
  const byDays = { numerators: days.map(BigInt), denominator: BigInt(period.days) };
  const byDegreeDays = { numerators: degreeDays.map(BigInt), denominator: BigInt(period.degreeDayUnits) };
  const split = (type: CostType) =>
    splitUnitAmount(type, distributions[type], unitIndex, unitArea, occupancies, type === 'heating' ? byDegreeDays : byDays);
  const heating = split('heating');
  const hotWater = split('hotWater');
  const coldWater = split('coldWater');
  const heatingCut = splitByWeights(cut.heating, heating);
  const hotWaterCut = splitByWeights(cut.hotWater, hotWater);
  const fixedKeysOnly = COST_TYPES.filter((type) => occupancies[0]![type] === null);
  const results = occupancies.map(({ id }, j) => {
    const occupancyCut = heatingCut[j]! + hotWaterCut[j]!;
    return {
      id,
      heating: euros(heating[j]!),
      hotWater: euros(hotWater[j]!),
      coldWater: euros(coldWater[j]!),
      cut: euros(occupancyCut),
      total: euros(heating[j]! + hotWater[j]! + coldWater[j]! - occupancyCut),
    };
  });
  const derivations = occupancies.map(({ id, from, to }, j) => ({
    id,
    from,
    to,
    days: days[j]!,
    dayShare: display(BigInt(days[j]!), byDays.denominator),
    degreeDayShare: display(BigInt(degreeDays[j]!), byDegreeDays.denominator),
    ...(fixedKeysOnly.length > 0 && { fixedKeysOnly }),
  }));
  return { results, derivations };
}

/**
 * Distributes heating, hot-water and cold-water cost over the units and their occupancies by the
 * HKVO rules (docs/rules.md §1) and returns the §2 contract's result. The input is validated first with
 * parseBillingInput's rules (a ValidationError names the field), so input built in code gets the
 * same guarantees as the CLI's.
 */
export function computeBilling(unvalidated: BillingInput): BillingResult {
  return billInput(parseBillingInput(unvalidated));
}

/** computeBilling for the statement assembly's own input: its occupancies are not checked again (parseAssembledBillingInput). */
export function computeAssembledBilling(assembled: BillingInput): BillingResult {
  return billInput(parseAssembledBillingInput(assembled));
}

function billInput(input: BillingInput): BillingResult {
  const areas = scaledColumn(input.units.map((unit) => unit.area));
  const totalArea = Ratio.of(areas.sum, 10n ** BigInt(areas.scale));
  const combined = input.combined && splitCombinedCost(input.combined, totalArea);
  const costCents: PerCostType<bigint> = {
    heating: combined ? combined.heatingCents : toCents(input.heating?.cost ?? 0),
    hotWater: combined ? combined.hotWaterCents : toCents(input.hotWater?.cost ?? 0),
    coldWater: toCents(input.coldWater?.cost ?? 0),
  };
  const warnings: string[] = [];
  const distributions: PerCostType<Distribution> = {
    heating: distribute('heating', input, areas, costCents.heating, warnings),
    hotWater: distribute('hotWater', input, areas, costCents.hotWater, warnings),
    coldWater: distribute('coldWater', input, areas, costCents.coldWater, warnings),
  };
  const period: PeriodKeys = {
    days: daysBetween(input.period.start, input.period.end) + 1,
    degreeDayUnits: degreeDayUnits(input.period.start, input.period.end),
  };
  const derivation = (type: CostType, unit: UnitInput): CostTypeDerivation => {
    const shared = distributions[type].display;
    return {
      method: shared.method,
      cost: shared.cost,
      consumptionShare: shared.consumptionShare,
      pricePerConsumptionUnit: shared.pricePerConsumptionUnit,
      pricePerM2: shared.pricePerM2,
      consumption: unit[type],
      totalConsumption: shared.totalConsumption,
      area: unit.area,
      totalArea: shared.totalArea,
      estimated: unit.estimated.length > 0 && unit.estimated.includes(type),
    };
  };

  const units = input.units.map((unit, index): UnitResult => {
    const cents = {
      heating: distributions.heating.cents[index]!,
      hotWater: distributions.hotWater.cents[index]!,
      coldWater: distributions.coldWater.cents[index]!,
    };
    const cut = unitCut(unit, cents);
    const cutCents = cut.heating + cut.hotWater;
    const heating = euros(cents.heating);
    const hotWater = euros(cents.hotWater);
    const coldWater = euros(cents.coldWater);
    const total = euros(cents.heating + cents.hotWater + cents.coldWater - cutCents);
    const derivations = {
      heating: derivation('heating', unit),
      hotWater: derivation('hotWater', unit),
      coldWater: derivation('coldWater', unit),
      cut: cut.derivation,
    };
    if (unit.occupancies.length === 0) {
      return { id: unit.id, heating, hotWater, coldWater, cut: euros(cutCents), total, derivation: derivations };
    }
    const occupancies = occupancyPart(distributions, unit, index, areas.integers[index]!, cut, period);
    return {
      id: unit.id,
      heating,
      hotWater,
      coldWater,
      cut: euros(cutCents),
      total,
      occupancies: occupancies.results,
      derivation: { ...derivations, occupancies: occupancies.derivations },
    };
  });

  const result: BillingResult = {
    methods: { heating: distributions.heating.method, hotWater: distributions.hotWater.method, coldWater: distributions.coldWater.method },
    units,
    warnings,
  };
  if (combined) result.combined = combinedResult(combined);
  if (input.co2) result.co2 = splitCo2Cost(input.co2, totalArea, input.period);
  return result;
}
