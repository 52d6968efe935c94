// The exact reference engine on BigInt rationals: every intermediate value is a reduced fraction.
// Slow (about a second for 10 000 units), kept as the oracle the fast engine (engine.ts) is tested
// against on random input.
import { splitCents } from './allocate';
import { splitCo2Cost } from './co2';
import { combinedResult, splitCombinedCost } from './combined';
import { cutReasonsByCostType, percentOf } from './cuts';
import { distributeCostType, type CostTypeDistribution } from './distribute';
import { toCents, toEuros } from './money';
import { hasNoReadings, occupancyKeys, splitBetweenOccupancies, type OccupancyKeys } from './occupancies';
import { parseBillingInput, unitsArea } from './parse';
import { Ratio } from './ratio';
import {
  COST_TYPES,
  CUT_PERCENT,
  HKVO_COST_TYPES,
  type BillingInput,
  type BillingResult,
  type CostType,
  type CostTypeDerivation,
  type CutDerivation,
  type HkvoCostType,
  type OccupancyInput,
  type OccupancyResult,
  type UnitInput,
  type UnitResult,
} from './types';

type PerCostType<T> = Record<CostType, T>;
type PerHkvoCostType<T> = Record<HkvoCostType, T>;

function perCostType<T>(make: (type: CostType) => T): PerCostType<T> {
  return { heating: make('heating'), hotWater: make('hotWater'), coldWater: make('coldWater') };
}

/** Display precision of prices, keys and shares in the derivation; amounts are exact cents. */
const DERIVATION_DECIMALS = 6;

/**
 * §12 HKVO: each reason cuts its percentage of each cost type it applies to, rounded half up to
 * cents; the cuts add up per cost type; cold water is never cut. Borne by the landlord (not
 * redistributed).
 */
function unitCut(unit: UnitInput, cents: PerCostType<bigint>): { cents: PerHkvoCostType<bigint>; derivation: CutDerivation } {
  const reasons = cutReasonsByCostType(unit.cuts);
  const cutOf = (type: HkvoCostType) =>
    reasons[type].reduce((sum, reason) => sum + Ratio.of(cents[type] * BigInt(CUT_PERCENT[reason]), 100).roundHalfUp(), 0n);
  const cut = { heating: cutOf('heating'), hotWater: cutOf('hotWater') };
  const percent = { heating: percentOf(reasons.heating), hotWater: percentOf(reasons.hotWater) };
  const typeCut = (type: HkvoCostType) => ({
    reasons: reasons[type],
    percent: percent[type],
    base: toEuros(cents[type]),
    cut: toEuros(cut[type]),
  });
  return {
    cents: cut,
    derivation: {
      reasons: unit.cuts,
      percent: percent.heating === percent.hotWater ? percent.heating : null,
      base: toEuros(cents.heating + cents.hotWater),
      heating: typeCut('heating'),
      hotWater: typeCut('hotWater'),
    },
  };
}

function costTypeDerivation(distribution: CostTypeDistribution, unit: UnitInput): CostTypeDerivation {
  return {
    method: distribution.method,
    cost: toEuros(distribution.costCents),
    consumptionShare: distribution.consumptionShare.toNumber(DERIVATION_DECIMALS),
    pricePerConsumptionUnit: distribution.centsPerConsumptionUnit.div(100).toNumber(DERIVATION_DECIMALS),
    pricePerM2: distribution.centsPerM2.div(100).toNumber(DERIVATION_DECIMALS),
    consumption: unit[distribution.type],
    totalConsumption: distribution.totalConsumption.toNumber(DERIVATION_DECIMALS),
    area: unit.area,
    totalArea: distribution.totalArea.toNumber(DERIVATION_DECIMALS),
    estimated: unit.estimated.includes(distribution.type),
  };
}

/**
 * §9b: each cost type is split between the occupancies against the unit's rounded cents; each cost
 * type's cut is split by the occupancies' cents of that type, rounded the same way, so occupancies
 * always add up to their unit.
 */
