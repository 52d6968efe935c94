// The statement document: one view model per addressee (a unit, or one occupancy of it after a
// change of tenant), rendered by one Handlebars template both as the PDF and as the tenant's HTML
// view in the portal. Everything HKVO §6a(3) asks a statement to tell is assembled here.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { COST_TYPES, CUT_PERCENT, CUT_RULES, type BillingPeriod, type CostType, type CutInput } from '../domain/billing';
import { addDays, daysBetween } from '../domain/dates';
import type { DeviceType } from '../domain/deadlines';
import {
  CUT_LAWS,
  CUT_TITLES,
  FUEL_CATEGORIES,
  type AppliedCut,
  METERING_FEE_CATEGORIES,
  type BoundaryValue,
  type DeviceConsumption,
  type ReadingProblem,
  type StatementAmounts,
  type StatementData,
  type StatementOccupancyData,
  type StatementUnitData,
  type SubstituteValue,
} from '../domain/billing/statement';
import type { Db } from '../db';
import type { Document } from '../db/models/document';
import { appendAudit } from '../db/audit';
import type { Actor } from '../domain/billing/statement';
import { findStatementDocument, openDocument, storeDocument, type OpenedDocument } from './documents';
import type { PdfRenderer } from './pdf';

// ---------------------------------------------------------------------------------------------
// German wording

export const COST_TYPE_LABELS: Readonly<Record<CostType, string>> = { heating: 'Heizung', hotWater: 'Warmwasser', coldWater: 'Kaltwasser' };

export interface CutRow {
  /** "3 % von Heizung und Warmwasser (§12 Abs. 1 S. 2 HKVO): Ausstattung nicht fernablesbar" */
  title: string;
  /** Why, in words; for the manager's own cut the reason entered. */
  explanation: string;
  manual: boolean;
  amount: number;
}

function cutRow(cut: Pick<AppliedCut, 'reason' | 'costTypes' | 'percent' | 'source' | 'explanation' | 'amount'>): CutRow {
  const types = cut.costTypes.map((t) => COST_TYPE_LABELS[t]).join(' und ');
  return {
    title: `${cut.percent} % von ${types} (${CUT_LAWS[cut.reason]}): ${CUT_TITLES[cut.reason]}`,
    explanation: cut.explanation,
    manual: cut.source === 'manual',
    amount: cut.amount,
  };
}

/** The cuts of an addressee explained; statements stored before the explanations name their reasons only. */
export function cutRows(cutDetails: readonly AppliedCut[], legacy: readonly CutInput[], legacyTotal: number): CutRow[] {
  if (cutDetails.length > 0) return cutDetails.map(cutRow);
  return legacy.map((input, index) =>
    cutRow({
      reason: CUT_RULES[input].reason,
      costTypes: [...CUT_RULES[input].costTypes],
      percent: CUT_PERCENT[CUT_RULES[input].reason],
      source: 'automatic',
      explanation: '',
      amount: index === 0 ? legacyTotal : 0,
    }),
  );
}

const DEVICE_LABELS: Readonly<Partial<Record<DeviceType, string>>> = {
  HKV: 'Heizkostenverteiler',
  WMZ: 'Wärmemengenzähler',
  'WZ-W': 'Warmwasserzähler',
  'WZ-K': 'Kaltwasserzähler',
};

const PROBLEM_LABELS: Readonly<Record<ReadingProblem, string>> = {
  'missing-start': 'kein Anfangswert',
  'missing-end': 'kein Endwert',
  missing: 'keine Ablesewerte',
  decreasing: 'Zählerstand rückläufig',
};

// ---------------------------------------------------------------------------------------------
// Contacts (§6a(3): consumer organisations, energy agencies, dispute resolution)

export interface Contact {
  name: string;
  detail: string;
  web: string;
}

const NATIONAL_CONTACTS: readonly Contact[] = [
  { name: 'Verbraucherzentrale Bundesverband e. V. (vzbv)', detail: 'Rudi-Dutschke-Straße 17, 10969 Berlin', web: 'www.vzbv.de' },
  {
    name: 'Energieberatung der Verbraucherzentralen',
    detail: 'kostenfreie Hotline 0800 809 802 400',
    web: 'www.verbraucherzentrale-energieberatung.de',
  },
  { name: 'Deutsche Energie-Agentur GmbH (dena)', detail: 'Chausseestraße 128 a, 10115 Berlin', web: 'www.dena.de' },
];

const DISPUTE_CONTACT: Contact = {
  name: 'Schlichtungsstelle Energie e. V.',
  detail: 'Friedrichstraße 133, 10117 Berlin',
  web: 'www.schlichtungsstelle-energie.de',
};

