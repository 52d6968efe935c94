// The dashboard's figures from counted facts: radio quality, the heating comparison by month and
// the inquiries per 100 units and month. Pure, so the page, the tests and a bench agree.
import { addDays } from './dates';
import type { Light } from './deadlines';
import type { YearMonth } from './monthly';
import type { Permission } from './permissions';

/** Remotely read devices count as reporting when their last reading is at most this old. */
export const RADIO_WINDOW_DAYS = 7;

/** Deadline horizons the dashboard counts, in days from today. */
export const DEADLINE_HORIZONS = [30, 90] as const;

/**
 * The obligations whose deadlines the dashboard counts, each with the page where they are worked on
 * and the permission that page needs (a viewer without it sees the count without a link).
 */
export const DEADLINE_KINDS = {
  device: { label: 'Geräte (Eichung, Batterie, Wartung)', path: '/geraete', permission: 'read:register:own' },
  legionella: { label: 'Legionellenprüfung', path: '/trinkwasser', permission: 'create:archive:any' },
  'cost-data': { label: 'Kostendaten für die Abrechnung', path: '/abrechnungen', permission: 'read:statement:own' },
  'archive-retention': { label: 'Ablauf der Aufbewahrungsfrist', path: '/nachweise', permission: 'read:archive:own' },
} as const satisfies Record<string, { label: string; path: string; permission: Permission }>;
export type DeadlineKind = keyof typeof DEADLINE_KINDS;

/** One kind's open deadlines: passed, and due within each horizon from today (both inclusive). */
export interface DeadlineCount {
  kind: DeadlineKind;
  overdue: number;
  within30: number;
  within90: number;
}

/** `n` deadlines of one kind all due on `dueAt` (YYYY-MM-DD), counted against today. */
export function deadlinesOnDate(kind: DeadlineKind, dueAt: string, today: string, n: number): DeadlineCount {
  // ISO dates compare as strings.
  const overdue = dueAt < today;
  return {
    kind,
    overdue: overdue ? n : 0,
    within30: !overdue && dueAt <= addDays(today, 30) ? n : 0,
    within90: !overdue && dueAt <= addDays(today, 90) ? n : 0,
  };
}

/** The totals over all kinds, as the "Nächste Fristen" figure shows them. */
export function deadlineTotals(kinds: readonly DeadlineCount[]): {
  overdue: number;
  within: Record<(typeof DEADLINE_HORIZONS)[number], number>;
} {
  const sum = (pick: (c: DeadlineCount) => number) => kinds.reduce((total, c) => total + pick(c), 0);
  return { overdue: sum((c) => c.overdue), within: { 30: sum((c) => c.within30), 90: sum((c) => c.within90) } };
}

/** Open tickets count as at SLA risk when breached or due within this many hours. */
export const SLA_RISK_HOURS = 24;

/** The inquiries trend shows at most this many months back from the current one. */
export const TREND_MONTHS_MAX = 24;

/**
 * Share of remotely read devices that reported within the window, in tenths of a percent rounded
 * half up (987 → 98,7 %); null without remotely read devices.
 */
export function radioQualityPermille(reporting: number, remote: number): number | null {
  if (remote <= 0) return null;
  return Math.floor((reporting * 2000 + remote) / (2 * remote));
}

/** "98,7 %" from tenths of a percent. */
export function formatPermille(permille: number | null): string {
  if (permille === null) return '–';
  return `${Math.floor(permille / 10)},${permille % 10} %`;
}

/** 'YYYY-MM' of a calendar date 'YYYY-MM-DD' (or of a month's first day). */
export function monthOf(date: string): YearMonth {
  return date.slice(0, 7);
}

export function addMonths(month: YearMonth, delta: number): YearMonth {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `first` to `last`, both included; empty when first is after last. */
export function monthRange(first: YearMonth, last: YearMonth): YearMonth[] {
  const months: YearMonth[] = [];
  for (let month = first; month <= last; month = addMonths(month, 1)) months.push(month);
  return months;
}

export interface HeatingMonth {
  /** 'MM' of the month: January to December. */
  month: YearMonth;
  thisYear: number | null;
  lastYear: number | null;
}

/**
 * The heating comparison: January to the current month of this year against the same months of
 * last year, in whole kWh; a month without published information is null (not 0: nothing known).
 */
export function heatingComparison(
  totals: ReadonlyArray<{ month: YearMonth; heatingKwh: number }>,
  currentMonth: YearMonth,
): HeatingMonth[] {
  const byMonth = new Map(totals.map((t) => [t.month, Math.round(t.heatingKwh)]));
  const year = Number(currentMonth.slice(0, 4));
  return monthRange(`${year}-01`, currentMonth).map((month) => ({
    month,
    thisYear: byMonth.get(month) ?? null,
    lastYear: byMonth.get(`${year - 1}${month.slice(4)}`) ?? null,
  }));
}

export interface InquiryMonth {
  month: YearMonth;
  inquiries: number;
  /** Per 100 units, in hundredths (1250 → 12,50); null without units. */
  per100Units: number | null;
}

/**
 * Inquiries (tickets and objections) per 100 units and month from go-live (the first property's
 * month) to the current one, at most TREND_MONTHS_MAX months; a month without any is 0.
 */
export function inquiryTrend(
  counts: ReadonlyArray<{ month: YearMonth; inquiries: number }>,
  units: number,
  goLive: YearMonth,
  currentMonth: YearMonth,
): InquiryMonth[] {
  const earliest = addMonths(currentMonth, -(TREND_MONTHS_MAX - 1));
  const byMonth = new Map(counts.map((c) => [c.month, c.inquiries]));
  return monthRange(goLive > earliest ? goLive : earliest, currentMonth).map((month) => {
    const inquiries = byMonth.get(month) ?? 0;
    // Integer arithmetic, rounded half up to hundredths.
    return { month, inquiries, per100Units: units > 0 ? Math.floor((inquiries * 20000 + units) / (2 * units)) : null };
  });
}

/** "12,50" from hundredths. */
export function formatHundredths(value: number | null): string {
  if (value === null) return '–';
  return `${Math.floor(value / 100).toLocaleString('de-DE')},${String(value % 100).padStart(2, '0')}`;
}

/** How many property rows the dashboard's table shows per page. */
export const OBJECTS_PAGE_SIZE = 20;

const LIGHT_RANK: Readonly<Record<Light, number>> = { red: 0, yellow: 1, green: 2 };

/**
 * One page of the property table, those needing attention first (red, yellow, green, no devices),
 * then in the given order; `page` is clamped to the pages there are.
 */
export function objectsPage<T extends { status: Light | null }>(
  rows: readonly T[],
  page: number,
  size = OBJECTS_PAGE_SIZE,
): { rows: T[]; page: number; pageCount: number; total: number } {
  const rank = (row: T) => (row.status === null ? 3 : LIGHT_RANK[row.status]);
  // Array.prototype.sort is stable, so equal ranks keep the given (name) order.
  const sorted = [...rows].sort((a, b) => rank(a) - rank(b));
  const pageCount = Math.max(1, Math.ceil(sorted.length / size));
  const current = Math.min(Math.max(1, page), pageCount);
  return { rows: sorted.slice((current - 1) * size, current * size), page: current, pageCount, total: sorted.length };
}