function occupancyResults(
  occupancies: readonly OccupancyInput[],
  keys: readonly OccupancyKeys[],
  distributions: PerCostType<CostTypeDistribution>,
  unitIndex: number,
  unitCut: PerHkvoCostType<bigint>,
): OccupancyResult[] {
  const cents = perCostType((type) => splitBetweenOccupancies(type, distributions[type].units[unitIndex]!, occupancies, keys));
  const cutOf = (type: HkvoCostType) =>
    splitCents(
      unitCut[type],
      cents[type].map((amount) => Ratio.of(amount)),
    );
  const cuts = HKVO_COST_TYPES.map(cutOf);
  return occupancies.map(({ id }, index) => {
    const cut = cuts.reduce((sum, typeCuts) => sum + typeCuts[index]!, 0n);
    const heating = cents.heating[index]!;
    const hotWater = cents.hotWater[index]!;
    const coldWater = cents.coldWater[index]!;
    return {
      id,
      heating: toEuros(heating),
      hotWater: toEuros(hotWater),
      coldWater: toEuros(coldWater),
      cut: toEuros(cut),
      total: toEuros(heating + hotWater + coldWater - cut),
    };
  });
}

function unitResult(input: BillingInput, distributions: PerCostType<CostTypeDistribution>, unit: UnitInput, unitIndex: number): UnitResult {
  const cents = perCostType((type) => distributions[type].units[unitIndex]!.cents);
  const cut = unitCut(unit, cents);
  const cutCents = cut.cents.heating + cut.cents.hotWater;
  const keys = occupancyKeys(input.period, unit.occupancies);
  const hasOccupancies = unit.occupancies.length > 0;
  return {
    id: unit.id,
    heating: toEuros(cents.heating),
    hotWater: toEuros(cents.hotWater),
    coldWater: toEuros(cents.coldWater),
    cut: toEuros(cutCents),
    total: toEuros(cents.heating + cents.hotWater + cents.coldWater - cutCents),
    ...(hasOccupancies && {
      occupancies: occupancyResults(unit.occupancies, keys, distributions, unitIndex, cut.cents),
    }),
    derivation: {
      ...perCostType((type) => costTypeDerivation(distributions[type], unit)),
      cut: cut.derivation,
      ...(hasOccupancies && {
        occupancies: unit.occupancies.map(({ id, from, to }, index) => {
          const key = keys[index]!;
          const fixedKeysOnly = COST_TYPES.filter((type) => hasNoReadings(unit.occupancies, type));
          return {
            id,
            from,
            to,
            days: key.days,
            dayShare: key.dayShare.toNumber(DERIVATION_DECIMALS),
            degreeDayShare: key.degreeDayShare.toNumber(DERIVATION_DECIMALS),
            ...(fixedKeysOnly.length > 0 && { fixedKeysOnly }),
          };
        }),
      }),
    },
  };
}

/**
 * Distributes heating, hot-water and cold-water cost over the units and their occupancies by the
 * HKVO rules (docs/rules.md §1) and returns the §2 contract's result, on exact rationals. The input is
 * validated first with parseBillingInput's rules (a ValidationError names the field).
 */
export function computeBillingRational(unvalidated: BillingInput): BillingResult {
  const input = parseBillingInput(unvalidated);
  const area = unitsArea(input.units);
  const combined = input.combined && splitCombinedCost(input.combined, area);
  const costCents: PerCostType<bigint> = {
    heating: combined ? combined.heatingCents : toCents(input.heating?.cost ?? 0),
    hotWater: combined ? combined.hotWaterCents : toCents(input.hotWater?.cost ?? 0),
    coldWater: toCents(input.coldWater?.cost ?? 0),
  };
  const warnings: string[] = [];
  const distributions = perCostType((type) => distributeCostType(type, input, costCents[type], warnings));

  const result: BillingResult = {
    methods: perCostType((type) => distributions[type].method),
    units: input.units.map((unit, index) => unitResult(input, distributions, unit, index)),
    warnings,
  };
  if (combined) result.combined = combinedResult(combined);
  if (input.co2) result.co2 = splitCo2Cost(input.co2, area, input.period);
  return result;
}
