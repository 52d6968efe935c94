// The cuts a statement applies on its own from what the portal knows (docs/rules.md §1 "Cuts"),
// each with the reason in words, and the manager's own ones:
// - §12(1) S.1 HKVO, 15 %: a cost type not billed by consumption;
// - §12(1) S.2 with §5(2)/(3), 3 %: devices not remotely readable that had to be (installed after
//   1 December 2021, or any device once the retrofit deadline of 31 December 2026 has passed);
// - §12(1) S.3 with §6a, 3 % per tenant: months of the tenancy without the monthly information;
// - §7(4) CO2KostAufG, 3 %: the CO₂ split not determined and shown although the fuel bears a CO₂ price.
// The first two cut a whole unit and go through the engine; the last two belong to a tenant and cut
// that tenant's share only. Cold water is never cut; a vacancy (the landlord's own share) neither.
import { addDays, daysInMonth, parseDate } from '../dates';
import { DEVICE_TYPE_LABELS } from '../device-labels';
import { formatDate } from '../format';
import { CUT_PERCENT, CUT_RULES, type BillingPeriod, type CutInput, type CutReason, type HkvoCostType } from './types';

export type StatementCutReason = CutReason | 'co2-not-shown';

export const STATEMENT_CUT_PERCENT: Readonly<Record<StatementCutReason, number>> = { ...CUT_PERCENT, 'co2-not-shown': 3 };

export const CUT_TITLES: Readonly<Record<StatementCutReason, string>> = {
  'not-consumption-based': 'nicht verbrauchsabhängig abgerechnet',
  'no-remote-reading': 'Ausstattung nicht fernablesbar',
  'no-monthly-info': 'monatliche Verbrauchsinformation fehlte',
  'co2-not-shown': 'CO₂-Kostenaufteilung nicht ausgewiesen',
};

export const CUT_LAWS: Readonly<Record<StatementCutReason, string>> = {
  'not-consumption-based': '§12 Abs. 1 S. 1 HKVO',
  'no-remote-reading': '§12 Abs. 1 S. 2 HKVO',
  'no-monthly-info': '§12 Abs. 1 S. 3 HKVO',
  'co2-not-shown': '§7 Abs. 4 CO2KostAufG',
};

/** One cut on a statement: what, why, and what it takes off the addressee's amount. */
export interface AppliedCut {
  reason: StatementCutReason;
  /** The input the engine got for a unit's cut (`not-consumption-based:heating` …); null for a tenant's cut. */
  input: CutInput | null;
  costTypes: HkvoCostType[];
  percent: number;
  source: 'automatic' | 'manual';
  /** Why, in German, as printed on the statement. */
  explanation: string;
  /** Euros off the addressee's amount. */
  amount: number;
}

/** The manager's own cut of one unit (or of all: unitId null), with the reason printed on the statement. */
export interface ManualCut {
  unitId: number | null;
  cut: CutInput;
  reason: string;
}

/** A percentage of whole cents, rounded half up (docs/rules.md §1 "Rounding": single values). */
export function percentOfCents(cents: number, percent: number): number {
  const halfUp = cents * percent + 50;
  return (halfUp - (halfUp % 100)) / 100;
}

/** A cut's cents from the amounts it applies to, each cost type rounded on its own like the engine does. */
export function cutCents(amounts: Readonly<Record<HkvoCostType, number>>, costTypes: readonly HkvoCostType[], percent: number): number {
  let cents = 0;
  for (const type of costTypes) cents += percentOfCents(amounts[type], percent);
  return cents;
}

export function costTypesOf(input: CutInput): HkvoCostType[] {
  return [...CUT_RULES[input].costTypes];
}

// ---- §5(2)/(3) HKVO: remote reading ----

/** §5(2): devices installed after this day must be remotely readable. */
export const REMOTE_READING_REQUIRED_AFTER = '2021-12-01';
/** §5(3): older devices must be retrofitted or replaced by this day. */
export const REMOTE_RETROFIT_DEADLINE = '2026-12-31';

export interface RemoteReadingDevice {
  serial: string;
  type: keyof typeof DEVICE_TYPE_LABELS;
  installedAt: string;
  remoteReadable: boolean;
}

/**
 * The unit's §12(1) S.2 cut, explained, or null: HKVO devices (heat and hot water, not cold water)
 * used in the period that are not remotely readable although §5(2) (installed after 1.12.2021) or,
 * for a period reaching past 31.12.2026, §5(3) required it.
 */
export function remoteReadingCut(devices: readonly RemoteReadingDevice[], period: BillingPeriod): string | null {
  const retrofitPassed = period.end > REMOTE_RETROFIT_DEADLINE;
  const newer: string[] = [];
  const older: string[] = [];
  for (const device of devices) {
    if (device.remoteReadable) continue;
    const label = `${DEVICE_TYPE_LABELS[device.type]} ${device.serial} (eingebaut am ${formatDate(device.installedAt)})`;
    if (device.installedAt > REMOTE_READING_REQUIRED_AFTER) newer.push(label);
    else if (retrofitPassed) older.push(label);
  }
  if (newer.length === 0 && older.length === 0) return null;
  const parts = [];
  if (newer.length > 0) parts.push(`nach dem 01.12.2021 eingebaut und nicht fernablesbar (§5 Abs. 2 HKVO): ${newer.join(', ')}`);
  if (older.length > 0) parts.push(`bis 31.12.2026 nicht auf Fernablesung umgerüstet (§5 Abs. 3 HKVO): ${older.join(', ')}`);
  return `Erfassungsgeräte ${parts.join('; ')}.`;
}

