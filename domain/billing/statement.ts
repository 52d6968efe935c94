// A heating statement assembled from the facts: the entered costs, the stored readings and the
// tenancies become the billing engine's input, and its result the statement the pages, documents
// and the archive show, with every cut the portal can tell is due applied and explained
// (statement-cuts.ts). Pure: loading the facts and storing the result is db/statements.ts.
//
// Built for 10,000 units in well under a tenth of a second besides the engine: each boundary day
// is prepared once, consumption is summed in whole thousandths, and the §9a averages are summed
// once for all units.
import { ValidationError } from '../validation';
import { formatDate } from '../format';
import type { DeviceType } from '../deadlines';
import { computeAssembledBilling, splitByWeights } from './engine';
import { overlappingCut } from './cuts';
import {
  COST_TYPES,
  CUT_INPUTS,
  CUT_RULES,
  HKVO_COST_TYPES,
  type BillingInput,
  type BillingPeriod,
  type BillingResult,
  type CostType,
  type CutInput,
  type HkvoCostType,
  type OccupancyDerivation,
  type OccupancyInput,
  type UnitDerivation,
  type UnitInput,
} from './types';
import { degreeDayUnits } from './degree-days';
import {
  Boundaries,
  consumptionMilli,
  daysOf,
  deviceConsumption,
  fromMilli,
  occupancySegments,
  previousPeriod,
  toMilli,
  type Boundary,
  type DeviceConsumption,
  type Milli,
  type OccupancySegment,
  type ReadingPoint,
  type TenancyFacts,
} from './statement-readings';
import {
  CUT_TITLES,
  STATEMENT_CUT_PERCENT,
  co2Cut,
  costTypesOf,
  cutCents,
  monthlyInformationCut,
  notByConsumptionExplanation,
  remoteReadingCut,
  type AppliedCut,
  type ManualCut,
  type StatementCutReason,
} from './statement-cuts';
import type { StatementStatus } from '../statement-lifecycle';

export {
  boundaryDays,
  boundaryValue,
  occupancySegments,
  previousPeriod,
  SET_DATE_LOOKAHEAD_DAYS,
  type BoundaryValue,
  type DeviceConsumption,
  type ReadingPoint,
  type ReadingProblem,
  type TenancyFacts,
} from './statement-readings';
export { CUT_LAWS, CUT_TITLES, type AppliedCut, type ManualCut, type StatementCutReason } from './statement-cuts';

export const COST_KINDS = ['fuel', 'operating'] as const;
export type CostKind = (typeof COST_KINDS)[number];

export type PerCostType<T> = Record<CostType, T>;

export function perCostType<T>(make: (type: CostType) => T): PerCostType<T> {
  return { heating: make('heating'), hotWater: make('hotWater'), coldWater: make('coldWater') };
}

/** A fuel delivery or invoice (category: the energy carrier) or a §7(2) operating cost item. */
export interface CostLine {
  kind: CostKind;
  category: string;
  description: string | null;
  invoiceDate: string | null;
  /** Euros, gross, at most 2 decimals. */
  amount: number;
  /** Taxes, levies and duties contained in the amount (§6a(3)): energy tax, CO2 price, VAT. */
  taxesAndLevies: number | null;
  kwh: number | null;
  litres: number | null;
}

export const FUEL_CATEGORIES = ['Erdgas', 'Heizöl', 'Fernwärme', 'Holzpellets', 'Flüssiggas', 'Strom (Wärmepumpe)'] as const;

/** §7(2) HKVO: operating costs of the central heating besides the fuel. */
export const OPERATING_COST_CATEGORIES = [
  'Betriebsstrom',
  'Wartung',
  'Reinigung der Anlage',
  'Immissionsmessung',
  'Messgerätemiete',
  'Abrechnungskosten',
  'Sonstige Betriebskosten',
] as const;

/** Items that are fees for metering and billing, which §6a(3) asks to show separately. */
export const METERING_FEE_CATEGORIES: readonly string[] = ['Messgerätemiete', 'Abrechnungskosten'];

/**
 * §9(2) HKVO: where the hot-water energy Q of the plant comes from. `volume`: 2.5 × V × (t − 10)
 * with V entered or the units' hot-water meters; `area`: 32 kWh/m² of the heated area, no volume
 * known; `measured`: a heat meter on the hot-water heater; `none`: no central hot water, the plant
 * heats only (a heating-only building).
 */
export const HOT_WATER_METHODS = ['volume', 'area', 'measured', 'none'] as const;
export type HotWaterMethod = (typeof HOT_WATER_METHODS)[number];

export interface StatementParameters {
  /** §7(1): share of the heating cost distributed by consumption, 0.5–0.7 (up to 1 when agreed). */
  heatingConsumptionShare: number;
  /** §8(1): the same for hot water. */
  hotWaterConsumptionShare: number;
  /** §10 HKVO: a contractual agreement allows a consumption share above 0.7. */
  heatingAgreed: boolean;
  hotWaterAgreed: boolean;
  /** Cold water (BetrKV, not HKVO): euros and share by consumption 0–1; 0 euros: not billed here. */
  coldWaterCost: number;
  coldWaterConsumptionShare: number;
  hotWaterMethod: HotWaterMethod;
  /** §9(2): hot-water temperature for Q = 2.5 × V × (t_w − 10); method `volume`. */
  hotWaterTempC: number | null;
  /** §9(2): Q measured by a heat meter on the hot-water supply, kWh; method `measured`. */
  hotWaterKwhMeasured: number | null;
  /** V in m³; null: the sum of the units' hot-water meters (method `volume`). */
  hotWaterM3Entered: number | null;
  /** §9(2) S.6: a computed Q ÷ 1.15. */
  districtHeating: boolean;
  /** §9(2) S.6: the fuel is billed on its gross calorific value (gas): a computed Q × 1.11. */
  grossCalorific: boolean;
  /** CO2KostAufG: emissions and CO2 cost of the fuel; both or neither. */
  co2Kg: number | null;
  co2Cost: number | null;
  /** Heated living area of the building, for kg CO2/m² and Q from the area; null: the units' areas. */
  heatedAreaM2: number | null;
  /** §12 cuts the manager adds, each with its reason. */
  manualCuts: ManualCut[];
}