/** Regional consumer advice centre and, where the state has one, its energy agency. */
const REGIONAL_CONTACTS: Readonly<Record<string, { consumer: Contact; agency?: Contact }>> = {
  BW: {
    consumer: { name: 'Verbraucherzentrale Baden-Württemberg e. V.', detail: 'Stuttgart', web: 'www.verbraucherzentrale-bawue.de' },
    agency: { name: 'KEA Klimaschutz- und Energieagentur Baden-Württemberg', detail: 'Karlsruhe', web: 'www.kea-bw.de' },
  },
  BY: { consumer: { name: 'Verbraucherzentrale Bayern e. V.', detail: 'München', web: 'www.verbraucherzentrale-bayern.de' } },
  BE: {
    consumer: { name: 'Verbraucherzentrale Berlin e. V.', detail: 'Berlin', web: 'www.verbraucherzentrale-berlin.de' },
    agency: { name: 'Berliner Energieagentur GmbH', detail: 'Berlin', web: 'www.berliner-e-agentur.de' },
  },
  BB: {
    consumer: { name: 'Verbraucherzentrale Brandenburg e. V.', detail: 'Potsdam', web: 'www.verbraucherzentrale-brandenburg.de' },
    agency: { name: 'Energieagentur Brandenburg (WFBB)', detail: 'Potsdam', web: 'energieagentur.wfbb.de' },
  },
  HB: {
    consumer: { name: 'Verbraucherzentrale Bremen e. V.', detail: 'Bremen', web: 'www.verbraucherzentrale-bremen.de' },
    agency: { name: 'energiekonsens – Die Klimaschützer', detail: 'Bremen', web: 'www.energiekonsens.de' },
  },
  HH: { consumer: { name: 'Verbraucherzentrale Hamburg e. V.', detail: 'Hamburg', web: 'www.vzhh.de' } },
  HE: {
    consumer: { name: 'Verbraucherzentrale Hessen e. V.', detail: 'Frankfurt am Main', web: 'www.verbraucherzentrale-hessen.de' },
    agency: { name: 'LandesEnergieAgentur Hessen GmbH', detail: 'Wiesbaden', web: 'www.lea-hessen.de' },
  },
  MV: {
    consumer: { name: 'Verbraucherzentrale Mecklenburg-Vorpommern e. V.', detail: 'Rostock', web: 'www.verbraucherzentrale-mv.de' },
    agency: { name: 'Landesenergie- und Klimaschutzagentur Mecklenburg-Vorpommern', detail: 'Stralsund', web: 'www.leka-mv.de' },
  },
  NI: {
    consumer: { name: 'Verbraucherzentrale Niedersachsen e. V.', detail: 'Hannover', web: 'www.verbraucherzentrale-niedersachsen.de' },
    agency: { name: 'Klimaschutz- und Energieagentur Niedersachsen', detail: 'Hannover', web: 'www.klimaschutz-niedersachsen.de' },
  },
  NW: {
    consumer: { name: 'Verbraucherzentrale Nordrhein-Westfalen e. V.', detail: 'Düsseldorf', web: 'www.verbraucherzentrale.nrw' },
    agency: { name: 'NRW.Energy4Climate', detail: 'Düsseldorf', web: 'www.energy4climate.nrw' },
  },
  RP: {
    consumer: { name: 'Verbraucherzentrale Rheinland-Pfalz e. V.', detail: 'Mainz', web: 'www.verbraucherzentrale-rlp.de' },
    agency: { name: 'Energieagentur Rheinland-Pfalz GmbH', detail: 'Kaiserslautern', web: 'www.energieagentur.rlp.de' },
  },
  SL: { consumer: { name: 'Verbraucherzentrale des Saarlandes e. V.', detail: 'Saarbrücken', web: 'www.verbraucherzentrale-saarland.de' } },
  SN: {
    consumer: { name: 'Verbraucherzentrale Sachsen e. V.', detail: 'Leipzig', web: 'www.verbraucherzentrale-sachsen.de' },
    agency: { name: 'Sächsische Energieagentur – SAENA GmbH', detail: 'Dresden', web: 'www.saena.de' },
  },
  ST: {
    consumer: {
      name: 'Verbraucherzentrale Sachsen-Anhalt e. V.',
      detail: 'Halle (Saale)',
      web: 'www.verbraucherzentrale-sachsen-anhalt.de',
    },
    agency: { name: 'Landesenergieagentur Sachsen-Anhalt GmbH (LENA)', detail: 'Magdeburg', web: 'www.lena.sachsen-anhalt.de' },
  },
  SH: {
    consumer: { name: 'Verbraucherzentrale Schleswig-Holstein e. V.', detail: 'Kiel', web: 'www.verbraucherzentrale.sh' },
    agency: { name: 'EKSH Gesellschaft für Energie und Klimaschutz Schleswig-Holstein', detail: 'Kiel', web: 'www.eksh.org' },
  },
  TH: {
    consumer: { name: 'Verbraucherzentrale Thüringen e. V.', detail: 'Erfurt', web: 'www.vzth.de' },
    agency: { name: 'Thüringer Energie- und GreenTech-Agentur (ThEGA)', detail: 'Erfurt', web: 'www.thega.de' },
  },
};

