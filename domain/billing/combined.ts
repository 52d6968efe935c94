import { toCents, toEuros } from './money';
import { Ratio } from './ratio';
import type { CombinedInput, CombinedResult } from './types';

// §9(2) HKVO: Q = 2.5 kWh/(m³·K) × V × (t_w − 10 °C); district heating divides the result by 1.15.
const KWH_PER_M3_KELVIN = Ratio.fromNumber(2.5);
const COLD_WATER_TEMP_C = Ratio.of(10);
const DISTRICT_HEATING_DIVISOR = Ratio.fromNumber(1.15);

export interface HotWaterEnergy {
  kwh: Ratio;
  source: CombinedResult['hotWaterKwhSource'];
}

/** Q: the heat meter's value when there is one, else the formula (requires volume and temperature). */
export function hotWaterEnergy(plant: CombinedInput): HotWaterEnergy {
  if (plant.hotWaterKwh !== null) return { kwh: Ratio.fromNumber(plant.hotWaterKwh), source: 'measured' };
  if (plant.hotWaterM3 === null || plant.hotWaterTempC === null) {
    throw new RangeError('combined plant needs hotWaterKwh or hotWaterM3 and hotWaterTempC');
  }
  const formula = KWH_PER_M3_KELVIN.mul(Ratio.fromNumber(plant.hotWaterM3)).mul(
    Ratio.fromNumber(plant.hotWaterTempC).sub(COLD_WATER_TEMP_C),
  );
  return { kwh: plant.districtHeating ? formula.div(DISTRICT_HEATING_DIVISOR) : formula, source: 'formula' };
}

export interface CombinedSplit {
  energy: HotWaterEnergy;
  /** Exact Q / total energy: the split uses it unrounded (564.58 €, not the handbook's 564.48 €). */
  hotWaterShare: Ratio;
  heatingCents: bigint;
  hotWaterCents: bigint;
}

/** §9: hot water gets plant cost × share rounded half up to cents, heating gets the rest. */
export function splitCombinedCost(plant: CombinedInput): CombinedSplit {
  const energy = hotWaterEnergy(plant);
  const hotWaterShare = energy.kwh.div(Ratio.fromNumber(plant.energyKwh));
  const costCents = toCents(plant.cost);
  const hotWaterCents = Ratio.of(costCents).mul(hotWaterShare).roundHalfUp();
  return { energy, hotWaterShare, heatingCents: costCents - hotWaterCents, hotWaterCents };
}

export function combinedResult(split: CombinedSplit): CombinedResult {
  return {
    hotWaterKwh: split.energy.kwh.toNumber(2),
    hotWaterShare: split.hotWaterShare.toNumber(6),
    heatingCost: toEuros(split.heatingCents),
    hotWaterCost: toEuros(split.hotWaterCents),
    hotWaterKwhSource: split.energy.source,
  };
}