export interface StatementRequest {
  propertyId: number;
  period: BillingPeriod;
  costs: CostLine[];
  parameters: StatementParameters;
  /** Why a new version replaces the previous one; shown on the corrected statement. */
  correctionReason?: string | null;
}

/** §9a HKVO: how a substitute value was found. */
export interface SubstituteValue {
  method: 'previous-period' | 'average-per-m2' | 'no-basis';
  /** The unit's consumption in the previous period (method previous-period). */
  previous?: number;
  /** Average consumption per m² of the units with readings (method average-per-m2). */
  perM2?: number;
  /** Serials of the devices without a usable reading. */
  devices: string[];
}

export interface StatementAmounts {
  heating: number;
  hotWater: number;
  coldWater: number;
  /** Every cut: the engine's §12 cuts of the unit and the tenant's own (§6a, CO2KostAufG). */
  cut: number;
  /** heating + hotWater + coldWater − cut. */
  total: number;
  /** The landlord's CO2 share (CO2KostAufG) credited to this unit or occupancy. */
  co2Credit: number;
  /** total − co2Credit: what the statement charges. */
  amountDue: number;
}

export interface StatementOccupancyData {
  key: string;
  tenancyId: number | null;
  /** Null for a vacancy. */
  tenantName: string | null;
  from: string;
  to: string;
  /** The occupancy's consumption; for a type in `fixedKeysOnly` the unit's split by the same keys as its cost. */
  consumption: PerCostType<number>;
  /** §9b(3): cost types without a usable intermediate reading, split by the fixed keys alone. */
  fixedKeysOnly: CostType[];
  amounts: StatementAmounts;
  /** The cuts in this occupancy's amounts, explained. */
  cutDetails: AppliedCut[];
  /** Keys of the §9b split; null when the occupancy is the whole unit. */
  derivation: OccupancyDerivation | null;
}

export interface StatementUnitData {
  unitId: number;
  label: string;
  floor: string | null;
  areaM2: number;
  consumption: PerCostType<number>;
  estimated: CostType[];
  substitutes: Partial<PerCostType<SubstituteValue>>;
  /** The §12 cuts of the whole unit as the engine got them. */
  cuts: CutInput[];
  /** Every cut in the unit's amounts, explained: the unit's and its tenants' own. */
  cutDetails: AppliedCut[];
  /** Measured consumption of the previous period, null when not available. */
  previous: PerCostType<number | null>;
  readings: DeviceConsumption[];
  amounts: StatementAmounts;
  derivation: UnitDerivation;
  /** At least one: the addressees of the unit's statement. */
  occupancies: StatementOccupancyData[];
}

export interface PlantSummary {
  /** Sum of all cost lines: the plant's cost (§7(2), §9). */
  cost: number;
  fuelCost: number;
  operatingCost: number;
  taxesAndLevies: number;
  meteringFees: number;
  energyKwh: number;
  hotWaterM3: number;
  hotWaterM3Source: 'meters' | 'entered';
}

/** Building-level figures stored with a statement. */
export interface StatementSummary {
  methods: BillingResult['methods'];
  warnings: string[];
  combined?: BillingResult['combined'];
  co2?: BillingResult['co2'];
  plant: PlantSummary;
  /** What the heating consumption counts: heat cost allocator units or kWh of heat meters. */
  heatingUnit: HeatingUnit;
  /** The cost types this statement bills (older statements: all three). */
  costTypes?: CostType[];
}

export type HeatingUnit = 'HKV-Einheiten' | 'kWh';

export interface StoredStatementInfo {
  id: number;
  version: number;
  documentNumber: string;
  status: StatementStatus;
  createdAt: string;
  supersedesId: number | null;
  correctionReason: string | null;
  engineInputSha256: string;
}

export interface StatementData {
  stored: StoredStatementInfo | null;
  organisationName: string;
  property: PropertyFacts;
  period: BillingPeriod;
  parameters: StatementParameters;
  costs: CostLine[];
  summary: StatementSummary;
  units: StatementUnitData[];
}

export interface PropertyFacts {
  id: number;
  organisationId: number;
  name: string;
  street: string;
  postalCode: string;
  city: string;
  federalState: string;
}

export interface DeviceFacts {
  id: number;
  serial: string;
  type: DeviceType;
  location: string | null;
  installedAt: string;
  remoteReadable: boolean;
  /** Readings near the boundaries the statement needs, in time order. */
  readings: ReadingPoint[];
}

export interface UnitFacts {
  id: number;
  label: string;
  floor: string | null;
  areaM2: number;
  devices: DeviceFacts[];
  tenancies: TenancyFacts[];
}