export function contactsFor(federalState: string): { consumer: Contact[]; energy: Contact[]; dispute: Contact } {
  const regional = REGIONAL_CONTACTS[federalState];
  const [vzbv, energyAdvice, dena] = NATIONAL_CONTACTS as readonly [Contact, Contact, Contact];
  return {
    consumer: regional ? [vzbv, regional.consumer, energyAdvice] : [vzbv, energyAdvice],
    energy: regional?.agency ? [dena, regional.agency] : [dena],
    dispute: DISPUTE_CONTACT,
  };
}

// ---------------------------------------------------------------------------------------------
// View model

/** Who a document is addressed to: the whole unit (null) or one occupancy after a change of tenant. */
export interface Addressee {
  unitId: number;
  occupancyKey: string | null;
}

interface AmountRow {
  label: string;
  consumption: number;
  consumptionUnit: string;
  estimated: boolean;
  amount: number;
}

interface DerivationRow {
  type: CostType;
  label: string;
  byArea: boolean;
  cost: number;
  consumptionSharePercent: number;
  fixedSharePercent: number;
  totalConsumption: number;
  consumptionUnit: string;
  /** "Einheit", "kWh", "m³": what one consumption unit is called after "Preis je". */
  priceUnit: string;
  pricePerConsumptionUnit: number;
  hasFixedPart: boolean;
  totalArea: number;
  pricePerM2: number;
  consumption: number;
  area: number;
  consumptionPart: number;
  fixedPart: number;
  amount: number;
  estimated: boolean;
  substituteNote: string | null;
}

interface OccupancyShareRow {
  label: string;
  unitAmount: number;
  unitConsumption: number;
  consumption: number;
  consumptionUnit: string;
  fixedKeyLabel: string;
  fixedKeyPercent: number;
  amount: number;
  /** §9b(3): no usable intermediate reading, the whole amount split by the fixed keys. */
  fixedKeysOnly: boolean;
}

interface ComparisonRow {
  label: string;
  unit: string;
  current: number;
  previous: number | null;
  changePercent: number | null;
  average: number;
  averageChangePercent: number | null;
  estimated: boolean;
}

export interface StatementDocumentModel {
  standalone: boolean;
  preview: boolean;
  title: string;
  documentNumber: string | null;
  version: number | null;
  createdAt: string | null;
  correctionReason: string | null;
  supersedes: boolean;
  issuer: string;
  property: { name: string; street: string; place: string };
  unit: { label: string; floor: string | null; areaM2: number };
  recipient: string;
  period: { start: string; end: string; days: number };
  usage: { from: string; to: string; days: number; partial: boolean };
  amounts: {
    rows: AmountRow[];
    subtotal: number;
    cut: number;
    cuts: CutRow[];
    total: number;
    co2Credit: number;
    amountDue: number;
  };
  derivation: DerivationRow[];
  occupancyShares: OccupancyShareRow[] | null;
  /** The manager's whole-unit document after a change of tenant: every occupancy's amount. */
  occupancies: Array<{ name: string; from: string; to: string; amountDue: number; fixedKeysOnly: string[] }> | null;
  plant: {
    fuel: Array<{
      date: string | null;
      category: string;
      description: string | null;
      kwh: number | null;
      litres: number | null;
      taxes: number | null;
      amount: number;
    }>;
    operating: Array<{ category: string; description: string | null; amount: number; meteringFee: boolean }>;
    fuelCost: number;
    operatingCost: number;
    cost: number;
    energyKwh: number;
    hotWaterKwh: number | null;
    hotWaterKwhMeasured: boolean;
    /** §9(2) S.4: no volume measured, Q = 32 kWh/m² of this living area. */
    hotWaterKwhFromArea: number | null;
    /** §9(2) S.6: gas billed on its gross calorific value, a computed Q × 1.11. */
    grossCalorific: boolean;
    /** No central hot water: the plant's cost is heating cost. */
    heatingOnly: boolean;
    hotWaterM3: number;
    hotWaterM3FromMeters: boolean;
    hotWaterTempC: number | null;
    districtHeating: boolean;
    hotWaterSharePercent: number | null;
    heatingCost: number;
    hotWaterCost: number;
    coldWaterCost: number;
  };
  energySources: Array<{ category: string; kwh: number; sharePercent: number }>;
  taxesAndLevies: number;
  meteringFees: number;
  co2: null | {
    kg: number;
    area: number;
    kgPerM2: number;
    landlordSharePercent: number;
    tenantSharePercent: number;
    cost: number;
    landlordCost: number;
    tenantCost: number;
    credit: number;
  };
  comparison: ComparisonRow[];
  comparisonNote: string | null;
  readings: Array<{
    serial: string;
    device: string;
    location: string | null;
    start: number | null;
    startNote: string | null;
    end: number | null;
    endNote: string | null;
    consumption: number | null;
    problem: string | null;
    unit: string;
  }>;
  substitutes: string[];
  notices: string[];
  contacts: ReturnType<typeof contactsFor>;
  objection: { organisation: string; months: number };
}

