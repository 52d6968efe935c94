import { daysBetween } from '../dates';
import { allocateCents } from './allocate';
import { degreeDaysPerMille } from './degree-days';
import type { UnitShare } from './distribute';
import { Ratio } from './ratio';
import type { BillingPeriod, CostType, OccupancyInput } from './types';

export interface OccupancyKeys {
  days: number;
  /** Share of the billing period's days: key for the fixed hot- and cold-water part (§9b). */
  dayShare: Ratio;
  /**
   * Share of the billing period's degree days: key for the fixed heating part (§9b). Normalised
   * over the period's own degree days, so a period other than a calendar year still splits 100 %.
   */
  degreeDayShare: Ratio;
}

export function daysInclusive(from: string, to: string): number {
  return daysBetween(from, to) + 1;
}

export function occupancyKeys(period: BillingPeriod, occupancies: readonly OccupancyInput[]): OccupancyKeys[] {
  const periodDays = daysInclusive(period.start, period.end);
  const periodDegreeDays = degreeDaysPerMille(period.start, period.end);
  return occupancies.map(({ from, to }) => {
    const days = daysInclusive(from, to);
    return {
      days,
      dayShare: Ratio.of(days, periodDays),
      degreeDayShare: degreeDaysPerMille(from, to).div(periodDegreeDays),
    };
  });
}

/** §9b(3): the unit's occupancies have no reading of this cost type (all or none have one). */
export function hasNoReadings(occupancies: readonly OccupancyInput[], type: CostType): boolean {
  return occupancies[0]?.[type] === null;
}

/**
 * Splits a unit's amount of one cost type between its occupancies (§9b): the consumption part by
 * the occupancies' own readings, the fixed part by degree days (heating) or days (water). Rounded
 * by largest remainder against the unit's already rounded cents. A cost type billed by area only
 * (§9a) has no consumption part, so it is split entirely by degree days or days; so is a cost type
 * without intermediate readings (§9b(3)).
 */
export function splitBetweenOccupancies(
  type: CostType,
  unitShare: UnitShare,
  occupancies: readonly OccupancyInput[],
  keys: readonly OccupancyKeys[],
): bigint[] {
  const fixedKeys = keys.map((key) => (type === 'heating' ? key.degreeDayShare : key.dayShare));
  const consumptions = occupancies.map((occupancy) => Ratio.fromNumber(occupancy[type] ?? 0));
  const totalConsumption = Ratio.sum(consumptions);
  // Without intermediate readings (§9b(3)) the whole amount goes by the fixed keys. Readings that
  // sum to zero leave no consumption key either; the unit's consumption part is then zero too (up
  // to the sum tolerance), and splitting it like the fixed part keeps the sum exact.
  const consumptionKeys =
    hasNoReadings(occupancies, type) || totalConsumption.isZero()
      ? fixedKeys
      : consumptions.map((consumption) => consumption.div(totalConsumption));
  const exact = occupancies.map((_, index) =>
    unitShare.consumptionCents.mul(consumptionKeys[index]!).add(unitShare.fixedCents.mul(fixedKeys[index]!)),
  );
  return allocateCents(exact, unitShare.cents);
}