export interface BillingFacts {
  organisationName: string;
  property: PropertyFacts;
  period: BillingPeriod;
  units: UnitFacts[];
  /**
   * The day the facts were read: monthly information not yet due by then does not count as
   * missing. Absent: every month of the period counts.
   */
  asOf?: string;
  /**
   * §6a: the first month ('YYYY-MM') the portal gave this property's tenants their monthly
   * information; a tenant's month from then on without it counts as missing. Absent: unknown, no cut.
   */
  monthlyInformationSince?: string;
}

export const CONSUMPTION_DEVICE_TYPES: readonly DeviceType[] = ['HKV', 'WMZ', 'WZ-W', 'WZ-K'];

/** The cost types a statement bills: heating always, hot water unless there is none, cold water when it costs something. */
export function billedCostTypes(parameters: Pick<StatementParameters, 'hotWaterMethod' | 'coldWaterCost'>): CostType[] {
  return COST_TYPES.filter(
    (type) => type === 'heating' || (type === 'hotWater' ? parameters.hotWaterMethod !== 'none' : parameters.coldWaterCost > 0),
  );
}

const toCentsInt = (euros: number): number => Math.round(euros * 100);
const fromCentsInt = (cents: number): number => cents / 100;

function plantSummary(costs: readonly CostLine[], hotWaterM3: { value: number; source: PlantSummary['hotWaterM3Source'] }): PlantSummary {
  const cents = (lines: readonly CostLine[], pick: (line: CostLine) => number | null) =>
    lines.reduce((sum, line) => sum + toCentsInt(pick(line) ?? 0), 0);
  const fuel = costs.filter((c) => c.kind === 'fuel');
  const operating = costs.filter((c) => c.kind === 'operating');
  return {
    cost: fromCentsInt(cents(costs, (c) => c.amount)),
    fuelCost: fromCentsInt(cents(fuel, (c) => c.amount)),
    operatingCost: fromCentsInt(cents(operating, (c) => c.amount)),
    taxesAndLevies: fromCentsInt(cents(costs, (c) => c.taxesAndLevies)),
    meteringFees: fromCentsInt(
      cents(
        operating.filter((c) => METERING_FEE_CATEGORIES.includes(c.category)),
        (c) => c.amount,
      ),
    ),
    energyKwh: fromMilli(fuel.reduce((sum, line) => sum + toMilli(line.kwh ?? 0), 0)),
    hotWaterM3: hotWaterM3.value,
    hotWaterM3Source: hotWaterM3.source,
  };
}

export const zeroAmounts = (): StatementAmounts => ({
  heating: 0,
  hotWater: 0,
  coldWater: 0,
  cut: 0,
  total: 0,
  co2Credit: 0,
  amountDue: 0,
});

/** Checks what the engine cannot know is wrong: plant energy, CO2 pairs, the §9 method's inputs, the manual cuts. */
function checkRequest(request: StatementRequest, unitIds: ReadonlySet<number>): void {
  const { parameters, costs } = request;
  if (costs.length === 0) throw new ValidationError('costs', 'Bitte mindestens eine Brennstofflieferung oder -rechnung erfassen.');
  costs.forEach((line, index) => {
    if (line.kind === 'fuel' && !(line.kwh !== null && line.kwh > 0)) {
      throw new ValidationError(
        `costs[${index}].kwh`,
        'Bitte die Energiemenge der Brennstoffzeile in kWh angeben (für die Aufteilung nach §9 HKVO).',
      );
    }
  });
  if (parameters.hotWaterMethod === 'measured' && parameters.hotWaterKwhMeasured === null)
    throw new ValidationError('hotWaterKwhMeasured', 'Bitte die gemessene Wärmemenge für Warmwasser angeben (§9 Abs. 2 HKVO).');
  if (parameters.hotWaterMethod === 'volume' && parameters.hotWaterTempC === null)
    throw new ValidationError('hotWaterTempC', 'Bitte die Warmwassertemperatur angeben (§9 Abs. 2 HKVO).');
  if ((parameters.co2Kg === null) !== (parameters.co2Cost === null)) {
    throw new ValidationError(parameters.co2Kg === null ? 'co2Kg' : 'co2Cost', 'CO₂-Emissionen und CO₂-Kosten bitte zusammen angeben.');
  }
  parameters.manualCuts.forEach((cut, index) => {
    if (!CUT_INPUTS.includes(cut.cut)) throw new ValidationError(`manualCuts[${index}].cut`, 'Bitte einen Kürzungsgrund wählen.');
    if (cut.unitId !== null && !unitIds.has(cut.unitId))
      throw new ValidationError(`manualCuts[${index}].unitId`, 'Die Wohneinheit gehört nicht zu dieser Liegenschaft.');
    if (cut.reason.trim() === '')
      throw new ValidationError(`manualCuts[${index}].reason`, 'Bitte die Begründung der Kürzung angeben; sie steht in der Abrechnung.');
  });
}

