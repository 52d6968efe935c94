// German public holidays per federal state (Länder feiertagsgesetze), as calendar dates. Only
// holidays that apply to a whole state are modelled: municipal ones (Augsburger Friedensfest,
// Mariä Himmelfahrt in Catholic Bavarian communities, Fronleichnam in parts of Saxony and
// Thuringia) would need the property's municipality, which the portal does not know.
import { addDays, daysBetween, formatDate, parseDate } from './dates';

export const FEDERAL_STATES = ['BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV', 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH'] as const;
export type FederalState = (typeof FEDERAL_STATES)[number];

export const FEDERAL_STATE_NAMES: Readonly<Record<FederalState, string>> = {
  BW: 'Baden-Württemberg',
  BY: 'Bayern',
  BE: 'Berlin',
  BB: 'Brandenburg',
  HB: 'Bremen',
  HH: 'Hamburg',
  HE: 'Hessen',
  MV: 'Mecklenburg-Vorpommern',
  NI: 'Niedersachsen',
  NW: 'Nordrhein-Westfalen',
  RP: 'Rheinland-Pfalz',
  SL: 'Saarland',
  SN: 'Sachsen',
  ST: 'Sachsen-Anhalt',
  SH: 'Schleswig-Holstein',
  TH: 'Thüringen',
};

export function isFederalState(value: unknown): value is FederalState {
  return typeof value === 'string' && (FEDERAL_STATES as readonly string[]).includes(value);
}

export interface Holiday {
  date: string; // YYYY-MM-DD
  name: string;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(date: string): number {
  return (((daysBetween('1970-01-01', date) + 4) % 7) + 7) % 7;
}

/** Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatDate({ year, month, day });
}

/** Buß- und Bettag: the last Wednesday before 23 November (so between 16 and 22 November). */
export function repentanceDay(year: number): string {
  const nov22 = formatDate({ year, month: 11, day: 22 });
  return addDays(nov22, -((weekdayOf(nov22) - 3 + 7) % 7));
}

type StateRule = readonly FederalState[] | 'all';

interface HolidayRule {
  name: string;
  dateIn(year: number): string;
  states: StateRule;
  /** First and last year the rule applies (inclusive). */
  from?: number;
  until?: number;
}

const fixed = (month: number, day: number) => (year: number) => formatDate({ year, month, day });
const fromEaster = (days: number) => (year: number) => addDays(easterSunday(year), days);

const REFORMATION_ALWAYS: FederalState[] = ['BB', 'MV', 'SN', 'ST', 'TH'];
const REFORMATION_SINCE_2018: FederalState[] = ['HB', 'HH', 'NI', 'SH'];

const RULES: readonly HolidayRule[] = [
  { name: 'Neujahr', dateIn: fixed(1, 1), states: 'all' },
  { name: 'Heilige Drei Könige', dateIn: fixed(1, 6), states: ['BW', 'BY', 'ST'] },
  { name: 'Internationaler Frauentag', dateIn: fixed(3, 8), states: ['BE'], from: 2019 },
  { name: 'Internationaler Frauentag', dateIn: fixed(3, 8), states: ['MV'], from: 2023 },
  { name: 'Karfreitag', dateIn: fromEaster(-2), states: 'all' },
  { name: 'Ostersonntag', dateIn: fromEaster(0), states: ['BB', 'HE'] },
  { name: 'Ostermontag', dateIn: fromEaster(1), states: 'all' },
  { name: 'Tag der Arbeit', dateIn: fixed(5, 1), states: 'all' },
  // One-off holidays by state law: the 75th and 80th anniversaries of the end of the war.
  { name: 'Tag der Befreiung', dateIn: fixed(5, 8), states: ['BE'], from: 2020, until: 2020 },
  { name: 'Tag der Befreiung', dateIn: fixed(5, 8), states: ['BE'], from: 2025, until: 2025 },
  { name: 'Christi Himmelfahrt', dateIn: fromEaster(39), states: 'all' },
  { name: 'Pfingstsonntag', dateIn: fromEaster(49), states: ['BB', 'HE'] },
  { name: 'Pfingstmontag', dateIn: fromEaster(50), states: 'all' },
  { name: 'Fronleichnam', dateIn: fromEaster(60), states: ['BW', 'BY', 'HE', 'NW', 'RP', 'SL'] },
  { name: 'Mariä Himmelfahrt', dateIn: fixed(8, 15), states: ['SL'] },
  { name: 'Weltkindertag', dateIn: fixed(9, 20), states: ['TH'], from: 2019 },
  { name: 'Tag der Deutschen Einheit', dateIn: fixed(10, 3), states: 'all', from: 1990 },
  { name: 'Reformationstag', dateIn: fixed(10, 31), states: REFORMATION_ALWAYS },
  { name: 'Reformationstag', dateIn: fixed(10, 31), states: REFORMATION_SINCE_2018, from: 2018 },
  // The 500th anniversary of the Reformation was a holiday everywhere.
  {
    name: 'Reformationstag',
    dateIn: fixed(10, 31),
    states: FEDERAL_STATES.filter((s) => !REFORMATION_ALWAYS.includes(s)),
    from: 2017,
    until: 2017,
  },
  { name: 'Allerheiligen', dateIn: fixed(11, 1), states: ['BW', 'BY', 'NW', 'RP', 'SL'] },
  // Nationwide until 1994 (abolished to fund the care insurance), kept by Saxony.
  { name: 'Buß- und Bettag', dateIn: repentanceDay, states: ['SN'], from: 1995 },
  { name: 'Buß- und Bettag', dateIn: repentanceDay, states: 'all', until: 1994 },
  { name: '1. Weihnachtstag', dateIn: fixed(12, 25), states: 'all' },
  { name: '2. Weihnachtstag', dateIn: fixed(12, 26), states: 'all' },
];

function applies(rule: HolidayRule, year: number, state: FederalState): boolean {
  if (rule.from !== undefined && year < rule.from) return false;
  if (rule.until !== undefined && year > rule.until) return false;
  return rule.states === 'all' || rule.states.includes(state);
}

const cache = new Map<string, Holiday[]>();

/** The state's public holidays of a year, in date order. */
export function holidaysOf(year: number, state: FederalState): Holiday[] {
  const key = `${state}-${year}`;
  let holidays = cache.get(key);
  if (!holidays) {
    holidays = RULES.filter((rule) => applies(rule, year, state))
      .map((rule) => ({ date: rule.dateIn(year), name: rule.name }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    cache.set(key, holidays);
  }
  return holidays;
}

/** The holiday on this date in this state, if any. */
export function holidayOn(date: string, state: FederalState): Holiday | null {
  return holidaysOf(parseDate(date).year, state).find((h) => h.date === date) ?? null;
}
