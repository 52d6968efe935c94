import { toCents, toEuros } from './money';
import { Ratio } from './ratio';
import type { Co2Input, Co2Result } from './types';

/**
 * CO2KostAufG stages: from `minKgPerM2` (inclusive) upwards the landlord bears `landlordPercent` of
 * the CO₂ cost; below 12 kg/m² nothing.
 */
const CO2_STAGES: readonly { minKgPerM2: number; landlordPercent: number }[] = [
  { minKgPerM2: 52, landlordPercent: 95 },
  { minKgPerM2: 47, landlordPercent: 80 },
  { minKgPerM2: 42, landlordPercent: 70 },
  { minKgPerM2: 37, landlordPercent: 60 },
  { minKgPerM2: 32, landlordPercent: 50 },
  { minKgPerM2: 27, landlordPercent: 40 },
  { minKgPerM2: 22, landlordPercent: 30 },
  { minKgPerM2: 17, landlordPercent: 20 },
  { minKgPerM2: 12, landlordPercent: 10 },
];

/** Landlord's share as a fraction; looked up with the exact kg/m² (21.999 is still 20 %). */
export function co2LandlordShare(kgPerM2: Ratio): Ratio {
  const stage = CO2_STAGES.find(({ minKgPerM2 }) => kgPerM2.compare(Ratio.of(minKgPerM2)) >= 0);
  return Ratio.of(stage?.landlordPercent ?? 0, 100);
}

/** `unitsArea` stands in for the building's area when the input gives none. */
export function splitCo2Cost(co2: Co2Input, unitsArea: Ratio): Co2Result {
  const area = co2.area === null ? unitsArea : Ratio.fromNumber(co2.area);
  const kgPerM2 = Ratio.fromNumber(co2.kg).div(area);
  const landlordShare = co2LandlordShare(kgPerM2);
  const costCents = toCents(co2.cost);
  const landlordCents = Ratio.of(costCents).mul(landlordShare).roundHalfUp();
  return {
    kgPerM2: kgPerM2.toNumber(2),
    landlordShare: landlordShare.toNumber(2),
    landlordCost: toEuros(landlordCents),
    tenantCost: toEuros(costCents - landlordCents),
  };
}