interface UnitWork {
  unit: UnitFacts;
  segments: OccupancySegment[];
  readings: DeviceConsumption[];
  /** Per billed cost type: the devices' sum, null when any device lacks a usable value. */
  measured: PerCostType<Milli | null>;
  previous: PerCostType<Milli | null>;
  /** Which device type measures each billed cost type (a type not billed: none). */
  typeOf: PerCostType<DeviceType | null>;
  /** §6a is owed: a device measuring heating or hot water reads remotely. */
  remoteInformation: boolean;
  /** A device measuring heating or hot water does not read remotely (§12(1) S.2 may apply). */
  notRemote: boolean;
  consumption: PerCostType<Milli>;
  substitutes: Partial<PerCostType<SubstituteValue>>;
  estimated: CostType[];
  /** Per cost type the occupancies' own consumption, or null: split by the fixed keys (§9b(3)). */
  split: PerCostType<Milli[] | null>;
  /** The unit's automatic and manual §12 cuts, each with why. */
  cuts: Array<{ input: CutInput; source: 'automatic' | 'manual'; explanation: string }>;
}

/** The unit's devices that measure a billed cost type, in their order. */
function devicesOf(work: UnitWork, type: CostType): DeviceFacts[] {
  const deviceType = work.typeOf[type];
  return deviceType === null ? [] : work.unit.devices.filter((device) => device.type === deviceType);
}
const NO_BOUNDARIES: Boundary[] = [];

/** Which devices measure which cost type. Heating: the HKVs, or heat meters where a property has none. */
function heatingDeviceType(units: readonly UnitFacts[]): DeviceType {
  for (const unit of units) for (const device of unit.devices) if (device.type === 'HKV') return 'HKV';
  return 'WMZ';
}

/**
 * Builds the engine input from the facts and the entered costs, runs the HKVO engine and returns
 * the whole statement. Pure: the same facts and request give the same statement. `engine` is for
 * the benchmark, which also times the assembly with the rational reference engine.
 */
