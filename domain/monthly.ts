// Monthly consumption information (HKVO §6a): last month's consumption in kWh from the radio
// readings of a unit's devices, compared with the previous month, the same month a year earlier and
// an average user of the same category (comparable units of the same property), with substitute
// values where readings are missing, hints and energy-saving tips. Pure: the caller loads readings
// and settings and stores the result.
import { hotWaterEnergy } from './billing/combined';
import { zonedTimeToInstant } from './calendar';
import { daysInMonth, isDate, isLeapYear, parseDate } from './dates';
import type { DeviceType } from './deadlines';

/**
 * Change of `current` against `reference` in percent, rounded half away from zero to 2 decimals:
 * 312 vs 280 → 11.43, vs 350 → -10.86. A reference of 0 has no percentage and throws a RangeError.
 */
export function percentChange(current: number, reference: number): number {
  if (!Number.isFinite(current) || !Number.isFinite(reference) || reference === 0) {
    throw new RangeError(`no percentage change of ${current} against ${reference}`);
  }
  return roundToHundredths(((current - reference) * 100) / reference);
}

function roundToHundredths(value: number): number {
  // toPrecision(15) drops binary noise first, so that 1.005 * 100 = 100.49999999999999 rounds as 100.5.
  const hundredths = Number((Math.abs(value) * 100).toPrecision(15));
  const rounded = (Math.sign(value) * Math.round(hundredths)) / 100;
  return rounded === 0 ? 0 : rounded; // no -0 in output
}

// ---- Months and their boundaries ----

/** A calendar month, 'YYYY-MM'. */
export type YearMonth = string;

const YEAR_MONTH = /^(\d{4})-(\d{2})$/;

export function isYearMonth(value: unknown): value is YearMonth {
  return typeof value === 'string' && YEAR_MONTH.test(value) && isDate(`${value}-01`);
}

