import { splitCents } from './allocate';
import { splitCo2Cost } from './co2';
import { combinedResult, splitCombinedCost } from './combined';
import { distributeCostType, type CostTypeDistribution } from './distribute';
import { toCents, toEuros } from './money';
import { occupancyKeys, splitBetweenOccupancies, type OccupancyKeys } from './occupancies';
import { parseBillingInput } from './parse';
import { Ratio } from './ratio';
import {
  CUT_PERCENT,
  type BillingInput,
  type BillingResult,
  type CostType,
  type CostTypeDerivation,
  type CutDerivation,
  type OccupancyInput,
  type OccupancyResult,
  type UnitInput,
  type UnitResult,
} from './types';

type PerCostType<T> = Record<CostType, T>;

function perCostType<T>(make: (type: CostType) => T): PerCostType<T> {
  return { heating: make('heating'), hotWater: make('hotWater'), coldWater: make('coldWater') };
}

/** Display precision of prices, keys and shares in the derivation; amounts are exact cents. */
const DERIVATION_DECIMALS = 6;

/**
 * §12 HKVO: the reasons' percentages add up (3 % + 3 % = 6 %) and apply to heating + hot water, not
 * cold water; the cut is rounded half up to cents and borne by the landlord (not redistributed).
 */
function unitCutCents(unit: UnitInput, cents: PerCostType<bigint>): { cents: bigint; derivation: CutDerivation } {
  const percent = unit.cuts.reduce((sum, reason) => sum + CUT_PERCENT[reason], 0);
  const base = cents.heating + cents.hotWater;
  return {
    cents: Ratio.of(base * BigInt(percent), 100).roundHalfUp(),
    derivation: { reasons: unit.cuts, percent, base: toEuros(base) },
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
 * §9b: each cost type is split between the occupancies against the unit's rounded cents; the unit's
 * cut is split by the occupancies' heating + hot-water cents, rounded the same way, so occupancies
 * always add up to their unit.
 */
function occupancyResults(
  occupancies: readonly OccupancyInput[],
  keys: readonly OccupancyKeys[],
  distributions: PerCostType<CostTypeDistribution>,
  unitIndex: number,
  unitCut: bigint,
): OccupancyResult[] {
  const cents = perCostType((type) => splitBetweenOccupancies(type, distributions[type].units[unitIndex], occupancies, keys));
  const cuts = splitCents(
    unitCut,
    occupancies.map((_, index) => Ratio.of(cents.heating[index] + cents.hotWater[index])),
  );
  return occupancies.map(({ id }, index) => ({
    id,
    heating: toEuros(cents.heating[index]),
    hotWater: toEuros(cents.hotWater[index]),
    coldWater: toEuros(cents.coldWater[index]),
    cut: toEuros(cuts[index]),
    total: toEuros(cents.heating[index] + cents.hotWater[index] + cents.coldWater[index] - cuts[index]),
  }));
}

function unitResult(input: BillingInput, distributions: PerCostType<CostTypeDistribution>, unit: UnitInput, unitIndex: number): UnitResult {
  const cents = perCostType((type) => distributions[type].units[unitIndex].cents);
  const cut = unitCutCents(unit, cents);
  const keys = occupancyKeys(input.period, unit.occupancies);
  const hasOccupancies = unit.occupancies.length > 0;
  return {
    id: unit.id,
    heating: toEuros(cents.heating),
    hotWater: toEuros(cents.hotWater),
    coldWater: toEuros(cents.coldWater),
    cut: toEuros(cut.cents),
    total: toEuros(cents.heating + cents.hotWater + cents.coldWater - cut.cents),
    ...(hasOccupancies && {
      occupancies: occupancyResults(unit.occupancies, keys, distributions, unitIndex, cut.cents),
    }),
    derivation: {
      ...perCostType((type) => costTypeDerivation(distributions[type], unit)),
      cut: cut.derivation,
      ...(hasOccupancies && {
        occupancies: unit.occupancies.map(({ id, from, to }, index) => ({
          id,
          from,
          to,
          days: keys[index].days,
          dayShare: keys[index].dayShare.toNumber(DERIVATION_DECIMALS),
          degreeDayShare: keys[index].degreeDayShare.toNumber(DERIVATION_DECIMALS),
        })),
      }),
    },
  };
}

/**
 * Distributes heating, hot-water and cold-water cost over the units and their occupancies by the
 * HKVO rules (HKVO.md §1) and returns the §2 contract's result. The input is validated first with
 * parseBillingInput's rules (a ValidationError names the field), so input built in code gets the
 * same guarantees as the CLI's.
 */
export function computeBilling(unvalidated: BillingInput): BillingResult {
  const input = parseBillingInput(unvalidated);
  const combined = input.combined && splitCombinedCost(input.combined);
  const costCents: PerCostType<bigint> = {
    heating: combined ? combined.heatingCents : toCents(input.heating.cost),
    hotWater: combined ? combined.hotWaterCents : toCents(input.hotWater.cost),
    coldWater: toCents(input.coldWater.cost),
  };
  const warnings: string[] = [];
  const distributions = perCostType((type) => distributeCostType(type, input, costCents[type], warnings));

  const result: BillingResult = {
    methods: perCostType((type) => distributions[type].method),
    units: input.units.map((unit, index) => unitResult(input, distributions, unit, index)),
    warnings,
  };
  if (combined) result.combined = combinedResult(combined);
  if (input.co2) result.co2 = splitCo2Cost(input.co2, distributions.heating.totalArea);
  return result;
}
