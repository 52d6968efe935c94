import { toCents, toEuros } from './money';
import { Ratio } from './ratio';
import type { CombinedInput, CombinedResult } from './types';

// §9(2) HKVO: Q = 2.5 kWh/(m³·K) × V × (t_w − 10 °C); without a measured volume Q = 32 kWh/m² of
// the heated living area (S.4). Either is multiplied by 1.11 when the fuel is billed on its gross
// calorific value and divided by 1.15 for district heating (S.6); a measured Q is taken as it is.
const KWH_PER_M3_KELVIN = Ratio.fromNumber(2.5);
const COLD_WATER_TEMP_C = Ratio.of(10);
export const DEFAULT_HOT_WATER_TEMP_C = 60;
const KWH_PER_M2 = Ratio.of(32);
const GROSS_CALORIFIC_FACTOR = Ratio.fromNumber(1.11);
const DISTRICT_HEATING_DIVISOR = Ratio.fromNumber(1.15);

export interface HotWaterEnergy {
  kwh: Ratio;
  source: CombinedResult['hotWaterKwhSource'];
}

/**
 * Q: the heat meter's value when there is one, else the volume formula, else 32 kWh/m² of
 * `plant.area` (or `unitsArea`, the units' total area, when the plant gives none).
 */
export function hotWaterEnergy(plant: CombinedInput, unitsArea?: Ratio): HotWaterEnergy {
  if (plant.hotWaterKwh !== null) return { kwh: Ratio.fromNumber(plant.hotWaterKwh), source: 'measured' };
  let kwh: Ratio;
  let source: HotWaterEnergy['source'];
  if (plant.hotWaterM3 !== null) {
    const temperature = Ratio.fromNumber(plant.hotWaterTempC ?? DEFAULT_HOT_WATER_TEMP_C);
    kwh = KWH_PER_M3_KELVIN.mul(Ratio.fromNumber(plant.hotWaterM3)).mul(temperature.sub(COLD_WATER_TEMP_C));
    source = 'formula';
  } else {
    const area = plant.area != null ? Ratio.fromNumber(plant.area) : unitsArea;
    if (area === undefined) throw new RangeError('combined plant needs hotWaterKwh, hotWaterM3 or an area');
    kwh = KWH_PER_M2.mul(area);
    source = 'area';
  }
  if (plant.grossCalorific) kwh = kwh.mul(GROSS_CALORIFIC_FACTOR);
  if (plant.districtHeating) kwh = kwh.div(DISTRICT_HEATING_DIVISOR);
  return { kwh, source };
}

export interface CombinedSplit {
  energy: HotWaterEnergy;
  /** Exact Q / total energy: the split uses it unrounded (564.58 €, not the handbook's 564.48 €). */
  hotWaterShare: Ratio;
  heatingCents: bigint;
  hotWaterCents: bigint;
}

/** §9: hot water gets plant cost × share rounded half up to cents, heating gets the rest. */
export function splitCombinedCost(plant: CombinedInput, unitsArea?: Ratio): CombinedSplit {
  const energy = hotWaterEnergy(plant, unitsArea);
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
