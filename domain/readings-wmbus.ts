// Radio readings as the gateway software wmbusmeters prints them: one JSON object per decoded
// wireless M-Bus telegram and line (shared/READINGS.md). Each line maps on its own to a reading or to
// a skip with its reason, so one odd telegram never stops a batch. Pure: which serials exist and
// what is stored already is the caller's business.
//
// Decisions where the contract leaves room (kept deliberately literal):
// - `line` is the ordinal of the line among the non-blank input lines ("`line` counts input lines
//   from 1, blank lines skipped": the count skips them). A line is blank when it holds nothing but
//   whitespace. Lines end at LF, CRLF or a lone CR; a byte-order mark before the first line is ignored.
// - "numeric" and "a number" mean a JSON number (finite): a numeric string such as "12.5" is text,
//   not a reading, exactly as a set-date value must be "a number". null counts as absent.
// - `media` matches the contract's strings exactly (wmbusmeters prints them in lower case); anything
//   else, including a missing medium, is an unsupported medium.
// - `status` null counts as absent ("ok"); any other non-"OK" text is passed on unchanged.
// - A supported line without a usable `id` (string or number) is skipped as "missing id": there is
//   no device to book it on.

export type WmbusKind = 'HKV' | 'WZ-W' | 'WZ-K' | 'WZ' | 'WMZ' | 'RWM';
export type WmbusUnit = 'hca' | 'm3' | 'kWh';

export interface WmbusReading {
  line: number;
  serial: string;
  kind: WmbusKind;
  value: number | null;
  unit: WmbusUnit | null;
  /** YYYY-MM-DD as the device reports it (the first 10 characters of its date). */
  setDate: string | null;
  setDateValue: number | null;
  /** "ok", or the device's status text unchanged (its health). */
  status: string;
}

export interface WmbusSkipped {
  line: number;
  skipped: string;
}

export type WmbusResult = WmbusReading | WmbusSkipped;

/** A decoded telegram: one JSON object as wmbusmeters prints it. */
export type WmbusTelegram = Readonly<Record<string, unknown>>;

export const SKIP_NOT_JSON = 'not JSON';
export const SKIP_NO_VALUE = 'no consumption value';
export const SKIP_NO_ID = 'missing id';

const KIND_BY_MEDIA: ReadonlyMap<string, WmbusKind> = new Map([
  ['heat cost allocation', 'HKV'],
  ['heat cost allocator', 'HKV'],
  ['warm water', 'WZ-W'],
  ['cold water', 'WZ-K'],
  ['water', 'WZ'],
  ['heat', 'WMZ'],
  ['heat volume at inlet', 'WMZ'],
  ['heat volume at outlet', 'WMZ'],
  ['smoke detector', 'RWM'],
]);

type MeteringKind = Exclude<WmbusKind, 'RWM'>;
type Family = 'HKV' | 'WZ' | 'WMZ';

const FAMILY: Readonly<Record<MeteringKind, Family>> = { HKV: 'HKV', 'WZ-W': 'WZ', 'WZ-K': 'WZ', WZ: 'WZ', WMZ: 'WMZ' };

const UNIT: Readonly<Record<Family, WmbusUnit>> = { HKV: 'hca', WZ: 'm3', WMZ: 'kWh' };

/** Current-reading fields in order of precedence, each with its conversion to the family's unit. */
const VALUE_FIELDS: Readonly<Record<Family, readonly (readonly [field: string, toUnit: (x: number) => number])[]>> = {
  HKV: [
    ['current_consumption_hca', same],
    ['consumption_hca', same],
    ['current_hca', same],
  ],
  WZ: [['total_m3', same]],
  WMZ: [
    ['total_energy_consumption_kwh', same],
    ['total_kwh', same],
    ['total_energy_kwh', same],
    ['current_kwh', same],
    ['heat_kwh', same],
    // Evaluated as written in the contract (× 1000 / 3.6, / 3.6) so results agree to the last bit.
    ['total_energy_consumption_gj', (gj) => (gj * 1000) / 3.6],
    ['total_energy_consumption_mj', (mj) => mj / 3.6],
  ],
};