export function assembleStatement(
  facts: BillingFacts,
  request: StatementRequest,
  engine: (input: BillingInput) => BillingResult = computeAssembledBilling,
): { statement: StatementData; input: BillingInput } {
  if (facts.units.length === 0) throw new ValidationError('propertyId', 'Die Liegenschaft hat keine Wohneinheiten.');
  checkRequest(request, new Set(facts.units.map((u) => u.id)));
  const { period, parameters } = request;
  const billed = billedCostTypes(parameters);
  const heatingType = heatingDeviceType(facts.units);
  const typeOf: PerCostType<DeviceType> = { heating: heatingType, hotWater: 'WZ-W', coldWater: 'WZ-K' };
  const billedTypeOf: PerCostType<DeviceType | null> = {
    heating: typeOf.heating,
    hotWater: billed.includes('hotWater') ? typeOf.hotWater : null,
    coldWater: billed.includes('coldWater') ? typeOf.coldWater : null,
  };
  const boundaries = new Boundaries();
  const previous = previousPeriod(period);
  const start = boundaries.of(period.start);
  const end = boundaries.of(boundaries.after(period.end));
  const previousStart = boundaries.of(previous.start);
  const previousEnd = boundaries.of(boundaries.after(previous.end));

  // Readings, measured and previous consumption per unit.
  const works: UnitWork[] = facts.units.map((unit) => {
    const segments = occupancySegments(unit.tenancies, period);
    const changes = segments.length < 2 ? NO_BOUNDARIES : segments.slice(1).map((segment) => boundaries.of(segment.from));
    const readings: DeviceConsumption[] = [];
    const measured: PerCostType<Milli | null> = { heating: 0, hotWater: 0, coldWater: 0 };
    const previousMilli: PerCostType<Milli | null> = { heating: null, hotWater: null, coldWater: null };
    let remoteInformation = false;
    let notRemote = false;
    for (const type of billed) {
      const deviceType = typeOf[type];
      let sum: Milli | null = 0;
      let previousSum: Milli | null = 0;
      let devices = 0;
      for (let d = 0; d < unit.devices.length; d++) {
        const device = unit.devices[d]!;
        if (device.type !== deviceType) continue;
        devices++;
        if (type !== 'coldWater') {
          if (device.remoteReadable) remoteInformation = true;
          else notRemote = true;
        }
        const reading = deviceConsumption(device, start, end, changes);
        readings.push(reading);
        sum = sum === null || reading.consumption === null ? null : sum + toMilli(reading.consumption);
        if (previousSum !== null) {
          const before = consumptionMilli(device.readings, previousStart, previousEnd, true, true);
          previousSum = before === null ? null : previousSum + before;
        }
      }
      if (devices === 0) previousSum = null;
      measured[type] = sum;
      previousMilli[type] = previousSum;
    }
    return {
      unit,
      segments,
      readings,
      measured,
      previous: previousMilli,
      typeOf: billedTypeOf,
      remoteInformation,
      notRemote,
      consumption: { heating: 0, hotWater: 0, coldWater: 0 },
      substitutes: {},
      estimated: [],
      split: { heating: null, hotWater: null, coldWater: null },
      cuts: [],
    };
  });

  // §9a(1): substitute values, from the unit's previous period or the measured units' average per m².
  for (const type of billed) {
    let measuredMilli = 0;
    let measuredArea = 0;
    let measuredUnits = 0;
    for (let w = 0; w < works.length; w++) {
      const work = works[w]!;
      const value = work.measured[type];
      if (value === null) continue;
      measuredMilli += value;
      measuredArea += work.unit.areaM2;
      measuredUnits += 1;
    }
    for (let w = 0; w < works.length; w++) {
      const work = works[w]!;
      const value = work.measured[type];
      if (value !== null) {
        work.consumption[type] = value;
        continue;
      }
      const devices = work.readings.filter((r) => r.type === typeOf[type] && r.problem !== null).map((r) => r.serial);
      const before = work.previous[type];
      if (before !== null) {
        work.consumption[type] = before;
        work.substitutes[type] = { method: 'previous-period', previous: fromMilli(before), devices };
      } else if (measuredUnits === 0 || measuredArea === 0) {
        work.consumption[type] = 0;
        work.substitutes[type] = { method: 'no-basis', devices };
      } else {
        const perM2 = measuredMilli / measuredArea;
        work.consumption[type] = Math.round(perM2 * work.unit.areaM2);
        work.substitutes[type] = { method: 'average-per-m2', perM2: Math.round(perM2) / 1000, devices };
      }
      work.estimated.push(type);
    }
  }
  for (let w = 0; w < works.length; w++) {
    const work = works[w]!;
    if (work.estimated.length > 1) work.estimated.sort((a, b) => COST_TYPES.indexOf(a) - COST_TYPES.indexOf(b));
    if (work.segments.length > 1) for (const type of billed) work.split[type] = occupancyReadings(work, type, boundaries, period);
  }

  // §12(1) S.2: devices not remotely readable against §5(2)/(3); the manager's cuts.
  const hkvoTypes = HKVO_COST_TYPES.filter((type) => billed.includes(type));
  for (let w = 0; w < works.length; w++) {
    const work = works[w]!;
    if (!hasTenant(work)) continue;
    // Nothing to cut where every device reads remotely, the usual case: no list of devices then.
    if (!work.notRemote) continue;
    const remote = remoteReadingCut(
      hkvoTypes.flatMap((type) => devicesOf(work, type)),
      period,
    );
    if (remote) work.cuts.push({ input: 'no-remote-reading', source: 'automatic', explanation: remote });
  }
  const byId = parameters.manualCuts.length === 0 ? null : new Map(works.map((work) => [work.unit.id, work]));
  parameters.manualCuts.forEach((manual, index) => {
    const targets = manual.unitId === null ? works : [byId!.get(manual.unitId)!];
    for (const work of targets) {
      work.cuts.push({ input: manual.cut, source: 'manual', explanation: manual.reason.trim() });
      const overlap = overlappingCut(work.cuts.map((c) => c.input));
      if (overlap) {
        throw new ValidationError(
          `manualCuts[${index}].cut`,
          `${work.unit.label}: diese Kürzung wird bereits angewandt (${work.cuts[overlap.earlier]!.source === 'automatic' ? 'automatisch' : 'von Ihnen'}: ${CUT_TITLES[reasonOf(work.cuts[overlap.earlier]!.input)]}).`,
        );
      }
    }
  });

  const hotWaterM3 =
    parameters.hotWaterM3Entered !== null
      ? { value: parameters.hotWaterM3Entered, source: 'entered' as const }
      : { value: fromMilli(works.reduce((sum, w) => sum + w.consumption.hotWater, 0)), source: 'meters' as const };
  const plant = plantSummary(request.costs, hotWaterM3);
  let input = engineInput(works, request, plant, billed);
  let result = engine(input);

  // §12(1) S.1: a cost type that ended up billed by area is cut by 15 % for every tenant.
  const byArea = hkvoTypes.filter((type) => result.methods[type] === 'area' && centsOf(result, type) > 0);
  if (byArea.length > 0) {
    const totalArea = works.reduce((sum, w) => sum + w.unit.areaM2, 0);
    for (const type of byArea) {
      const estimatedArea = works.filter((w) => w.estimated.includes(type)).reduce((sum, w) => sum + w.unit.areaM2, 0);
      const explanation = notByConsumptionExplanation(
        type,
        estimatedArea * 4 > totalArea ? Math.round((estimatedArea * 1000) / totalArea) / 10 : null,
      );
      for (let w = 0; w < works.length; w++) {
        const work = works[w]!;
        if (!hasTenant(work)) continue;
        if (work.cuts.some((c) => c.input === 'not-consumption-based' || c.input === `not-consumption-based:${type}`)) continue;
        work.cuts.push({ input: `not-consumption-based:${type}`, source: 'automatic', explanation });
      }
    }
    input = engineInput(works, request, plant, billed);
    result = engine(input);
  }

  const context: TenantCutContext = {
    period: facts.period,
    asOf: facts.asOf,
    since: facts.monthlyInformationSince,
    co2Explanation: co2Cut(
      period,
      request.costs.filter((c) => c.kind === 'fuel').map((c) => c.category),
      parameters.co2Kg !== null,
    ),
    hkvoTypes,
  };
  const units = works.map((work, index) => statementUnit(work, result.units[index]!, context));
  creditCo2(units, result.co2?.landlordCost ?? 0);

  return {
    input,
    statement: {
      stored: null,
      organisationName: facts.organisationName,
      property: facts.property,
      period,
      parameters,
      costs: request.costs,
      summary: {
        methods: result.methods,
        warnings: result.warnings,
        ...(result.combined && { combined: result.combined }),
        ...(result.co2 && { co2: result.co2 }),
        plant,
        heatingUnit: heatingType === 'HKV' ? 'HKV-Einheiten' : 'kWh',
        costTypes: billed,
      },
      units,
    },
  };
}

const reasonOf = (input: CutInput) => CUT_RULES[input].reason;

function hasTenant(work: UnitWork): boolean {
  return work.segments.some((s) => s.tenancyId !== null);
}

