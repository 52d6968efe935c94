import { addDays, addYears, compareDates, daysBetween } from '../dates';
import { toCents, toEuros } from './money';
import { Ratio } from './ratio';
import type { BillingPeriod, Co2Input, Co2Result } from './types';

/**
 * CO2KostAufG stages for a year: from `minKgPerM2` (inclusive) upwards the landlord bears
 * `landlordPercent` of the CO₂ cost; below 12 kg/m² nothing. Ascending.
 */
export const CO2_STAGES: readonly { minKgPerM2: number; landlordPercent: number }[] = [
  { minKgPerM2: 0, landlordPercent: 0 },
  { minKgPerM2: 12, landlordPercent: 10 },
  { minKgPerM2: 17, landlordPercent: 20 },
  { minKgPerM2: 22, landlordPercent: 30 },
  { minKgPerM2: 27, landlordPercent: 40 },
  { minKgPerM2: 32, landlordPercent: 50 },
  { minKgPerM2: 37, landlordPercent: 60 },
  { minKgPerM2: 42, landlordPercent: 70 },
  { minKgPerM2: 47, landlordPercent: 80 },
  { minKgPerM2: 52, landlordPercent: 95 },
];

const DAYS_OF_A_YEAR = 365;

/**
 * CO2KostAufG §5(1) S.4: for a billing period shorter than a year every band limit is multiplied by
 * the period's days ÷ 365 (01.01.–30.09.2025: 273/365). A period of exactly a year (also a leap
 * year's 366 days) keeps the limits. A period longer than a year, which BGB §556(3) does not allow,
 * is scaled the same way, so its emissions are not compared with a single year's limits.
 */
export function co2BandFactor(period: BillingPeriod): Ratio {
  const days = daysBetween(period.start, period.end) + 1;
  const aYearLater = addYears(period.start, 1);
  const isOneYear = compareDates(addDays(period.end, 1), aYearLater) === 0;
  return isOneYear ? Ratio.ONE : Ratio.of(days, DAYS_OF_A_YEAR);
}

export interface Co2Band {
  /** kg/m² of the period, inclusive; exact. */
  from: Ratio;
  /** Exclusive; null for the top band. */
  to: Ratio | null;
  landlordPercent: number;
}

/** The band kg/m² falls in, with the limits scaled by `factor` (see co2BandFactor). */
export function co2Band(kgPerM2: Ratio, factor: Ratio = Ratio.ONE): Co2Band {
  let index = 0;
  for (let i = 1; i < CO2_STAGES.length; i++) {
    if (kgPerM2.compare(Ratio.of(CO2_STAGES[i]!.minKgPerM2).mul(factor)) >= 0) index = i;
  }
  const stage = CO2_STAGES[index]!;
  const next = CO2_STAGES[index + 1];
  return {
    from: Ratio.of(stage.minKgPerM2).mul(factor),
    to: next ? Ratio.of(next.minKgPerM2).mul(factor) : null,
    landlordPercent: stage.landlordPercent,
  };
}

/** Landlord's share as a fraction; looked up with the exact kg/m² (21.999 is still 20 %). */
export function co2LandlordShare(kgPerM2: Ratio, factor: Ratio = Ratio.ONE): Ratio {
  return Ratio.of(co2Band(kgPerM2, factor).landlordPercent, 100);
}

const inBand = (value: Ratio, band: Co2Band) => value.compare(band.from) >= 0 && (band.to === null || value.compare(band.to) < 0);

/**
 * kg/m² with 2 decimals that never contradicts its band: rounded half up, unless that leaves the
 * band (11.999 would print as 12.00, the next band's limit), then the other neighbour on the
 * 0.01 grid, which lies in the band because every band is wider than 0.01 kg/m².
 */
export function printedKgPerM2(kgPerM2: Ratio, band: Co2Band): number {
  const hundredths = kgPerM2.mul(100);
  const rounded = Ratio.of(hundredths.roundHalfUp(), 100);
  if (inBand(rounded, band)) return rounded.toNumber(2);
  // A value on the grid is its own rounding, so here the exact value lies strictly between floor and floor + 1.
  const floor = hundredths.floor();
  return Ratio.of(rounded.compare(kgPerM2) > 0 ? floor : floor + 1n, 100).toNumber(2);
}

/** `unitsArea` stands in for the building's area when the input gives none. */
export function splitCo2Cost(co2: Co2Input, unitsArea: Ratio, period?: BillingPeriod): Co2Result {
  const area = co2.area === null ? unitsArea : Ratio.fromNumber(co2.area);
  const kgPerM2 = Ratio.fromNumber(co2.kg).div(area);
  const band = co2Band(kgPerM2, period ? co2BandFactor(period) : Ratio.ONE);
  const landlordShare = Ratio.of(band.landlordPercent, 100);
  const costCents = toCents(co2.cost);
  const landlordCents = Ratio.of(costCents).mul(landlordShare).roundHalfUp();
  return {
    kgPerM2: printedKgPerM2(kgPerM2, band),
    landlordShare: landlordShare.toNumber(2),
    landlordCost: toEuros(landlordCents),
    tenantCost: toEuros(costCents - landlordCents),
  };
}
