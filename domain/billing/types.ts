// Input and result of the billing engine (docs/rules.md §1 rules, §2 contract). Input amounts are euros,
// consumptions in their cost type's units, dates 'YYYY-MM-DD' with inclusive ends. Result amounts
// are euros with at most 2 decimals, derived from whole cents.

export const COST_TYPES = ['heating', 'hotWater', 'coldWater'] as const;
export type CostType = (typeof COST_TYPES)[number];

/** The cost types of the HKVO (§7, §8): only these are cut under §12; cold water (BetrKV) never is. */
export const HKVO_COST_TYPES = ['heating', 'hotWater'] as const;
export type HkvoCostType = (typeof HKVO_COST_TYPES)[number];

/** §12 HKVO: percent of the cost type's amount the tenant may cut, per reason. */
export const CUT_PERCENT = {
  'not-consumption-based': 15,
  'no-remote-reading': 3,
  'no-monthly-info': 3,
} as const;
export type CutReason = keyof typeof CUT_PERCENT;
export const CUT_REASONS = Object.keys(CUT_PERCENT) as CutReason[];

/**
 * A cut as the input lists it: a reason for heating and hot water alike, or the 15 % reason for one
 * cost type alone (only that cost type was billed against the rules).
 */
export const CUT_INPUTS = [
  'not-consumption-based',
  'not-consumption-based:heating',
  'not-consumption-based:hotWater',
  'no-remote-reading',
  'no-monthly-info',
] as const;
export type CutInput = (typeof CUT_INPUTS)[number];

/** What each listed cut means: its reason (and so its percentage) and the cost types it cuts. */
export const CUT_RULES: Readonly<Record<CutInput, { reason: CutReason; costTypes: readonly HkvoCostType[] }>> = {
  'not-consumption-based': { reason: 'not-consumption-based', costTypes: HKVO_COST_TYPES },
  'not-consumption-based:heating': { reason: 'not-consumption-based', costTypes: ['heating'] },
  'not-consumption-based:hotWater': { reason: 'not-consumption-based', costTypes: ['hotWater'] },
  'no-remote-reading': { reason: 'no-remote-reading', costTypes: HKVO_COST_TYPES },
  'no-monthly-info': { reason: 'no-monthly-info', costTypes: HKVO_COST_TYPES },
};

export type DistributionMethod = 'consumption' | 'area';

export interface BillingPeriod {
  start: string;
  end: string;
}

export interface CostTypeInput {
  /** Euros, at most 2 decimals; 0 for heating and hot water when `combined` supplies them. */
  cost: number;
  /** Part distributed by consumption: heating and hot water 0.5–0.7 (up to 1 when agreed), cold water 0–1. */
  consumptionShare: number;
  /** §10 HKVO: a contractual agreement allows a consumption share above 0.7, up to 1. */
  agreed?: boolean;
}

export type Consumptions = Record<CostType, number>;

export interface OccupancyInput {
  id: string;
  from: string;
  to: string;
  /**
   * The occupancy's own consumption, or null when there is no usable intermediate reading: that
   * cost type is then split between the unit's occupancies by the fixed keys alone (§9b(3)).
   * Either all occupancies of a unit have a value for a cost type or none has.
   */
  heating: number | null;
  hotWater: number | null;
  coldWater: number | null;
}

export interface UnitInput extends Consumptions {
  id: string;
  /** m², > 0 */
  area: number;
  /** Cost types whose consumption is a substitute value (§9a). */
  estimated: CostType[];
  cuts: CutInput[];
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
  /** Measured hot-water energy (heat meter); null → from hotWaterM3 (formula) or from the area. */
  hotWaterKwh: number | null;
  /** Hot-water volume, m³; null → Q = 32 kWh/m² × area (§9(2) S.4). */
  hotWaterM3: number | null;
  /** t_w of the formula, °C; null → 60. */
  hotWaterTempC: number | null;
  /** The formula's or the area's energy is divided by 1.15 for district heating (§9(2) S.6). */
  districtHeating: boolean;
  /** Fuel billed on its gross calorific value (gas): the formula's or the area's energy × 1.11. */
  grossCalorific?: boolean;
  /** Heated living area for Q without a volume, m²; null or absent → the units' total area. */
  area?: number | null;
}

export interface Co2Input {
  kg: number;
  cost: number;
  /** Heated area of the building, m²; null → the sum of the units' areas. */
  area: number | null;
}

/**
 * Normalised input as returned by parseBillingInput: every optional field has its default. A cost
 * type without a section (a building without central hot water, or without cold-water billing)
 * costs nothing and its units' consumptions are 0.
 */
export interface BillingInput {
  period: BillingPeriod;
  heating?: CostTypeInput;
  hotWater?: CostTypeInput;
  coldWater?: CostTypeInput;
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
  /** Cost types split by the fixed keys alone, for want of an intermediate reading (§9b(3)). */
  fixedKeysOnly?: CostType[];
}

/** One cost type's §12 cut: each reason's percentage of the amount, each rounded half up to cents. */
export interface CostTypeCut {
  reasons: CutReason[];
  /** Sum of the reasons' percentages. */
  percent: number;
  /** The unit's amount of this cost type, euros. */
  base: number;
  /** Euros: the sum of the reasons' cuts. */
  cut: number;
}

export interface CutDerivation {
  /** The cuts as listed for the unit. */
  reasons: CutInput[];
  /** The percentage when heating and hot water are cut alike (3 % + 3 % = 6 %); null when they differ. */
  percent: number | null;
  /** The unit's heating + hot-water amount, euros. */
  base: number;
  heating: CostTypeCut;
  hotWater: CostTypeCut;
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
  /** Heat meter, the §9(2) volume formula, or 32 kWh/m² of the area. */
  hotWaterKwhSource: 'measured' | 'formula' | 'area';
}

export interface Co2Result {
  /**
   * kg CO₂ per m² of the billing period, 2 decimals: rounded half up unless that would cross into
   * another band, then towards the exact value's band (11.999 prints as 11.99, never 12).
   */
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