function centsOf(result: BillingResult, type: CostType): number {
  let cents = 0;
  for (let u = 0; u < result.units.length; u++) {
    const unit = result.units[u]!;
    cents += toCentsInt(unit[type]);
  }
  return cents;
}

/**
 * §9b: each occupancy's consumption from the intermediate readings; null when one is missing, they
 * do not add up to the unit's, or the unit's value is a substitute: then there is no usable
 * intermediate reading and the engine splits the whole amount by the fixed keys (§9b(3)).
 */
function occupancyReadings(work: UnitWork, type: CostType, boundaries: Boundaries, period: BillingPeriod): Milli[] | null {
  if (work.estimated.includes(type)) return null;
  const devices = devicesOf(work, type);
  const milli: Milli[] = [];
  let sum = 0;
  for (const segment of work.segments) {
    const from = boundaries.of(segment.from);
    const until = boundaries.of(boundaries.after(segment.to));
    let segmentSum = 0;
    for (const device of devices) {
      const value = consumptionMilli(device.readings, from, until, segment.from === period.start, segment.to === period.end);
      if (value === null) return null;
      segmentSum += value;
    }
    milli.push(segmentSum);
    sum += segmentSum;
  }
  return sum === work.consumption[type] ? milli : null;
}

function engineInput(
  works: readonly UnitWork[],
  request: StatementRequest,
  plant: PlantSummary,
  billed: readonly CostType[],
): BillingInput {
  const { parameters, period } = request;
  const hotWater = billed.includes('hotWater');
  const units: UnitInput[] = works.map((work) => ({
    id: String(work.unit.id),
    area: work.unit.areaM2,
    heating: fromMilli(work.consumption.heating),
    hotWater: fromMilli(work.consumption.hotWater),
    coldWater: fromMilli(work.consumption.coldWater),
    estimated: work.estimated,
    cuts: work.cuts.map((c) => c.input),
    occupancies:
      work.segments.length < 2
        ? []
        : work.segments.map((segment, index): OccupancyInput => ({
            id: segment.key,
            from: segment.from,
            to: segment.to,
            heating: occupancyValue(work, 'heating', index, billed),
            hotWater: occupancyValue(work, 'hotWater', index, billed),
            coldWater: occupancyValue(work, 'coldWater', index, billed),
          })),
  }));
  const agreed = (flag: boolean) => (flag ? { agreed: true } : {});
  return {
    period,
    heating: { cost: hotWater ? 0 : plant.cost, consumptionShare: parameters.heatingConsumptionShare, ...agreed(parameters.heatingAgreed) },
    ...(hotWater && {
      hotWater: { cost: 0, consumptionShare: parameters.hotWaterConsumptionShare, ...agreed(parameters.hotWaterAgreed) },
    }),
    ...(billed.includes('coldWater') && {
      coldWater: { cost: parameters.coldWaterCost, consumptionShare: parameters.coldWaterConsumptionShare },
    }),
    units,
    ...(hotWater && {
      combined: {
        cost: plant.cost,
        energyKwh: plant.energyKwh,
        hotWaterKwh: parameters.hotWaterMethod === 'measured' ? parameters.hotWaterKwhMeasured : null,
        hotWaterM3: parameters.hotWaterMethod === 'volume' ? plant.hotWaterM3 : null,
        hotWaterTempC: parameters.hotWaterMethod === 'volume' ? parameters.hotWaterTempC : null,
        districtHeating: parameters.districtHeating,
        grossCalorific: parameters.grossCalorific,
        area: parameters.heatedAreaM2,
      },
    }),
    ...(parameters.co2Kg !== null &&
      parameters.co2Cost !== null && {
        co2: { kg: parameters.co2Kg, cost: parameters.co2Cost, area: parameters.heatedAreaM2 },
      }),
  };
}

function occupancyValue(work: UnitWork, type: CostType, index: number, billed: readonly CostType[]): number | null {
  if (!billed.includes(type)) return 0;
  const split = work.split[type];
  return split === null ? null : fromMilli(split[index]!);
}

/** Whole cents of the HKVO cost types of a result row. */
const hkvoCents = (row: { heating: number; hotWater: number }) => ({
  heating: toCentsInt(row.heating),
  hotWater: toCentsInt(row.hotWater),
});

function amountsOf(row: { heating: number; hotWater: number; coldWater: number }, cutCentsTotal: number): StatementAmounts {
  const total = toCentsInt(row.heating) + toCentsInt(row.hotWater) + toCentsInt(row.coldWater) - cutCentsTotal;
  return {
    heating: row.heating,
    hotWater: row.hotWater,
    coldWater: row.coldWater,
    cut: fromCentsInt(cutCentsTotal),
    total: fromCentsInt(total),
    co2Credit: 0,
    amountDue: fromCentsInt(total),
  };
}

/** A cut of the engine's, with its amount for an addressee. */
function engineCut(cut: UnitWork['cuts'][number], amountCents: number): AppliedCut {
  const reason = reasonOf(cut.input);
  return {
    reason,
    input: cut.input,
    costTypes: costTypesOf(cut.input),
    percent: STATEMENT_CUT_PERCENT[reason],
    source: cut.source,
    explanation: cut.explanation,
    amount: fromCentsInt(amountCents),
  };
}

/** What the tenants' own cuts depend on besides the occupancy: the same for every unit of a statement. */
interface TenantCutContext {
  period: BillingPeriod;
  asOf: string | undefined;
  since: string | undefined;
  co2Explanation: string | null;
  hkvoTypes: HkvoCostType[];
}