function monthIndex(month: YearMonth): number {
  if (!isYearMonth(month)) throw new RangeError(`not a month YYYY-MM: ${JSON.stringify(month)}`);
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function fromMonthIndex(index: number): YearMonth {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String(index - year * 12 + 1).padStart(2, '0')}`;
}

export function addMonthsTo(month: YearMonth, months: number): YearMonth {
  return fromMonthIndex(monthIndex(month) + months);
}

/** Months from `a` to `b`: positive when `b` is later. */
export function monthsBetween(a: YearMonth, b: YearMonth): number {
  return monthIndex(b) - monthIndex(a);
}

/** The month a calendar date lies in. */
export function monthOf(date: string): YearMonth {
  parseDate(date);
  return date.slice(0, 7);
}

/** The information's month for a run on `date`: the month before (a run on 5 November covers October). */
export function reportingMonthFor(date: string): YearMonth {
  return addMonthsTo(monthOf(date), -1);
}

/** `count` months ending with `last`, oldest first. */
export function monthsEnding(last: YearMonth, count: number): YearMonth[] {
  return Array.from({ length: count }, (_, i) => addMonthsTo(last, i - count + 1));
}

const GERMAN_MONTHS = [
  'Januar',
  'Februar',
  'März',
  'April',
  'Mai',
  'Juni',
  'Juli',
  'August',
  'September',
  'Oktober',
  'November',
  'Dezember',
];

/** "Oktober 2026" */
export function germanMonth(month: YearMonth): string {
  return `${GERMAN_MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

/** "Okt" — for chart axes. */
export function germanMonthShort(month: YearMonth): string {
  return GERMAN_MONTHS[Number(month.slice(5, 7)) - 1]!.slice(0, 3);
}

/** Start of a month in German time: the boundary between two months' consumption. */
export function monthStartInstant(month: YearMonth): Date {
  return zonedTimeToInstant(`${month}-01`);
}

/** The boundaries of consecutive months: the start of each and the start of the month after the last. */
export function monthBoundaries(months: readonly YearMonth[]): Date[] {
  if (months.length === 0) return [];
  return [...months, addMonthsTo(months[months.length - 1]!, 1)].map(monthStartInstant);
}

// ---- Readings → consumption ----

/** A reading counts for a month boundary when it is at most this far from it (radio devices send daily). */
export const BOUNDARY_TOLERANCE_DAYS = 3;

/** The reading nearest to a month boundary, as loaded for the computation. */
export interface BoundaryReading {
  value: number;
  /** A heat cost allocator's stored value at its set date (its count restarts there). */
  setDateValue: number | null;
  /** An estimate entered by hand, not a measurement. */
  estimated: boolean;
}

/**
 * Consumption of one device between two boundary readings, or null when it cannot be known
 * (a reading is missing, or the count went down without the value that explains it). A heat cost
 * allocator restarts its count at the set date and reports the value it had there: the consumption
 * is then up to the set date plus everything since.
 */
export function meterConsumption(type: DeviceType, start: BoundaryReading | null, end: BoundaryReading | null): number | null {
  if (!start || !end) return null;
  if (end.value >= start.value) return end.value - start.value;
  if (type === 'HKV' && end.setDateValue !== null && end.setDateValue >= start.value) return end.setDateValue - start.value + end.value;
  return null;
}

// ---- Conversion to kWh ----

export interface ConversionSettings {
  /** kWh per heat cost allocator unit (the property's factor). */
  hkvKwhPerUnit: number;
  /** Hot water temperature t_w for the §9 formula, °C. */
  hotWaterTempC: number;
  /** District heating: the §9 formula's energy is divided by 1.15. */
  districtHeating: boolean;
}

/**
 * Until a property has its own factor (the annual statement's heating energy divided by the sum of
 * all units), an allocator unit counts as this many kWh: a typical value for electronic allocators
 * with programmed rating factors in apartment buildings.
 */
export const DEFAULT_CONVERSION: ConversionSettings = { hkvKwhPerUnit: 4.5, hotWaterTempC: 60, districtHeating: false };

export interface Assumptions extends ConversionSettings {
  /** Whether the factors are the property's own or the defaults above. */
  source: 'property' | 'default';
}

/** Consumption kinds of the information; cold water is not energy and not part of §6a. */
export type EnergyKind = 'heating' | 'hotWater';
export const ENERGY_KINDS: readonly EnergyKind[] = ['heating', 'hotWater'];

/** Device types whose readings feed each kind: allocators and a flat's own heat meter; hot water meters. */
const KIND_OF: Readonly<Partial<Record<DeviceType, EnergyKind>>> = { HKV: 'heating', WMZ: 'heating', 'WZ-W': 'hotWater' };

/** Devices that report consumption (and so must work and be remotely readable for §6a). */
export const CONSUMPTION_DEVICE_TYPES: readonly DeviceType[] = ['HKV', 'WMZ', 'WZ-W', 'WZ-K'];

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** §9(2) HKVO, the billing engine's own formula: Q = 2.5 kWh/(m³·K) × V × (t_w − 10 °C), ÷ 1.15 for district heating. */
export function hotWaterKwh(m3: number, settings: ConversionSettings): number {
  const { kwh } = hotWaterEnergy({
    hotWaterKwh: null,
    hotWaterM3: m3,
    hotWaterTempC: settings.hotWaterTempC,
    districtHeating: settings.districtHeating,
    // Only the plant's split uses these; the energy of the hot water does not depend on them.
    cost: 0,
    energyKwh: 0,
  });
  return kwh.toNumber(2);
}

export function heatingKwhFromUnits(units: number, settings: ConversionSettings): number {
  return round2(units * settings.hkvKwhPerUnit);
}

/** A unit's device with its boundary readings, aligned with the months' boundaries (n months → n + 1). */
export interface UnitDevice {
  serial: string;
  type: DeviceType;
  location: string | null;
  remoteReadable: boolean;
  radioStatus: 'ok' | 'weak' | 'offline';
  readings: ReadonlyArray<BoundaryReading | null>;
  /**
   * Per month: whether the device was installed during (part of) it. A device counts only for
   * those months; absent means all. In the month of an exchange both devices lack a boundary
   * reading, so the month gets a substitute unless the exchange readings fall on the boundaries.
   */
  inService?: ReadonlyArray<boolean>;
}

/** One month of a unit: kWh per kind; null when a device of that kind lacks readings; absent kinds are 0. */
export interface MonthKinds {
  heatingKwh: number | null;
  hotWaterKwh: number | null;
  /** The raw quantities behind the kWh, shown for transparency. */
  heatingUnits: number | null;
  heatingMeterKwh: number | null;
  hotWaterM3: number | null;
  /** Serials of devices without usable readings this month. */
  incomplete: string[];
  /** A reading used was an estimate, not a measurement. */
  usesEstimate: boolean;
}

export function kindsPresent(devices: readonly Pick<UnitDevice, 'type'>[]): Record<EnergyKind, boolean> {
  return { heating: devices.some((d) => KIND_OF[d.type] === 'heating'), hotWater: devices.some((d) => KIND_OF[d.type] === 'hotWater') };
}

/** kWh per kind for each month whose two boundaries the devices' readings are aligned with. */
export function unitMonthKinds(devices: readonly UnitDevice[], monthCount: number, settings: ConversionSettings): MonthKinds[] {
  return Array.from({ length: monthCount }, (_, i) => {
    let heatingUnits: number | null = 0;
    let heatingMeterKwh: number | null = 0;
    let hotWaterM3: number | null = 0;
    const incomplete: string[] = [];
    let usesEstimate = false;
    for (const device of devices) {
      if (device.inService && !device.inService[i]) continue;
      const start = device.readings[i] ?? null;
      const end = device.readings[i + 1] ?? null;
      const kind = KIND_OF[device.type];
      const used = meterConsumption(device.type, start, end);
      if (used === null) {
        if (CONSUMPTION_DEVICE_TYPES.includes(device.type)) incomplete.push(device.serial);
      } else if (kind && (start?.estimated || end?.estimated)) {
        usesEstimate = true;
      }
      if (device.type === 'HKV') heatingUnits = used === null || heatingUnits === null ? null : heatingUnits + used;
      else if (device.type === 'WMZ') heatingMeterKwh = used === null || heatingMeterKwh === null ? null : heatingMeterKwh + used;
      else if (device.type === 'WZ-W') hotWaterM3 = used === null || hotWaterM3 === null ? null : hotWaterM3 + used;
    }
    const heatingKwh =
      heatingUnits === null || heatingMeterKwh === null ? null : round2(heatingKwhFromUnits(heatingUnits, settings) + heatingMeterKwh);
    return {
      heatingKwh,
      hotWaterKwh: hotWaterM3 === null ? null : hotWaterKwh(hotWaterM3, settings),
      heatingUnits: heatingUnits === null ? null : round2(heatingUnits),
      heatingMeterKwh: heatingMeterKwh === null ? null : round2(heatingMeterKwh),
      hotWaterM3: hotWaterM3 === null ? null : Math.round(hotWaterM3 * 1000) / 1000,
      incomplete,
      usesEstimate,
    };
  });
}

/** Total kWh of a month, or null when a kind the unit has is unknown. */
export function totalKwh(kinds: Pick<MonthKinds, 'heatingKwh' | 'hotWaterKwh'>): number | null {
  return kinds.heatingKwh === null || kinds.hotWaterKwh === null ? null : round2(kinds.heatingKwh + kinds.hotWaterKwh);
}

// ---- Comparable units ----

/**
 * "An average user of the same category": units of the same property in the same size class.
 * Fewer than MIN_PEERS measured units in the class → the whole property. Averages are per m²
 * (total kWh over total area) and scaled to the unit's own area, so a 52 m² flat is not compared
 * with a 69 m² one's absolute consumption.
 */
export const AREA_CLASSES: ReadonlyArray<{ upToM2: number; label: string }> = [
  { upToM2: 50, label: 'bis 50 m²' },
  { upToM2: 70, label: '50–70 m²' },
  { upToM2: 90, label: '70–90 m²' },
  { upToM2: 110, label: '90–110 m²' },
  { upToM2: Infinity, label: 'über 110 m²' },
];
export const MIN_PEERS = 3;

export function areaClassOf(areaM2: number): number {
  return AREA_CLASSES.findIndex((c) => areaM2 <= c.upToM2);
}

/** Sums over the measured units of a group in one month. */
export interface PeerGroup {
  units: number;
  areaM2: number;
  heatingKwh: number;
  hotWaterKwh: number;
}

/** One month of a property: a group per area class (index as AREA_CLASSES) and the whole property. */
export interface PeerMonth {
  month: YearMonth;
  classes: PeerGroup[];
  property: PeerGroup;
}

const emptyGroup = (): PeerGroup => ({ units: 0, areaM2: 0, heatingKwh: 0, hotWaterKwh: 0 });

/** The property's comparison groups per month, from every unit's measured kinds (estimates and gaps excluded). */
export function peerBaseline(
  months: readonly YearMonth[],
  units: ReadonlyArray<{ areaM2: number; devices: readonly Pick<UnitDevice, 'type'>[]; kinds: readonly MonthKinds[] }>,
): PeerMonth[] {
  // A unit without any heat or hot-water device (a shop, a storage room) is no comparable user.
  const users = units.filter((unit) => Object.values(kindsPresent(unit.devices)).some(Boolean));
  return months.map((month, i) => {
    const classes = AREA_CLASSES.map(emptyGroup);
    const property = emptyGroup();
    for (const unit of users) {
      const kinds = unit.kinds[i];
      if (!kinds || totalKwh(kinds) === null || kinds.usesEstimate) continue;
      for (const group of [classes[areaClassOf(unit.areaM2)]!, property]) {
        group.units += 1;
        group.areaM2 += unit.areaM2;
        group.heatingKwh += kinds.heatingKwh!;
        group.hotWaterKwh += kinds.hotWaterKwh!;
      }
    }
    const tidy = (g: PeerGroup): PeerGroup => ({
      units: g.units,
      areaM2: round2(g.areaM2),
      heatingKwh: round2(g.heatingKwh),
      hotWaterKwh: round2(g.hotWaterKwh),
    });
    return { month, classes: classes.map(tidy), property: tidy(property) };
  });
}

export interface PeerAverage {
  /** Comparable units' kWh per m² × the unit's area. */
  heatingKwh: number;
  hotWaterKwh: number;
  totalKwh: number;
  units: number;
  basis: 'class' | 'property';
  classLabel: string;
}

/** The average comparable user for a unit of this area in that month, or null without enough peers. */
export function peerAverageFor(areaM2: number, month: PeerMonth | undefined): PeerAverage | null {
  if (!month) return null;
  const index = areaClassOf(areaM2);
  const byClass = month.classes[index];
  const [group, basis] = byClass && byClass.units >= MIN_PEERS ? [byClass, 'class' as const] : [month.property, 'property' as const];
  if (group.units < MIN_PEERS || group.areaM2 <= 0) return null;
  return { ...groupAverage(group, areaM2), units: group.units, basis, classLabel: AREA_CLASSES[index]!.label };
}

/** A group's kWh per m², scaled to a unit of `areaM2`. */
function groupAverage(group: PeerGroup, areaM2: number): { heatingKwh: number; hotWaterKwh: number; totalKwh: number } {
  const heatingKwh = round2((group.heatingKwh / group.areaM2) * areaM2);
  const hotWaterKwh = round2((group.hotWaterKwh / group.areaM2) * areaM2);
  return { heatingKwh, hotWaterKwh, totalKwh: round2(heatingKwh + hotWaterKwh) };
}

/**
 * A documented reference consumption for the average user when no group of measured units is big
 * enough (HKVO §6a: the comparison must not be left out).
 */
export interface ReferenceConsumption {
  /** kWh per m² and year for space heating. */
  heatingKwhPerM2Year: number;
  /** kWh per m² and year for hot water. */
  hotWaterKwhPerM2Year: number;
  /** Where the figures come from, shown with the comparison. */
  source: string;
}

/**
 * The default reference: space heating in German multi-family houses about 130 kWh/m² a year
 * (weather-adjusted end energy, DIW/ista Wärmemonitor and ista-IWH Energieeffizienzindex, about
 * 131 kWh/m²), hot water 32 kWh/m² a year (the value HKVO §9(2) S.4 itself uses for hot water
 * when no volume is measured). An organisation may set its own.
 */
export const DEFAULT_REFERENCE_CONSUMPTION: ReferenceConsumption = {
  heatingKwhPerM2Year: 130,
  hotWaterKwhPerM2Year: 32,
  source: 'Referenzwert: Raumwärme 130 kWh/m² und Jahr (DIW/ista Wärmemonitor), Warmwasser 32 kWh/m² und Jahr (§9 Abs. 2 HKVO)',
};

/** Heating per month by the HKVO degree-day table (‰ of the year; sum 1000). */
const HEATING_PER_MILLE_BY_MONTH: readonly number[] = [170, 150, 130, 80, 40, 13.33, 13.33, 13.34, 30, 80, 120, 160];

export type ComparisonBasis = 'class' | 'property' | 'organisation' | 'reference';

export interface AverageUser {
  heatingKwh: number;
  hotWaterKwh: number;
  totalKwh: number;
  /** Measured units the average comes from; 0 for the reference value. */
  units: number;
  /** Which group the average user comes from, from the narrowest up. */
  basis: ComparisonBasis;
  classLabel: string;
  /** The group in words, for the tenant's page (German). */
  groupLabel: string;
  /** The reference's source when basis is "reference". */
  source?: string;
}

/** The month's reference consumption for a unit of `areaM2`: heating by degree days, hot water by days. */
export function referenceAverage(
  areaM2: number,
  month: YearMonth,
  reference: ReferenceConsumption,
): { heatingKwh: number; hotWaterKwh: number } {
  const monthNumber = Number(month.slice(5, 7));
  const year = Number(month.slice(0, 4));
  const days = daysInMonth(year, monthNumber);
  const yearDays = isLeapYear(year) ? 366 : 365;
  return {
    heatingKwh: round2((reference.heatingKwhPerM2Year * areaM2 * HEATING_PER_MILLE_BY_MONTH[monthNumber - 1]!) / 1000),
    hotWaterKwh: round2((reference.hotWaterKwhPerM2Year * areaM2 * days) / yearDays),
  };
}

/**
 * HKVO §6a: the average user of the same category for a unit of `areaM2` in `month`, from the
 * narrowest group with at least MIN_PEERS measured units: the same size class in the property,
 * the whole property, then the organisation's units of the same size class; a building with too
 * few comparable units gets the wider group instead of no comparison, and without any group the
 * documented reference value. The result names the group it used.
 *
 * `property` and `organisation` are peerBaseline(…) months of the property's and of all the
 * organisation's units (the property's included).
 */
export function averageUserFor(
  areaM2: number,
  month: YearMonth,
  groups: { property?: PeerMonth; organisation?: PeerMonth },
  reference: ReferenceConsumption = DEFAULT_REFERENCE_CONSUMPTION,
): AverageUser {
  const index = areaClassOf(areaM2);
  const classLabel = AREA_CLASSES[index]!.label;
  const candidates: Array<[PeerGroup | undefined, ComparisonBasis, string]> = [
    [groups.property?.classes[index], 'class', `Wohnungen ${classLabel} im Haus`],
    [groups.property?.property, 'property', 'alle Wohnungen im Haus'],
    [groups.organisation?.classes[index], 'organisation', `Wohnungen ${classLabel} aller Liegenschaften der Verwaltung`],
  ];
  for (const [group, basis, label] of candidates) {
    if (!group || group.units < MIN_PEERS || group.areaM2 <= 0) continue;
    return {
      ...groupAverage(group, areaM2),
      units: group.units,
      basis,
      classLabel,
      groupLabel: `${label}, ${group.units} Wohnungen`,
    };
  }
  const { heatingKwh, hotWaterKwh } = referenceAverage(areaM2, month, reference);
  return {
    heatingKwh,
    hotWaterKwh,
    totalKwh: round2(heatingKwh + hotWaterKwh),
    units: 0,
    basis: 'reference',
    classLabel,
    groupLabel: 'Referenzwert (zu wenige vergleichbare Wohnungen)',
    source: reference.source,
  };
}

// ---- The information ----

/** How a missing month was filled (§9a): the unit's own value a year earlier, else comparable units. */
export type SubstituteMethod = 'previous-year' | 'comparable-units';

export interface Substitute {
  kind: EnergyKind;
  method: SubstituteMethod;
  kwh: number;
}

export interface Comparison {
  kwh: number;
  /** Percent change of this month against `kwh`; null when `kwh` is 0. */
  changePercent: number | null;
}

export interface PeerComparison extends Comparison {
  /** Measured units of the group; 0 for the reference value. */
  units: number;
  basis: ComparisonBasis;
  classLabel: string;
  /** The group in words (information published before the wider groups: absent). */
  groupLabel?: string;
  /** The reference value's source when basis is "reference". */
  source?: string;
}

export type HintTone = 'up' | 'down' | 'same' | 'ok' | 'warning';

export interface Hint {
  kind: 'previous-year' | 'previous-month' | 'peers' | 'devices' | 'estimated' | 'remote' | 'no-data';
  tone: HintTone;
  text: string;
}

export interface DeviceState {
  serial: string;
  type: DeviceType;
  location: string | null;
  remoteReadable: boolean;
  /** Readings at both ends of the month and radio reception. */
  ok: boolean;
}

export interface MonthlyInformationContent {
  month: YearMonth;
  areaM2: number;
  heatingKwh: number | null;
  hotWaterKwh: number | null;
  totalKwh: number | null;
  heatingUnits: number | null;
  hotWaterM3: number | null;
  substitutes: Substitute[];
  estimated: boolean;
  comparisons: {
    previousMonth: Comparison | null;
    previousYear: Comparison | null;
    peers: PeerComparison | null;
  };
  /** Total kWh of the HISTORY_MONTHS months ending with `month` (oldest first); null: unknown or before the tenancy. */
  series: Array<{ month: YearMonth; kwh: number | null }>;
  /** The comparable units' average for the last 12 of those months. */
  peerSeries: Array<{ month: YearMonth; kwh: number | null }>;
  devices: DeviceState[];
  remoteReadable: boolean;
  devicesOk: boolean;
  /** The first month of the recipient's own consumption; earlier months are blank (null: all shown). */
  shownFrom: YearMonth | null;
  hints: Hint[];
  tips: string[];
  assumptions: Assumptions;
}

/** Two years: this year's months against last year's in the chart. */
export const HISTORY_MONTHS = 24;
/** Months of the property's comparison groups (the chart's average line). */
export const PEER_MONTHS = 12;

export interface MonthlyInput {
  month: YearMonth;
  areaM2: number;
  /** Readings aligned with monthBoundaries(monthsEnding(month, HISTORY_MONTHS)). */
  devices: readonly UnitDevice[];
  assumptions: Assumptions;
  /** Comparison groups for monthsEnding(month, PEER_MONTHS) (missing months count as none). */
  peers: readonly PeerMonth[];
  /**
   * The organisation's groups for the same months, for a building with too few comparable units
   * of its own (averageUserFor); absent: not needed or not loaded.
   */
  organisationPeers?: readonly PeerMonth[];
  /** The documented reference when no group is big enough; default DEFAULT_REFERENCE_CONSUMPTION. */
  reference?: ReferenceConsumption;
  /**
   * The first month whose consumption belongs to the recipient: earlier months are another
   * tenant's and are neither shown nor used. Null: all months (a vacant unit).
   */
  visibleFrom: YearMonth | null;
}

function compare(current: number, reference: number): Comparison {
  return { kwh: reference, changePercent: reference === 0 ? null : percentChange(current, reference) };
}

const wholePercent = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 0 });
const kwhFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 0 });
const changeFormat = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "1.234 kWh"; "–" for no value. */
export function formatKwh(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${kwhFormat.format(value)} kWh`;
}

/** "+11,43 %", "−10,86 %", "±0,00 %"; "–" for no value. */
export function formatChange(percent: number | null | undefined): string {
  if (percent === null || percent === undefined) return '–';
  const sign = percent > 0 ? '+' : percent < 0 ? '−' : '±';
  return `${sign}${changeFormat.format(Math.abs(percent))} %`;
}

/** "Verbrauch 15 % über Vorjahr"; within half a percent: "wie im Vorjahr". */
function changeHint(kind: Hint['kind'], change: number | null, against: { above: string; below: string; same: string }): Hint | null {
  if (change === null) return null;
  const rounded = Math.round(Math.abs(change));
  if (rounded === 0) return { kind, tone: 'same', text: `Verbrauch ${against.same}` };
  const percent = `${wholePercent.format(rounded)} %`;
  return change > 0
    ? { kind, tone: 'up', text: `Verbrauch ${percent} ${against.above}` }
    : { kind, tone: 'down', text: `Verbrauch ${percent} ${against.below}` };
}

export const HEATING_TIPS: readonly string[] = [
  'Stoßlüften statt Kipplüften: drei- bis viermal täglich 5–10 Minuten bei weit geöffnetem Fenster, dabei die Thermostate herunterdrehen.',
  'Jedes Grad weniger Raumtemperatur spart etwa 6 % Heizenergie; im Wohnbereich reichen meist 20 °C, im Schlafzimmer 17 °C.',
  'Heizkörper frei halten: Möbel, Verkleidungen und lange Vorhänge stauen die Wärme.',
  'Nachts und bei Abwesenheit die Thermostate auf Stufe 2 (etwa 16 °C) stellen statt ganz abzudrehen.',
];

export const HOT_WATER_TIPS: readonly string[] = [
  'Duschen statt Baden: ein Vollbad braucht etwa dreimal so viel warmes Wasser wie eine Dusche.',
  'Ein Sparduschkopf halbiert den Warmwasserverbrauch beim Duschen, ohne dass es sich weniger anfühlt.',
  'Beim Einseifen, Rasieren und Zähneputzen das warme Wasser abdrehen.',
];

function pickTips(tips: readonly string[], month: YearMonth, count: number): string[] {
  const start = monthIndex(month) % tips.length;
  return Array.from({ length: Math.min(count, tips.length) }, (_, i) => tips[(start + i) % tips.length]!);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The month's information for one unit. Months before `visibleFrom` are blanked before anything
 * is computed, so no figure of a previous tenant can reach the recipient.
 */
export function composeMonthlyInformation(input: MonthlyInput): MonthlyInformationContent {
  const { month, areaM2, devices, assumptions } = input;
  const months = monthsEnding(month, HISTORY_MONTHS);
  const kinds = unitMonthKinds(devices, HISTORY_MONTHS, assumptions);
  const present = kindsPresent(devices);
  const visible = (m: YearMonth) => input.visibleFrom === null || monthsBetween(input.visibleFrom, m) >= 0;
  const own = (m: YearMonth): MonthKinds | null => {
    const i = months.indexOf(m);
    return i >= 0 && visible(m) ? (kinds[i] ?? null) : null;
  };
  const peersByMonth = new Map(input.peers.map((p) => [p.month, p]));
  const organisationByMonth = new Map((input.organisationPeers ?? []).map((p) => [p.month, p]));
  // §6a: the average user is never left out; a small building's comes from a wider group, named.
  const averageUser = (m: YearMonth) =>
    averageUserFor(areaM2, m, { property: peersByMonth.get(m), organisation: organisationByMonth.get(m) }, input.reference);
  const user = averageUser(month);
  // Substitute values (§9a) come from measured comparable units only, never from the reference value.
  const peer = user.basis === 'reference' ? null : user;

  // This month's kinds, substituted where readings are missing (§9a): the unit's own value a year
  // earlier when it belongs to the recipient, else the comparable units' average for its area.
  const current = kinds[HISTORY_MONTHS - 1]!;
  const yearAgo = own(addMonthsTo(month, -12));
  const substitutes: Substitute[] = [];
  const value: Record<EnergyKind, number | null> = { heating: 0, hotWater: 0 };
  for (const kind of ENERGY_KINDS) {
    if (!present[kind]) continue;
    const measured = kind === 'heating' ? current.heatingKwh : current.hotWaterKwh;
    if (measured !== null) {
      value[kind] = measured;
      continue;
    }
    const previous = yearAgo && !yearAgo.usesEstimate ? (kind === 'heating' ? yearAgo.heatingKwh : yearAgo.hotWaterKwh) : null;
    const fromPeers = peer ? (kind === 'heating' ? peer.heatingKwh : peer.hotWaterKwh) : null;
    const [kwh, method]: [number | null, SubstituteMethod] =
      previous !== null ? [previous, 'previous-year'] : [fromPeers, 'comparable-units'];
    value[kind] = kwh;
    if (kwh !== null) substitutes.push({ kind, method, kwh });
  }
  const total = present.heating || present.hotWater ? totalKwh({ heatingKwh: value.heating, hotWaterKwh: value.hotWater }) : null;
  const estimated = substitutes.length > 0 || current.usesEstimate;

  const series = months.map((m, i) => {
    if (!visible(m)) return { month: m, kwh: null };
    return { month: m, kwh: i === HISTORY_MONTHS - 1 ? total : totalKwh(kinds[i]!) };
  });
  const peerSeries = monthsEnding(month, PEER_MONTHS).map((m) => ({ month: m, kwh: averageUser(m).totalKwh }));

  const previousMonthKwh = series[HISTORY_MONTHS - 2]!.kwh;
  const previousYearKwh = series[HISTORY_MONTHS - 13]!.kwh;
  const comparisons = {
    previousMonth: total !== null && previousMonthKwh !== null ? compare(total, previousMonthKwh) : null,
    previousYear: total !== null && previousYearKwh !== null ? compare(total, previousYearKwh) : null,
    peers:
      total !== null && user.totalKwh > 0
        ? {
            ...compare(total, user.totalKwh),
            units: user.units,
            basis: user.basis,
            classLabel: user.classLabel,
            groupLabel: user.groupLabel,
            ...(user.source !== undefined && { source: user.source }),
          }
        : null,
  };

  const deviceStates: DeviceState[] = devices
    .filter((d) => CONSUMPTION_DEVICE_TYPES.includes(d.type) && (!d.inService || d.inService[HISTORY_MONTHS - 1]))
    .map((d) => ({
      serial: d.serial,
      type: d.type,
      location: d.location,
      remoteReadable: d.remoteReadable,
      ok: d.radioStatus !== 'offline' && !current.incomplete.includes(d.serial),
    }));
  const remoteReadable = deviceStates.every((d) => d.remoteReadable);
  const devicesOk = deviceStates.every((d) => d.ok);

  const hints: Hint[] = [];
  if (total === null) hints.push({ kind: 'no-data', tone: 'warning', text: 'Für diesen Monat liegen keine verwertbaren Ablesewerte vor' });
  for (const hint of [
    changeHint('previous-year', comparisons.previousYear?.changePercent ?? null, {
      above: 'über Vorjahr',
      below: 'unter Vorjahr',
      same: 'wie im Vorjahr',
    }),
    changeHint('previous-month', comparisons.previousMonth?.changePercent ?? null, {
      above: 'über Vormonat',
      below: 'unter Vormonat',
      same: 'wie im Vormonat',
    }),
    changeHint('peers', comparisons.peers?.changePercent ?? null, {
      above: 'über dem Durchschnitt vergleichbarer Wohnungen',
      below: 'unter dem Durchschnitt vergleichbarer Wohnungen',
      same: 'wie der Durchschnitt vergleichbarer Wohnungen',
    }),
  ])
    if (hint) hints.push(hint);
  const failing = deviceStates.filter((d) => !d.ok).length;
  if (deviceStates.length > 0) {
    hints.push(
      devicesOk
        ? { kind: 'devices', tone: 'ok', text: 'Alle Geräte funktionstüchtig' }
        : {
            kind: 'devices',
            tone: 'warning',
            text: `${plural(failing, 'Gerät hat', 'Geräte haben')} im Monat keine vollständigen Funkwerte gesendet`,
          },
    );
  }
  if (substitutes.length > 0) hints.push({ kind: 'estimated', tone: 'warning', text: 'Verbrauch teilweise geschätzt (Ersatzwert)' });
  if (!remoteReadable) {
    const count = deviceStates.filter((d) => !d.remoteReadable).length;
    hints.push({ kind: 'remote', tone: 'warning', text: `${plural(count, 'Gerät ist', 'Geräte sind')} nicht fernablesbar` });
  }

  // Tips only when the unit uses more than comparable units, for the kind where it does.
  const tips: string[] = [];
  if (peer && comparisons.peers && (comparisons.peers.changePercent ?? 0) > 0) {
    if (present.heating && value.heating !== null && value.heating > peer.heatingKwh) tips.push(...pickTips(HEATING_TIPS, month, 2));
    if (present.hotWater && value.hotWater !== null && value.hotWater > peer.hotWaterKwh) tips.push(...pickTips(HOT_WATER_TIPS, month, 2));
  }

  return {
    month,
    areaM2,
    heatingKwh: present.heating ? value.heating : null,
    hotWaterKwh: present.hotWater ? value.hotWater : null,
    totalKwh: total,
    heatingUnits: current.heatingUnits,
    hotWaterM3: present.hotWater ? current.hotWaterM3 : null,
    substitutes,
    estimated,
    comparisons,
    series,
    peerSeries,
    devices: deviceStates,
    remoteReadable,
    devicesOk,
    shownFrom: input.visibleFrom,
    hints,
    tips,
    assumptions,
  };
}

/**
 * The first month of a tenancy's own consumption: its starting month when it began on the 1st,
 * else the month after (a month shared with the previous tenant is not shown to either).
 */
export function firstOwnMonth(startsOn: string): YearMonth {
  return startsOn.endsWith('-01') ? monthOf(startsOn) : addMonthsTo(monthOf(startsOn), 1);
}

/** How the information reaches its addressee: the portal, or why it cannot (no account, vacancy, tenant change in the month). */
export type MonthlyDelivery = 'portal' | 'no-account' | 'vacant' | 'tenant-change';

export type MonthlyDeliveryEventKind = 'provided' | 'opened';