function consumptionUnit(type: CostType, heatingUnit: string): string {
  return type === 'heating' ? (heatingUnit === 'kWh' ? 'kWh' : 'Einheiten') : 'm³';
}

// Formatters are costly to create and a statement formats hundreds of numbers: one per precision.
const fixedFormats = new Map<number, Intl.NumberFormat>();
const de = (value: number, decimals: number): string => {
  let format = fixedFormats.get(decimals);
  if (!format)
    fixedFormats.set(
      decimals,
      (format = new Intl.NumberFormat('de-DE', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })),
    );
  return format.format(value);
};
const quantityFormat = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 3 });
const berlinDate = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' });

function substituteNote(substitute: SubstituteValue, unit: string, area: number): string {
  const devices = substitute.devices.length > 0 ? ` (ohne verwertbaren Ablesewert: ${substitute.devices.join(', ')})` : '';
  switch (substitute.method) {
    case 'previous-period':
      return `Ersatzwert nach §9a Abs. 1 HKVO: Verbrauch des Vorjahreszeitraums, ${de(substitute.previous ?? 0, 3)} ${unit}${devices}.`;
    case 'average-per-m2':
      return `Ersatzwert nach §9a Abs. 1 HKVO: Durchschnittsverbrauch der übrigen Nutzeinheiten, ${de(substitute.perM2 ?? 0, 3)} ${unit} je m² × ${de(area, 2)} m²${devices}.`;
    case 'no-basis':
      return `Ersatzwert nach §9a HKVO: kein Vergleichswert vorhanden, Verteilung nach Fläche${devices}.`;
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const percentChange = (current: number, reference: number | null) =>
  reference === null || reference === 0 ? null : round2(((current - reference) * 100) / reference);

/** The consumption part of a unit's amount, rounded to cents; the fixed part is the rest, so both add up. */
function consumptionPart(unit: StatementUnitData, type: CostType): number {
  const d = unit.derivation[type];
  if (d.method === 'area' || d.totalConsumption === 0) return 0;
  return round2((d.cost * d.consumptionShare * d.consumption) / d.totalConsumption);
}

function propertyAverage(statement: StatementData, type: CostType): number {
  const area = statement.units.reduce((sum, u) => sum + u.areaM2, 0);
  const consumption = statement.units.reduce((sum, u) => sum + u.consumption[type], 0);
  return area === 0 ? 0 : consumption / area;
}

function occupancyFor(unit: StatementUnitData, key: string | null): StatementOccupancyData | null {
  if (key === null) return null;
  return unit.occupancies.find((o) => o.key === key) ?? null;
}

/** The occupancy a tenancy's document is addressed to: the unit itself unless the tenant changed. */
export function addresseeKey(unit: StatementUnitData, tenancyId: number): string | null | undefined {
  const occupancy = unit.occupancies.find((o) => o.tenancyId === tenancyId);
  if (!occupancy) return undefined;
  return unit.occupancies.length > 1 ? occupancy.key : null;
}

function recipientName(unit: StatementUnitData, occupancy: StatementOccupancyData | null): string {
  const named = occupancy ?? (unit.occupancies.length === 1 ? unit.occupancies[0] : null);
  if (!named) return 'alle Nutzer der Wohneinheit';
  return named.tenantName ?? 'Leerstand (Eigentümer)';
}

type ReadingRow = StatementDocumentModel['readings'][number];

const readingNote = (value: BoundaryValue | null) =>
  value
    ? `${value.how === 'set-date' ? 'Stichtagswert, übermittelt am' : 'abgelesen am'} ${value.readOn.split('-').reverse().join('.')}`
    : null;

/**
 * A device's values for the addressee: the period's start and end, or after a change of tenant the
 * intermediate readings that bound the addressee's own part of the period.
 */
function readingRow(reading: DeviceConsumption, usage: { from: string; to: string } | null, period: BillingPeriod): ReadingRow {
  const at = (day: string) => (reading.intermediate ?? []).find((i) => i.day === day)?.value ?? null;
  const start = usage && usage.from !== period.start ? at(usage.from) : reading.start;
  const end = usage && usage.to !== period.end ? at(addDays(usage.to, 1)) : reading.end;
  const ownPart = usage !== null && (usage.from !== period.start || usage.to !== period.end);
  const consumption = !ownPart
    ? reading.consumption
    : start && end && end.value >= start.value
      ? Math.round((end.value - start.value) * 1000) / 1000
      : null;
  const problem = !ownPart
    ? reading.problem
      ? PROBLEM_LABELS[reading.problem]
      : null
    : consumption === null
      ? 'kein Zwischenwert: Verbrauch nach Tagen aufgeteilt'
      : null;
  return {
    serial: reading.serial,
    device: DEVICE_LABELS[reading.type] ?? reading.type,
    location: reading.location,
    start: start?.value ?? null,
    startNote: readingNote(start),
    end: end?.value ?? null,
    endNote: readingNote(end),
    consumption,
    problem,
    unit: reading.type === 'HKV' ? 'Einheiten' : reading.type === 'WMZ' ? 'kWh' : 'm³',
  };
}

function plantModel(statement: StatementData): StatementDocumentModel['plant'] {
  const { plant, combined } = statement.summary;
  const { parameters } = statement;
  return {
    fuel: statement.costs
      .filter((c) => c.kind === 'fuel')
      .map((c) => ({
        date: c.invoiceDate,
        category: c.category,
        description: c.description,
        kwh: c.kwh,
        litres: c.litres,
        taxes: c.taxesAndLevies,
        amount: c.amount,
      })),
    operating: statement.costs
      .filter((c) => c.kind === 'operating')
      .map((c) => ({
        category: c.category,
        description: c.description,
        amount: c.amount,
        meteringFee: METERING_FEE_CATEGORIES.includes(c.category),
      })),
    fuelCost: plant.fuelCost,
    operatingCost: plant.operatingCost,
    cost: plant.cost,
    energyKwh: plant.energyKwh,
    hotWaterKwh: combined?.hotWaterKwh ?? null,
    hotWaterKwhMeasured: combined?.hotWaterKwhSource === 'measured',
    hotWaterKwhFromArea:
      combined?.hotWaterKwhSource === 'area' ? (parameters.heatedAreaM2 ?? statement.units.reduce((sum, u) => sum + u.areaM2, 0)) : null,
    grossCalorific: parameters.grossCalorific === true,
    heatingOnly: !combined,
    hotWaterM3: plant.hotWaterM3,
    hotWaterM3FromMeters: plant.hotWaterM3Source === 'meters',
    hotWaterTempC: parameters.hotWaterTempC,
    districtHeating: parameters.districtHeating,
    hotWaterSharePercent: combined ? round2(combined.hotWaterShare * 100) : null,
    heatingCost: combined?.heatingCost ?? 0,
    hotWaterCost: combined?.hotWaterCost ?? 0,
    coldWaterCost: parameters.coldWaterCost,
  };
}

function energySources(statement: StatementData): StatementDocumentModel['energySources'] {
  const byCategory = new Map<string, number>();
  for (const line of statement.costs)
    if (line.kind === 'fuel') byCategory.set(line.category, (byCategory.get(line.category) ?? 0) + (line.kwh ?? 0));
  const total = [...byCategory.values()].reduce((a, b) => a + b, 0);
  const order = (category: string) => {
    const index = (FUEL_CATEGORIES as readonly string[]).indexOf(category);
    return index === -1 ? FUEL_CATEGORIES.length : index;
  };
  return [...byCategory.entries()]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([category, kwh]) => ({ category, kwh, sharePercent: total === 0 ? 0 : round2((kwh * 100) / total) }));
}

function methodNotices(statement: StatementData): string[] {
  const notices: string[] = [];
  for (const type of COST_TYPES) {
    if (statement.summary.methods[type] !== 'area') continue;
    const estimatedArea = statement.units.filter((u) => u.estimated.includes(type)).reduce((sum, u) => sum + u.areaM2, 0);
    const totalArea = statement.units.reduce((sum, u) => sum + u.areaM2, 0);
    notices.push(
      estimatedArea * 4 > totalArea
        ? `${COST_TYPE_LABELS[type]}: Für ${de((estimatedArea * 100) / totalArea, 1)} % der Fläche liegen nur Ersatzwerte vor (mehr als 25 %). Die Kosten werden daher nach §9a Abs. 2 HKVO ausschließlich nach Fläche verteilt.`
        : `${COST_TYPE_LABELS[type]}: Es wurde kein Verbrauch erfasst; die Kosten werden nach Fläche verteilt.`,
    );
  }
  return notices;
}

/**
 * The view model of one addressee's statement. `occupancyKey` null is the whole unit (its only
 * tenant, or the manager's overview after a change of tenant). Returns null for an unknown unit or
 * occupancy.
 */
export function statementDocumentModel(
  statement: StatementData,
  addressee: Addressee,
  options: { standalone: boolean },
): StatementDocumentModel | null {
  const unit = statement.units.find((u) => u.unitId === addressee.unitId);
  if (!unit) return null;
  const occupancy = occupancyFor(unit, addressee.occupancyKey);
  if (addressee.occupancyKey !== null && !occupancy) return null;
  const partial = occupancy !== null && unit.occupancies.length > 1;
  const heatingUnit = statement.summary.heatingUnit;
  const amounts: StatementAmounts = occupancy?.amounts ?? unit.amounts;
  const consumption = occupancy?.consumption ?? unit.consumption;
  const usage = occupancy ? { from: occupancy.from, to: occupancy.to } : { from: statement.period.start, to: statement.period.end };
  const usageDays = daysBetween(usage.from, usage.to) + 1;
  const periodDays = daysBetween(statement.period.start, statement.period.end) + 1;
  const stored = statement.stored;

  // A heating-only building bills neither hot nor (without its cost) cold water: those rows are left out.
  const billed = statement.summary.costTypes ?? COST_TYPES;
  const derivation: DerivationRow[] = billed.map((type) => {
    const d = unit.derivation[type];
    const part = consumptionPart(unit, type);
    const substitute = unit.substitutes[type];
    return {
      type,
      label: COST_TYPE_LABELS[type],
      byArea: d.method === 'area',
      cost: d.cost,
      consumptionSharePercent: round2(d.consumptionShare * 100),
      fixedSharePercent: round2((1 - d.consumptionShare) * 100),
      totalConsumption: d.totalConsumption,
      consumptionUnit: consumptionUnit(type, heatingUnit),
      priceUnit: consumptionUnit(type, heatingUnit) === 'Einheiten' ? 'Einheit' : consumptionUnit(type, heatingUnit),
      pricePerConsumptionUnit: d.pricePerConsumptionUnit,
      hasFixedPart: d.consumptionShare < 1,
      totalArea: d.totalArea,
      pricePerM2: d.pricePerM2,
      consumption: d.consumption,
      area: d.area,
      consumptionPart: part,
      fixedPart: round2(unit.amounts[type] - part),
      amount: unit.amounts[type],
      estimated: d.estimated,
      substituteNote: substitute ? substituteNote(substitute, consumptionUnit(type, heatingUnit), unit.areaM2) : null,
    };
  });

  const occupancyShares =
    partial && occupancy?.derivation
      ? billed.map((type) => ({
          label: COST_TYPE_LABELS[type],
          unitAmount: unit.amounts[type],
          unitConsumption: unit.consumption[type],
          consumption: occupancy.consumption[type],
          consumptionUnit: consumptionUnit(type, heatingUnit),
          fixedKeyLabel: type === 'heating' ? 'Gradtagzahlen' : 'Tage',
          fixedKeyPercent: round2((type === 'heating' ? occupancy.derivation!.degreeDayShare : occupancy.derivation!.dayShare) * 100),
          amount: occupancy.amounts[type],
          fixedKeysOnly: occupancy.fixedKeysOnly.includes(type),
        }))
      : null;

  const co2 = statement.summary.co2;
  const co2Area = statement.parameters.heatedAreaM2 ?? statement.units.reduce((sum, u) => sum + u.areaM2, 0);
  const comparisonTypes: CostType[] = billed.filter((type) => type !== 'coldWater');
  const comparison = comparisonTypes.map((type) => {
    // An average user of the property: its consumption per m², for this area and (after a change
    // of tenant) for this part of the period, weighted like the fixed costs.
    const share =
      partial && occupancy?.derivation ? (type === 'heating' ? occupancy.derivation.degreeDayShare : occupancy.derivation.dayShare) : 1;
    const average = propertyAverage(statement, type) * unit.areaM2 * share;
    const previous = partial ? null : unit.previous[type];
    return {
      label: COST_TYPE_LABELS[type],
      unit: consumptionUnit(type, heatingUnit),
      current: consumption[type],
      previous,
      changePercent: percentChange(consumption[type], previous),
      average: Math.round(average * 1000) / 1000,
      averageChangePercent: percentChange(consumption[type], average),
      estimated: unit.estimated.includes(type),
    };
  });
  const comparisonNote = partial
    ? 'Ein Vergleich mit dem Vorjahr ist nicht möglich, weil Ihre Nutzung im Abrechnungszeitraum begonnen oder geendet hat.'
    : comparison.some((row) => row.previous === null)
      ? 'Für den Vorjahreszeitraum liegen keine vollständigen Ablesewerte vor; ein Vorjahresvergleich ist daher nicht möglich.'
      : null;

  return {
    standalone: options.standalone,
    preview: stored === null,
    title: 'Heizkostenabrechnung',
    documentNumber: stored?.documentNumber ?? null,
    version: stored?.version ?? null,
    createdAt: stored?.createdAt ?? null,
    correctionReason: stored?.correctionReason ?? null,
    supersedes: (stored?.version ?? 1) > 1,
    issuer: statement.organisationName,
    property: {
      name: statement.property.name,
      street: statement.property.street,
      place: `${statement.property.postalCode} ${statement.property.city}`,
    },
    unit: { label: unit.label, floor: unit.floor, areaM2: unit.areaM2 },
    recipient: recipientName(unit, occupancy),
    period: { start: statement.period.start, end: statement.period.end, days: periodDays },
    usage: { ...usage, days: usageDays, partial },
    amounts: {
      rows: billed.map((type) => ({
        label: COST_TYPE_LABELS[type],
        consumption: consumption[type],
        consumptionUnit: consumptionUnit(type, heatingUnit),
        estimated: unit.estimated.includes(type),
        amount: amounts[type],
      })),
      subtotal: round2(amounts.heating + amounts.hotWater + amounts.coldWater),
      cut: amounts.cut,
      cuts: cutRows(occupancy && partial ? occupancy.cutDetails : unit.cutDetails, unit.cuts, amounts.cut),
      total: amounts.total,
      co2Credit: amounts.co2Credit,
      amountDue: amounts.amountDue,
    },
    derivation,
    occupancyShares,
    occupancies:
      addressee.occupancyKey === null && unit.occupancies.length > 1
        ? unit.occupancies.map((o) => ({
            name: o.tenantName ?? 'Leerstand (Eigentümer)',
            from: o.from,
            to: o.to,
            amountDue: o.amounts.amountDue,
            fixedKeysOnly: o.fixedKeysOnly.map((t) => COST_TYPE_LABELS[t]),
          }))
        : null,
    plant: plantModel(statement),
    energySources: energySources(statement),
    taxesAndLevies: statement.summary.plant.taxesAndLevies,
    meteringFees: statement.summary.plant.meteringFees,
    co2:
      co2 && statement.parameters.co2Kg !== null && statement.parameters.co2Cost !== null
        ? {
            kg: statement.parameters.co2Kg,
            area: co2Area,
            kgPerM2: co2.kgPerM2,
            landlordSharePercent: round2(co2.landlordShare * 100),
            tenantSharePercent: round2(100 - co2.landlordShare * 100),
            cost: statement.parameters.co2Cost,
            landlordCost: co2.landlordCost,
            tenantCost: co2.tenantCost,
            credit: amounts.co2Credit,
          }
        : null,
    comparison,
    comparisonNote,
    readings: unit.readings.map((r) => readingRow(r, partial ? usage : null, statement.period)),
    substitutes: derivation.flatMap((row) => (row.substituteNote ? [`${row.label}: ${row.substituteNote}`] : [])),
    notices: methodNotices(statement),
    contacts: contactsFor(statement.property.federalState),
    objection: { organisation: statement.organisationName, months: 12 },
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });

function formatNumber(value: unknown, decimals: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const places = typeof decimals === 'number' ? decimals : 0;
  return de(value, places);
}

/** 2025-03-16 → 16.03.2025; an ISO instant → its date in Germany. */
function formatDate(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '–';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value.split('-').reverse().join('.');
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? value : berlinDate.format(instant);
}

function signedPercent(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${de(Math.abs(value), 2)} %`;
}

const handlebars = Handlebars.create();
handlebars.registerHelper('euro', (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? euro.format(value) : '–'));
handlebars.registerHelper('number', (value: unknown, decimals: unknown) => formatNumber(value, decimals));
/** Consumptions and meter values: as many decimals as they have, at most 3 (2.048 Einheiten, 30,401 m³). */
handlebars.registerHelper('quantity', (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? quantityFormat.format(value) : '–',
);
handlebars.registerHelper('date', (value: unknown) => formatDate(value));
handlebars.registerHelper('percent', (value: unknown, decimals: unknown) => `${formatNumber(value, decimals)} %`);
handlebars.registerHelper('signedPercent', (value: unknown) => signedPercent(value));
handlebars.registerHelper('minus', (value: unknown) => (typeof value === 'number' ? euro.format(-value) : '–'));

/**
 * The template sits beside this module in the sources; the production web build bundles this
 * module elsewhere but runs from the project root, where the sources are too.
 */
function templatePath(): string {
  const candidates = [
    path.join(import.meta.dirname ?? '', 'templates', 'statement.hbs'),
    path.join(process.cwd(), 'server', 'templates', 'statement.hbs'),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`statement template not found (looked in ${candidates.join(', ')})`);
  return found;
}

let compiled: HandlebarsTemplateDelegate<StatementDocumentModel> | undefined;

/**
 * CSP hash sources of the template's inline <style> blocks (constant text): the statement pages
 * embed the document verbatim, and a strict style-src admits exactly these.
 */
export function statementStyleHashes(): string[] {
  const source = readFileSync(templatePath(), 'utf8');
  return [...source.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (match) =>
      `sha256-${createHash('sha256')
        .update(match[1] ?? '')
        .digest('base64')}`,
  );
}

export function renderStatementHtml(model: StatementDocumentModel): string {
  compiled ??= handlebars.compile<StatementDocumentModel>(readFileSync(templatePath(), 'utf8'), { strict: false });
  return compiled(model);
}

/** File name of a statement document, e.g. Heizkostenabrechnung_2025_Whg-1-03_DOC-2026-00001_v2.pdf */
export function statementFileName(statement: StatementData, unit: { label: string }, occupancyKey: string | null): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const year =
    statement.period.start.slice(0, 4) === statement.period.end.slice(0, 4)
      ? statement.period.start.slice(0, 4)
      : `${statement.period.start}_${statement.period.end}`;
  const parts = [
    'Heizkostenabrechnung',
    year,
    safe(unit.label),
    statement.stored?.documentNumber ?? 'Vorschau',
    statement.stored ? `v${statement.stored.version}` : null,
    occupancyKey ? safe(occupancyKey) : null,
  ];
  return `${parts.filter(Boolean).join('_')}.pdf`;
}

/** The PDF's running footer: which statement, which flat, which version. */
export function statementPageOptions(model: StatementDocumentModel): { footer: string } {
  const id = model.documentNumber ? `${model.documentNumber} · Version ${model.version}` : 'Vorschau';
  return {
    footer: `${model.title} ${formatDate(model.period.start)} – ${formatDate(model.period.end)} · ${model.property.name}, ${model.unit.label} · ${id}`,
  };
}

/** The PDF of a model, with its running footer. */
export function renderStatementPdf(renderer: PdfRenderer, model: StatementDocumentModel): Promise<Buffer> {
  return renderer.renderPdf(renderStatementHtml(model), statementPageOptions(model));
}

/** Every document a stored statement has: each unit's, and after a change of tenant each occupancy's too. */
export function statementAddressees(statement: StatementData): Addressee[] {
  return statement.units.flatMap((unit) => [
    { unitId: unit.unitId, occupancyKey: null },
    ...(unit.occupancies.length > 1 ? unit.occupancies.map((o) => ({ unitId: unit.unitId, occupancyKey: o.key })) : []),
  ]);
}

/**
 * The stored PDF row of a statement for one addressee: the stored one if it was rendered before
 * (never rendered again), else rendered and stored (encrypted, hashed). Null for an addressee the
 * statement does not have. Concurrent first renders store one row (storeDocument finds the other's).
 */
export async function ensureStatementDocument(
  db: Db,
  renderer: PdfRenderer,
  statement: StatementData,
  addressee: Addressee,
  createdBy: number | null,
): Promise<{ row: Document; rendered: boolean } | null> {
  const stored = statement.stored;
  if (!stored) throw new Error('only stored statements have documents');
  const identity = { statementId: stored.id, unitId: addressee.unitId, occupancyKey: addressee.occupancyKey };
  const existing = await findStatementDocument(db, identity);
  if (existing) return { row: existing, rendered: false };
  const model = statementDocumentModel(statement, addressee, { standalone: true });
  if (!model) return null;
  const row = await storeDocument(db, {
    kind: 'statement',
    ...identity,
    version: stored.version,
    fileName: statementFileName(statement, model.unit, addressee.occupancyKey),
    contentType: 'application/pdf',
    content: await renderStatementPdf(renderer, model),
    createdBy,
  });
  return { row, rendered: true };
}

/**
 * The PDF of a stored statement for one addressee: rendered and stored (encrypted, hashed) on first
 * request, afterwards the stored one, decrypted and verified. Each delivery is audited with the
 * document's hash. Null for an addressee the statement does not have.
 */
export async function statementPdf(
  db: Db,
  renderer: PdfRenderer,
  statement: StatementData,
  addressee: Addressee,
  actor: Actor,
): Promise<(OpenedDocument & { rendered: boolean }) | null> {
  const stored = statement.stored;
  if (!stored) throw new Error('only stored statements have documents');
  const ensured = await ensureStatementDocument(db, renderer, statement, addressee, actor.userId);
  if (!ensured) return null;
  const { rendered } = ensured;
  const document = openDocument(ensured.row);
  await appendAudit(db, {
    organisationId: actor.organisationId ?? statement.property.organisationId,
    actorId: actor.userId,
    actor: actor.email,
    action: 'statement_document_downloaded',
    entity: 'document',
    entityId: document.id,
    ip: actor.ip ?? null,
    details: {
      statementId: stored.id,
      documentNumber: stored.documentNumber,
      version: stored.version,
      unitId: addressee.unitId,
      occupancyKey: addressee.occupancyKey,
      sha256: document.sha256,
      rendered,
    },
  });
  return { ...document, rendered };
}