/** (date field, value field) pairs for the billing-day value, in order of precedence. */
const SET_DATE_PAIRS: Readonly<Record<Family, readonly (readonly [dateField: string, valueField: string])[]>> = {
  HKV: [
    ['set_date', 'consumption_at_set_date_hca'],
    ['set_date_1', 'consumption_at_set_date_1_hca'],
    ['target_date', 'target_hca'],
  ],
  WZ: [
    ['target_date', 'target_m3'],
    ['set_date', 'consumption_at_set_date_m3'],
  ],
  WMZ: [['target_date', 'target_kwh']],
};

function same(x: number): number {
  return x;
}

function numberAt(telegram: WmbusTelegram, field: string): number | null {
  const value = telegram[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function currentValue(telegram: WmbusTelegram, family: Family): number | null {
  for (const [field, toUnit] of VALUE_FIELDS[family]) {
    const value = numberAt(telegram, field);
    if (value !== null) return toUnit(value);
  }
  return null;
}

function setDateReading(telegram: WmbusTelegram, family: Family): { setDate: string; setDateValue: number } | null {
  for (const [dateField, valueField] of SET_DATE_PAIRS[family]) {
    const date = telegram[dateField];
    const value = numberAt(telegram, valueField);
    if (typeof date === 'string' && date !== '' && value !== null) return { setDate: date.slice(0, 10), setDateValue: value };
  }
  return null;
}

function statusOf(telegram: WmbusTelegram): string {
  const status = telegram.status;
  if (status === undefined || status === null || status === 'OK') return 'ok';
  return typeof status === 'string' ? status : JSON.stringify(status);
}

function serialOf(telegram: WmbusTelegram): string | null {
  const id = telegram.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return null;
}

function describeMedia(media: unknown): string {
  if (media === undefined) return '(missing)';
  return typeof media === 'string' ? media : JSON.stringify(media);
}

/** The JSON object on one line, or null when the line is not JSON or not an object. */
export function parseTelegram(text: string): WmbusTelegram | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as WmbusTelegram) : null;
}

/** One decoded telegram → a reading or a skip with its reason (shared/READINGS.md). */
export function mapTelegram(telegram: WmbusTelegram, line: number): WmbusResult {
  const kind = typeof telegram.media === 'string' ? KIND_BY_MEDIA.get(telegram.media) : undefined;
  if (kind === undefined) return { line, skipped: `unsupported medium: ${describeMedia(telegram.media)}` };
  const serial = serialOf(telegram);
  if (serial === null) return { line, skipped: SKIP_NO_ID };
  const status = statusOf(telegram);
  if (kind === 'RWM') return { line, serial, kind, value: null, unit: null, setDate: null, setDateValue: null, status };

  const family = FAMILY[kind];
  const value = currentValue(telegram, family);
  const atSetDate = setDateReading(telegram, family);
  if (value === null && atSetDate === null) return { line, skipped: SKIP_NO_VALUE };
  return {
    line,
    serial,
    kind,
    value,
    unit: UNIT[family],
    setDate: atSetDate?.setDate ?? null,
    setDateValue: atSetDate?.setDateValue ?? null,
    status,
  };
}

/** One input line (without its line break) → its result; `line` is its number as parseWmbusLines counts. */
export function parseWmbusLine(text: string, line: number): WmbusResult {
  const telegram = parseTelegram(text);
  return telegram === null ? { line, skipped: SKIP_NOT_JSON } : mapTelegram(telegram, line);
}

/** Whether a line holds nothing but whitespace (it produces no result and is not counted). */
export function isBlankLine(text: string): boolean {
  return text.trim() === '';
}

/** The non-blank lines of a file with their numbers (1, 2, 3, … over the non-blank lines). */
export function numberedLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (!isBlankLine(raw)) lines.push({ line: lines.length + 1, text: raw });
  }
  return lines;
}

/** A whole wmbusmeters output (JSON lines) → one result per non-blank line, in input order. */
export function parseWmbusLines(text: string): WmbusResult[] {
  return numberedLines(text).map(({ line, text: lineText }) => parseWmbusLine(lineText, line));
}

export function isSkipped(result: WmbusResult): result is WmbusSkipped {
  return 'skipped' in result;
}
