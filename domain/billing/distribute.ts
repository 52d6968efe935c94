import { allocateCents } from './allocate';
import { Ratio } from './ratio';
import type { BillingInput, CostType, DistributionMethod } from './types';
import { noConsumptionWarning, substituteAreaWarning } from './warnings';

/** §9a(2) HKVO: substitute values on more than this share of the area force billing by area. */
const MAX_ESTIMATED_AREA_SHARE = Ratio.of(1, 4);

export interface UnitShare {
  /** Exact cents from the consumption part and from the fixed (area) part. */
  consumptionCents: Ratio;
  fixedCents: Ratio;
  /** Rounded: the units' cents sum to the cost type's cost. */
  cents: bigint;
}

export interface CostTypeDistribution {
  type: CostType;
  method: DistributionMethod;
  costCents: bigint;
  /** Share distributed by consumption, 0 when the method is "area". */
  consumptionShare: Ratio;
  totalConsumption: Ratio;
  totalArea: Ratio;
  /** Cents per consumption unit and per m² (exact). */
  centsPerConsumptionUnit: Ratio;
  centsPerM2: Ratio;
  units: UnitShare[];
}

/**
 * Which method applies and why not the configured one. Zero consumption with a cost to distribute
 * cannot be billed by consumption at all, so it falls back to area too (rather than failing).
 */
function chooseMethod(
  type: CostType,
  input: BillingInput,
  costCents: bigint,
  totalArea: Ratio,
): {
  method: DistributionMethod;
  warning?: string;
} {
  const estimatedArea = Ratio.sum(input.units.filter((unit) => unit.estimated.includes(type)).map((unit) => Ratio.fromNumber(unit.area)));
  const estimatedShare = estimatedArea.div(totalArea);
  if (estimatedShare.compare(MAX_ESTIMATED_AREA_SHARE) > 0) {
    return {
      method: 'area',
      warning: substituteAreaWarning(type, estimatedShare),
    };
  }
  const hasConsumption = input.units.some((unit) => unit[type] > 0);
  const needsConsumption = costCents > 0n && (input[type]?.consumptionShare ?? 0) > 0;
  if (needsConsumption && !hasConsumption) {
    return { method: 'area', warning: noConsumptionWarning(type) };
  }
  return { method: 'consumption' };
}

/**
 * Distributes one cost type over the units: consumption part by consumption, the rest by area.
 * Exact rationals: the reference the fast engine (engine.ts) is tested against.
 */
export function distributeCostType(type: CostType, input: BillingInput, costCents: bigint, warnings: string[]): CostTypeDistribution {
  const areas = input.units.map((unit) => Ratio.fromNumber(unit.area));
  const consumptions = input.units.map((unit) => Ratio.fromNumber(unit[type]));
  const totalArea = Ratio.sum(areas);
  const totalConsumption = Ratio.sum(consumptions);
  // A cost type without a section costs nothing and has nothing to explain.
  const section = input[type];
  const { method, warning } = section ? chooseMethod(type, input, costCents, totalArea) : { method: 'consumption' as const };
  if (warning) warnings.push(warning);

  const consumptionShare = method === 'area' || !section ? Ratio.ZERO : Ratio.fromNumber(section.consumptionShare);
  const cost = Ratio.of(costCents);
  const consumptionPart = cost.mul(consumptionShare);
  const centsPerConsumptionUnit = totalConsumption.isZero() ? Ratio.ZERO : consumptionPart.div(totalConsumption);
  const centsPerM2 = cost.sub(consumptionPart).div(totalArea);

  const exact = input.units.map((_, index) => ({
    consumptionCents: consumptions[index]!.mul(centsPerConsumptionUnit),
    fixedCents: areas[index]!.mul(centsPerM2),
  }));
  const cents = allocateCents(
    exact.map((part) => part.consumptionCents.add(part.fixedCents)),
    costCents,
  );
  return {
    type,
    method,
    costCents,
    consumptionShare,
    totalConsumption,
    totalArea,
    centsPerConsumptionUnit,
    centsPerM2,
    units: exact.map((part, index) => ({ ...part, cents: cents[index]! })),
  };
}
