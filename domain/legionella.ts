// Legionella in drinking-water systems (TrinkwV §31; shared/HKVO.md §3): which systems must be
// sampled, when the next sampling is due and when a lab result is a finding. Pure rules; the
// obligation that runs on them is still to be built (issue 15, item 3).
import { addYears, isDate } from './dates';

/** A "large" system: storage over 400 l, or over 3 l of pipe between the heater and the furthest tap. */
export const LARGE_STORAGE_LITRES = 400;
export const LARGE_PIPE_LITRES = 3;
/** Technical action value: a result above it (not at it) is a finding. */
export const ACTION_VALUE_CFU_PER_100ML = 100;
export const SAMPLING_INTERVAL_YEARS = 3;

export interface WaterSystemFacts {
  storageLitres: number;
  pipeLitres: number;
  /** Rented flats are supplied (commercial activity in the sense of the TrinkwV). */
  rented: boolean;
  /** Showers (aerosols) are fed by the system. */
  showers: boolean;
}

export function isLargeSystem(facts: Pick<WaterSystemFacts, 'storageLitres' | 'pipeLitres'>): boolean {
  return facts.storageLitres > LARGE_STORAGE_LITRES || facts.pipeLitres > LARGE_PIPE_LITRES;
}

/** Whether the system must be sampled periodically: a large system in a rented building with showers. */
export function mustBeSampled(facts: WaterSystemFacts): boolean {
  return isLargeSystem(facts) && facts.rented && facts.showers;
}

/** The next sampling is due three years after the last one (the same calendar day). */
export function samplingDueAt(lastSampledAt: string): string {
  if (!isDate(lastSampledAt)) throw new Error(`lastSampledAt: expected YYYY-MM-DD, got ${JSON.stringify(lastSampledAt)}`);
  return addYears(lastSampledAt, SAMPLING_INTERVAL_YEARS);
}

export function isFinding(cfuPer100ml: number): boolean {
  return cfuPer100ml > ACTION_VALUE_CFU_PER_100ML;
}

export interface LabResult {
  sampledAt: string;
  cfuPer100ml: number;
}

/** A lab result as entered: a sampling date not in the future and a whole, non-negative count; errors name the field. */
export function parseLabResult(input: { sampledAt: unknown; cfuPer100ml: unknown }, today: string): LabResult {
  const { sampledAt, cfuPer100ml } = input;
  if (typeof sampledAt !== 'string' || !isDate(sampledAt)) throw new Error('sampledAt: expected a date YYYY-MM-DD');
  if (sampledAt > today) throw new Error('sampledAt: the sampling date lies in the future');
  const count = typeof cfuPer100ml === 'string' && /^\d+$/.test(cfuPer100ml.trim()) ? Number(cfuPer100ml) : cfuPer100ml;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
    throw new Error('cfuPer100ml: expected a whole number ≥ 0 (KBE/100 ml)');
  return { sampledAt, cfuPer100ml: count };
}
