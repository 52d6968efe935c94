// Input and result of the billing engine (HKVO.md §1 rules, §2 contract). Input amounts are euros,
// consumptions in their cost type's units, dates 'YYYY-MM-DD' with inclusive ends. Result amounts
// are euros with at most 2 decimals, derived from whole cents.

export const COST_TYPES = ['heating', 'hotWater', 'coldWater'] as const;
export type CostType = (typeof COST_TYPES)[number];

/** §12 HKVO: percent of the unit's heating + hot-water amount the tenant may cut. */
export const CUT_PERCENT = {
  'not-consumption-based': 15,
  'no-remote-reading': 3,
  'no-monthly-info': 3,
} as const;
export type CutReason = keyof typeof CUT_PERCENT;
export const CUT_REASONS = Object.keys(CUT_PERCENT) as CutReason[];

export type DistributionMethod = 'consumption' | 'area';

export interface BillingPeriod {
  start: string;
  end: string;
}

export interface CostTypeInput {
  /** Euros, at most 2 decimals; 0 for heating and hot water when `combined` supplies them. */
  cost: number;
  /** Part distributed by consumption: heating and hot water 0.5–0.7, cold water 0–1. */
  consumptionShare: number;
}

export type Consumptions = Record<CostType, number>;

export interface OccupancyInput extends Consumptions {
  id: string;
  from: string;
  to: string;
}

export interface UnitInput extends Consumptions {
  id: string;
  /** m², > 0 */
  area: number;
  /** Cost types whose consumption is a substitute value (§9a). */
  estimated: CostType[];
  cuts: CutReason[];
  /**
   * Tenancies in chronological order covering the whole billing period without gaps (a vacancy is
   * an occupancy too); empty when the unit had one tenant throughout.
   */
  occupancies: OccupancyInput[];
}

/** §9: one plant heats rooms and water; its cost is split before distribution. */
export interface CombinedInput {
  cost: number;
  /** Total energy of the plant, kWh, > 0. */
  energyKwh: number;
  /** Measured hot-water energy (heat meter); null → formula from hotWaterM3 and hotWaterTempC. */
  hotWaterKwh: number | null;
  hotWaterM3: number | null;
  hotWaterTempC: number | null;
  /** The formula's energy is divided by 1.15 for district heating. */
  districtHeating: boolean;
}

export interface Co2Input {
  kg: number;
  cost: number;
  /** Heated area of the building, m²; null → the sum of the units' areas. */
  area: number | null;
}

/** Normalised input as returned by parseBillingInput: every optional field has its default. */
export interface BillingInput {
  period: BillingPeriod;
  heating: CostTypeInput;
  hotWater: CostTypeInput;
  coldWater: CostTypeInput;
  units: UnitInput[];
  combined?: CombinedInput;
  co2?: Co2Input;
}

export interface OccupancyResult {
  id: string;
  heating: number;
  hotWater: number;
  coldWater: number;
  /** This occupancy's part of the unit's §12 cut. */
  cut: number;
  total: number;
}

/** How one unit's amount for one cost type came about, for the statement. */
export interface CostTypeDerivation {
  method: DistributionMethod;
  /** Cost of this cost type for the whole building, euros. */
  cost: number;
  /** Share actually distributed by consumption: 0 when the method is "area". */
  consumptionShare: number;
  /** Euros per consumption unit (6 decimals, display only: amounts are computed exactly). */
  pricePerConsumptionUnit: number;
  /** Euros per m² (6 decimals, display only). */
  pricePerM2: number;
  consumption: number;
  totalConsumption: number;
  area: number;
  totalArea: number;
  estimated: boolean;
}

export interface OccupancyDerivation {
  id: string;
  from: string;
  to: string;
  days: number;
  /** days / days of the billing period (6 decimals): key for the fixed hot- and cold-water part. */
  dayShare: number;
  /** Degree-day share of the period (6 decimals, §9b): key for the fixed heating part. */
  degreeDayShare: number;
}

export interface CutDerivation {
  reasons: CutReason[];
  /** Sum of the reasons' percentages (3 % + 3 % = 6 %). */
  percent: number;
  /** The unit's heating + hot-water amount the percentage applies to, euros. */
  base: number;
}

export interface UnitDerivation {
  heating: CostTypeDerivation;
  hotWater: CostTypeDerivation;
  coldWater: CostTypeDerivation;
  cut: CutDerivation;
  occupancies?: OccupancyDerivation[];
}

export interface UnitResult {
  id: string;
  heating: number;
  hotWater: number;
  coldWater: number;
  cut: number;
  total: number;
  occupancies?: OccupancyResult[];
  derivation: UnitDerivation;
}

export interface CombinedResult {
  /** Q in kWh, 2 decimals. */
  hotWaterKwh: number;
  /** Q / energyKwh, 6 decimals (the split itself uses the exact share). */
  hotWaterShare: number;
  heatingCost: number;
  hotWaterCost: number;
  hotWaterKwhSource: 'measured' | 'formula';
}

export interface Co2Result {
  /** 2 decimals; the stage is looked up with the exact value. */
  kgPerM2: number;
  landlordShare: number;
  landlordCost: number;
  tenantCost: number;
}

export interface BillingResult {
  methods: Record<CostType, DistributionMethod>;
  units: UnitResult[];
  warnings: string[];
  combined?: CombinedResult;
  co2?: Co2Result;
}