// ---- §6a HKVO: monthly information ----

/** §6a applies from January 2022 (in force since 1 December 2021). */
export const MONTHLY_INFORMATION_FROM = '2022-01';

const monthEnd = (month: string) => {
  const { year, month: m } = parseDate(`${month}-01`);
  return `${month}-${String(daysInMonth(year, m)).padStart(2, '0')}`;
};
const nextMonth = (month: string) => addDays(monthEnd(month), 1).slice(0, 7);

/**
 * The months of the period for which the tenancy was owed its monthly information: every whole
 * calendar month of the period the tenant had the flat for (a month of a tenant change is owed to
 * neither tenant, as the monthly run does it), from January 2022 and from `since` (the first month
 * the portal informed the property's tenants: before it, the portal cannot know) on, and only once
 * the month after it has passed by `asOf` (the information is due within that month).
 */
export function owedInformationMonths(
  tenancy: { startsOn: string; endsOn: string | null },
  period: BillingPeriod,
  asOf: string | undefined,
  since: string = MONTHLY_INFORMATION_FROM,
): string[] {
  const months: string[] = [];
  let month = period.start.slice(0, 7);
  if (month < MONTHLY_INFORMATION_FROM) month = MONTHLY_INFORMATION_FROM;
  if (month < since) month = since;
  for (; `${month}-01` <= period.end; month = nextMonth(month)) {
    const first = `${month}-01`;
    const last = monthEnd(month);
    if (first < period.start || last > period.end) continue;
    if (tenancy.startsOn > first || (tenancy.endsOn !== null && tenancy.endsOn < last)) continue;
    if (asOf !== undefined && monthEnd(nextMonth(month)) >= asOf) continue;
    months.push(month);
  }
  return months;
}

/** "01/2025" */
const shortMonth = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;

/** The tenant's §12(1) S.3 cut, explained, or null when every owed month was informed (or nothing is known). */
export function monthlyInformationCut(
  tenancy: { startsOn: string; endsOn: string | null; informedMonths?: readonly string[] },
  period: BillingPeriod,
  asOf: string | undefined,
  since: string | undefined,
): string | null {
  if (!tenancy.informedMonths || since === undefined) return null;
  const informed = new Set(tenancy.informedMonths);
  const owed = owedInformationMonths(tenancy, period, asOf, since);
  const missing = owed.filter((month) => !informed.has(month));
  if (missing.length === 0) return null;
  return (
    `Die monatliche Verbrauchsinformation (§6a HKVO) wurde für ${missing.length} von ${owed.length} Monaten nicht bereitgestellt: ` +
    `${missing.map(shortMonth).join(', ')}.`
  );
}

// ---- §7(4) CO2KostAufG ----

/** Fuels that carry a CO₂ price (BEHG), district heating from them included. */
export const CO2_PRICED_FUELS: readonly string[] = ['Erdgas', 'Heizöl', 'Fernwärme', 'Flüssiggas'];
/** The CO2KostAufG applies to billing periods starting on or after 1 January 2023 (§11). */
export const CO2_SPLIT_FROM = '2023-01-01';

/** The tenant's §7(4) CO2KostAufG cut, explained, or null when the split is shown or not owed. */
export function co2Cut(period: BillingPeriod, fuelCategories: readonly string[], co2Shown: boolean): string | null {
  if (co2Shown || period.start < CO2_SPLIT_FROM) return null;
  const priced = [...new Set(fuelCategories.filter((category) => CO2_PRICED_FUELS.includes(category)))];
  if (priced.length === 0) return null;
  return (
    `Die Kohlendioxidkosten (${priced.join(', ')}) wurden nicht nach dem CO2KostAufG zwischen Vermieter und Mieter aufgeteilt ` +
    `und ausgewiesen; Ihr Anteil an den Heiz- und Warmwasserkosten wird daher um 3 % gekürzt.`
  );
}

// ---- §12(1) S.1: not billed by consumption ----

export function notByConsumptionExplanation(type: HkvoCostType, estimatedAreaPercent: number | null): string {
  const label = type === 'heating' ? 'Heizung' : 'Warmwasser';
  return estimatedAreaPercent !== null
    ? `${label} wurde nicht nach Verbrauch abgerechnet: für ${estimatedAreaPercent.toLocaleString('de-DE', { maximumFractionDigits: 1 })} % der Fläche lagen nur Ersatzwerte vor (mehr als 25 %, §9a Abs. 2 HKVO).`
    : `${label} wurde nicht nach Verbrauch abgerechnet: es wurde kein Verbrauch erfasst.`;
}