const NO_TENANT_CUTS: Array<{ cut: AppliedCut; cents: number }> = [];

/** The tenant's own cuts (§6a months, CO2KostAufG) on an occupancy's amounts, in cents per cut. */
function tenantCuts(
  segment: OccupancySegment,
  tenancy: TenancyFacts | undefined,
  cents: Record<HkvoCostType, number>,
  context: TenantCutContext,
  informationOwed: boolean,
): Array<{ cut: AppliedCut; cents: number }> {
  if (segment.tenancyId === null || !tenancy) return NO_TENANT_CUTS;
  const cuts: Array<{ reason: StatementCutReason; explanation: string }> = [];
  if (informationOwed) {
    const monthly = monthlyInformationCut(tenancy, context.period, context.asOf, context.since);
    if (monthly) cuts.push({ reason: 'no-monthly-info', explanation: monthly });
  }
  if (context.co2Explanation) cuts.push({ reason: 'co2-not-shown', explanation: context.co2Explanation });
  if (cuts.length === 0) return NO_TENANT_CUTS;
  return cuts.map(({ reason, explanation }) => {
    const percent = STATEMENT_CUT_PERCENT[reason];
    const amount = cutCents(cents, context.hkvoTypes, percent);
    return {
      cents: amount,
      cut: {
        reason,
        input: null,
        costTypes: [...context.hkvoTypes],
        percent,
        source: 'automatic',
        explanation,
        amount: fromCentsInt(amount),
      },
    };
  });
}

const consumptionOf = (milli: PerCostType<Milli>): PerCostType<number> => ({
  heating: fromMilli(milli.heating),
  hotWater: fromMilli(milli.hotWater),
  coldWater: fromMilli(milli.coldWater),
});

const NO_CENTS: number[] = [];

function statementUnit(work: UnitWork, unitResult: BillingResult['units'][number], context: TenantCutContext): StatementUnitData {
  const { unit, segments } = work;
  // §6a is owed where remotely readable devices measure heat or hot water.
  const informationOwed = work.remoteInformation;
  const unitCents = hkvoCents(unitResult);
  // The engine's cuts of the unit, each reason's cents from the unit's amounts.
  const unitEngineCents =
    work.cuts.length === 0
      ? NO_CENTS
      : work.cuts.map((cut) => cutCents(unitCents, costTypesOf(cut.input), STATEMENT_CUT_PERCENT[reasonOf(cut.input)]));
  const engineCutCents = toCentsInt(unitResult.cut);
  const consumption = consumptionOf(work.consumption);
  let cutDetails: AppliedCut[];
  let amounts: StatementAmounts;
  let occupancies: StatementOccupancyData[];
  if (segments.length < 2) {
    // The usual case: one addressee for the whole unit, who shares the unit's consumption, amounts
    // and cut details (the same values; the unit's tenant cuts are this occupancy's own).
    const segment = segments[0]!;
    const tenancy = unit.tenancies.find((t) => t.id === segment.tenancyId);
    const own = tenantCuts(segment, tenancy, unitCents, context, informationOwed);
    let ownCents = 0;
    cutDetails = [];
    for (let i = 0; i < work.cuts.length; i++) cutDetails.push(engineCut(work.cuts[i]!, unitEngineCents[i]!));
    for (const c of own) {
      ownCents += c.cents;
      cutDetails.push(c.cut);
    }
    amounts = amountsOf(unitResult, engineCutCents + ownCents);
    const occupancy: StatementOccupancyData = {
      key: segment.key,
      tenancyId: segment.tenancyId,
      tenantName: segment.tenantName,
      from: segment.from,
      to: segment.to,
      consumption,
      fixedKeysOnly: [],
      amounts,
      cutDetails,
      derivation: null,
    };
    occupancies = [occupancy];
  } else {
    occupancies = occupancyData(work, unitResult, unitEngineCents, context, informationOwed);
    const tenantCents = occupancies.reduce((sum, o) => sum + toCentsInt(o.amounts.cut), 0) - engineCutCents;
    cutDetails = [...work.cuts.map((cut, i) => engineCut(cut, unitEngineCents[i]!)), ...unitTenantCuts(occupancies)];
    amounts = amountsOf(unitResult, engineCutCents + tenantCents);
  }
  return {
    unitId: unit.id,
    label: unit.label,
    floor: unit.floor,
    areaM2: unit.areaM2,
    consumption,
    estimated: work.estimated,
    substitutes: work.substitutes,
    cuts: work.cuts.map((c) => c.input),
    cutDetails,
    previous: {
      heating: work.previous.heating === null ? null : fromMilli(work.previous.heating),
      hotWater: work.previous.hotWater === null ? null : fromMilli(work.previous.hotWater),
      coldWater: work.previous.coldWater === null ? null : fromMilli(work.previous.coldWater),
    },
    readings: work.readings,
    amounts,
    derivation: unitResult.derivation,
    occupancies,
  };
}

/** The occupancies of a unit with a change of tenant, each with its part of the unit's amounts and cuts. */
function occupancyData(
  work: UnitWork,
  unitResult: BillingResult['units'][number],
  unitEngineCents: readonly number[],
  context: TenantCutContext,
  informationOwed: boolean,
): StatementOccupancyData[] {
  const { unit, segments } = work;
  const tenancyOf = (segment: OccupancySegment) => unit.tenancies.find((t) => t.id === segment.tenancyId);
  const occupancyResults = unitResult.occupancies ?? [];
  const occupancies: StatementOccupancyData[] = segments.map((segment, index) => {
    const row = occupancyResults[index]!;
    const ownEngineCents = toCentsInt(row.cut);
    // After a change of tenant the engine split the unit's cut by the occupancies' amounts; each
    // reason gets its part of this occupancy's cut in proportion to the unit's.
    const shares = ownEngineCents === 0 ? unitEngineCents.map(() => 0) : splitByWeights(ownEngineCents, unitEngineCents);
    const own = tenantCuts(segment, tenancyOf(segment), hkvoCents(row), context, informationOwed);
    const ownCents = own.reduce((sum, c) => sum + c.cents, 0);
    const derivation = unitResult.derivation.occupancies?.[index] ?? null;
    return {
      key: segment.key,
      tenancyId: segment.tenancyId,
      tenantName: segment.tenantName,
      from: segment.from,
      to: segment.to,
      consumption: perCostType(() => 0),
      fixedKeysOnly: derivation?.fixedKeysOnly ?? [],
      amounts: amountsOf(row, ownEngineCents + ownCents),
      cutDetails: [...work.cuts.map((cut, i) => engineCut(cut, shares[i]!)).filter((c) => c.amount > 0), ...own.map((c) => c.cut)],
      derivation,
    };
  });
  fillOccupancyConsumption(work, occupancies);
  return occupancies;
}

/**
 * The tenants' own cuts summed per reason for the unit; with several tenants each explanation is
 * named by its period of use, not by the tenant's name (owners see the unit's statement pseudonymised).
 */
function unitTenantCuts(occupancies: readonly StatementOccupancyData[]): AppliedCut[] {
  const byReason = new Map<StatementCutReason, AppliedCut>();
  const tenants = occupancies.filter((o) => o.cutDetails.some((c) => c.input === null)).length;
  for (const occupancy of occupancies) {
    for (const cut of occupancy.cutDetails) {
      if (cut.input !== null) continue;
      const explanation =
        tenants > 1 ? `Nutzung ${formatDate(occupancy.from)}–${formatDate(occupancy.to)}: ${cut.explanation}` : cut.explanation;
      const known = byReason.get(cut.reason);
      if (!known) byReason.set(cut.reason, { ...cut, explanation });
      else
        byReason.set(cut.reason, {
          ...known,
          explanation: `${known.explanation} ${explanation}`,
          amount: fromCentsInt(toCentsInt(known.amount) + toCentsInt(cut.amount)),
        });
    }
  }
  return [...byReason.values()];
}

/**
 * The occupancies' consumption: their readings where usable; else the unit's consumption split by
 * the key its cost was split by (§9b(3): degree days for heating, days for water), so that what the
 * statement shows matches what it charges.
 */
function fillOccupancyConsumption(work: UnitWork, occupancies: StatementOccupancyData[]): void {
  let days: number[] | null = null;
  let degreeDays: number[] | null = null;
  for (const type of COST_TYPES) {
    const split = work.split[type];
    let milli: number[];
    if (split !== null) milli = split;
    else if (work.consumption[type] === 0) milli = occupancies.map(() => 0);
    else if (type === 'heating')
      milli = splitByWeights(work.consumption[type], (degreeDays ??= occupancies.map((o) => degreeDayUnits(o.from, o.to))));
    else milli = splitByWeights(work.consumption[type], (days ??= occupancies.map((o) => daysOf(o.from, o.to))));
    occupancies.forEach((o, j) => (o.consumption[type] = fromMilli(milli[j]!)));
  }
}

/**
 * CO2KostAufG: the landlord's share is credited to the units by their heating + hot-water amounts
 * (the fuel, and with it the CO2 cost, is distributed through these two cost types), and within a
 * unit to its occupancies the same way; split exactly by the engine's rounding rule.
 */
function creditCo2(units: StatementUnitData[], landlordCost: number): void {
  const weight = (a: StatementAmounts) => toCentsInt(a.heating) + toCentsInt(a.hotWater);
  const totalCents = toCentsInt(landlordCost);
  const weights = units.map((u) => weight(u.amounts));
  if (totalCents === 0 || weights.every((w) => w === 0)) return;
  const credits = splitByWeights(totalCents, weights);
  units.forEach((unit, index) => {
    const credit = credits[index]!;
    setCredit(unit.amounts, credit);
    if (unit.occupancies.length < 2) return;
    const shares =
      credit === 0
        ? unit.occupancies.map(() => 0)
        : splitByWeights(
            credit,
            unit.occupancies.map((o) => weight(o.amounts)),
          );
    unit.occupancies.forEach((o, j) => setCredit(o.amounts, shares[j]!));
  });
}

function setCredit(amounts: StatementAmounts, creditCents: number): void {
  amounts.co2Credit = fromCentsInt(creditCents);
  amounts.amountDue = fromCentsInt(toCentsInt(amounts.total) - creditCents);
}

export interface Actor {
  userId: number | null;
  email: string;
  organisationId: number | null;
  ip?: string | null;
}

export interface StatementVersion {
  id: number;
  version: number;
  documentNumber: string;
  status: StatementStatus;
  createdAt: string;
  correctionReason: string | null;
}

/** The request that produced a stored statement: the starting point of its correction. */
export function requestOf(statement: StatementData): StatementRequest {
  return { propertyId: statement.property.id, period: statement.period, costs: statement.costs, parameters: statement.parameters };
}
