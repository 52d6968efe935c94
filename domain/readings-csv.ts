// Readings as radio collection software exports them (CSV), and as a manager types them in: every
// row is validated on its own and each error names its line and field, so a file can be fixed in
// one pass. German exports are the norm: `;` separators, decimal commas, dd.mm.yyyy hh:mm times in
// German local time. Pure: which serials exist and what is stored already is checked by the caller.
import type { DeviceType } from './deadlines';
import { zonedTimeToInstant } from './calendar';
import { isDate } from './dates';

/** Field names as the report shows them (German UI). */
export const READING_FIELDS = {
  serial: 'Zählernummer',
  readAt: 'Zeitpunkt',
  value: 'Wert',
  unit: 'Einheit',
  setDateValue: 'Stichtagswert',
} as const;
export type ReadingField = keyof typeof READING_FIELDS;

/** Errors about the file as a whole rather than one of its fields. */
export const FILE_FIELD = 'Datei';
export const HEADER_FIELD = 'Kopfzeile';

/** The units readings are stored in. */
export type ReadingUnit = 'Einheiten' | 'm³' | 'kWh';

/** What each device type reports; smoke alarms report nothing to consume. */
export const UNIT_FOR_DEVICE: Readonly<Record<DeviceType, ReadingUnit | null>> = {
  HKV: 'Einheiten',
  'WZ-K': 'm³',
  'WZ-W': 'm³',
  WMZ: 'kWh',
  GZ: 'm³',
  RWM: null,
};

export interface ReadingRow {
  /** 1-based line of the file where the row starts (1 for a manual entry). */
  line: number;
  serial: string;
  readAt: Date;
  value: number;
  unit: ReadingUnit;
  /** Heat cost allocators: the value stored at the set date, sent along after it. */
  setDateValue: number | null;
}

export interface RowError {
  line: number;
  /** A READING_FIELDS label, or FILE_FIELD / HEADER_FIELD. */
  field: string;
  message: string;
}

export interface ParsedReadings {
  rows: ReadingRow[];
  errors: RowError[];
  /** Rows repeating an earlier row of the file exactly (same device, time and values): counted, not applied twice. */
  duplicates: number;
  /** Data rows in the file (blank lines not counted). */
  total: number;
}

export const MAX_ROWS = 200_000;

/** A report names this many unknown serials, each with this many lines; counts say how many there are. */
export const LISTED_UNKNOWN_SERIALS = 50;
export const LISTED_LINES_PER_SERIAL = 10;

export interface UnknownSerial {
  serial: string;
  /** The first LISTED_LINES_PER_SERIAL lines it is on. */
  lines: number[];
  lineCount: number;
}

export interface UnknownSerials {
  /** The first LISTED_UNKNOWN_SERIALS, in file order. */
  unknownSerials: UnknownSerial[];
  unknownSerialCount: number;
}

/** Caps the list of unknown serials, so a file of 50,000 of them gives a short answer (and audit entry). */
export function summariseUnknownSerials(entries: Iterable<{ serial: string; lines: number[] }>): UnknownSerials {
  const unknownSerials: UnknownSerial[] = [];
  let unknownSerialCount = 0;
  for (const { serial, lines } of entries) {
    unknownSerialCount += 1;
    if (unknownSerials.length < LISTED_UNKNOWN_SERIALS)
      unknownSerials.push({ serial, lines: lines.slice(0, LISTED_LINES_PER_SERIAL), lineCount: lines.length });
  }
  return { unknownSerials, unknownSerialCount };
}

/** "WZ-1 (Zeile 2, 5); WZ-2 (Zeile 3 und 12 weitere) … und 49.950 weitere Zählernummern" */
export function describeUnknownSerials({ unknownSerials, unknownSerialCount }: UnknownSerials): string {
  const count = (n: number) => n.toLocaleString('de-DE');
  const listed = unknownSerials
    .map(
      (u) =>
        `${u.serial} (Zeile ${u.lines.join(', ')}${u.lineCount > u.lines.length ? ` und ${count(u.lineCount - u.lines.length)} weitere` : ''})`,
    )
    .join('; ');
  const rest = unknownSerialCount - unknownSerials.length;
  return rest > 0 ? `${listed} … und ${count(rest)} weitere Zählernummern` : listed;
}
/** NUMERIC(14,3) in the database. */
const MAX_DECIMALS = 3;
const MAX_VALUE = 99_999_999_999;
/** Radio devices came after 2000; an earlier time is a typo, not a reading. */
const EARLIEST = Date.UTC(2000, 0, 1);
/** Clocks of collection systems drift a little; anything later than this is in the future. */
const FUTURE_TOLERANCE_MS = 10 * 60_000;

// ---- Header ----

/** Lower case, umlauts spelt out, nothing but letters and digits: "Zähler-Nr." → "zaehlernr". */
function headerKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]/g, '');
}

const HEADER_ALIASES: Readonly<Record<ReadingField, readonly string[]>> = {
  serial: [
    'zaehlernummer',
    'zaehlernr',
    'zaehler',
    'seriennummer',
    'seriennr',
    'serial',
    'serialnumber',
    'geraetenummer',
    'geraetenr',
    'geraet',
    'meterid',
    'meter',
    'zaehlerid',
    'geraeteid',
  ],
  readAt: ['zeitpunkt', 'ablesezeitpunkt', 'ablesedatum', 'datum', 'zeit', 'datumzeit', 'timestamp', 'readat', 'date', 'datetime'],
  value: ['wert', 'zaehlerstand', 'stand', 'messwert', 'aktuellerwert', 'value', 'reading', 'currentvalue'],
  unit: ['einheit', 'masseinheit', 'unit'],
  setDateValue: ['stichtagswert', 'wertstichtag', 'stichtag', 'setdatevalue', 'duedatevalue'],
};
const REQUIRED: readonly ReadingField[] = ['serial', 'readAt', 'value', 'unit'];

// ---- Values ----

const NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * A decimal as written in Germany or elsewhere: "1.234,5", "1234,5", "1,234.5", "1234.5". With
 * both separators the last one is the decimal mark; a lone comma is always one; a lone point too
 * ("1.234" is 1.234 — collection software does not write thousands separators without decimals).
 */
export function parseDecimal(text: string): number | null {
  let s = text.trim().replace(/[\s\u00a0']/g, '');
  if (s === '') return null;
  const comma = s.lastIndexOf(',');
  const point = s.lastIndexOf('.');
  if (comma >= 0 && point >= 0) {
    const [thousands, decimal] = comma > point ? ['.', ','] : [',', '.'];
    s = s.split(thousands).join('');
    if (s.split(decimal).length > 2) return null;
    s = s.replace(decimal, '.');
  } else if (comma >= 0) {
    if (s.split(',').length > 2) return null;
    s = s.replace(',', '.');
  }
  return NUMBER.test(s) ? Number(s) : null;
}

function decimalsOf(text: string): number {
  const s = text.trim();
  const mark = Math.max(s.lastIndexOf(','), s.lastIndexOf('.'));
  if (mark < 0) return 0;
  // With both separators the last one is the decimal mark (see parseDecimal).
  const both = s.includes(',') && s.includes('.');
  if (!both && s.split(s.charAt(mark)).length > 2) return 0;
  return s.length - mark - 1;
}

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const GERMAN = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function pad(n: string | number): string {
  return String(n).padStart(2, '0');
}

function instantOf(date: string, hour = '0', minute = '0', second = '0', zone?: string): Date | null {
  if (!isDate(date) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  const time = `${pad(hour)}:${pad(minute)}:${pad(second)}`;
  if (!zone) return zonedTimeToInstant(date, time);
  const offset = zone.toUpperCase() === 'Z' ? '+00:00' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const instant = new Date(`${date}T${time}${offset}`);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/**
 * ISO 8601 (2026-10-01, 2026-10-01 06:00, 2026-10-01T06:00:00+02:00) or German (01.10.2026,
 * 01.10.2026 06:00). Without an offset the time is German local time; a date alone is midnight.
 */
export function parseTimestamp(text: string): Date | null {
  const s = text.trim();
  const iso = ISO.exec(s);
  if (iso) return instantOf(iso[1]!, iso[2], iso[3], iso[4], iso[5]);
  const german = GERMAN.exec(s);
  if (german) return instantOf(`${german[3]}-${pad(german[2]!)}-${pad(german[1]!)}`, german[4], german[5], german[6]);
  return null;
}

/** Stored unit and the factor to it: MWh arrive as kWh × 1000, litres as m³ ÷ 1000. */
export function parseUnit(text: string): { unit: ReadingUnit; factor: number } | null {
  const key = text.trim().toLowerCase().replace(/\s/g, '');
  if (['einheiten', 'einheit', 'einh', 'einh.', 've', 'verbrauchseinheiten', 'hkve', 'striche', 'units'].includes(key))
    return { unit: 'Einheiten', factor: 1 };
  if (['m³', 'm3', 'm^3', 'cbm', 'kubikmeter'].includes(key)) return { unit: 'm³', factor: 1 };
  if (['l', 'liter', 'litre'].includes(key)) return { unit: 'm³', factor: 0.001 };
  if (key === 'kwh') return { unit: 'kWh', factor: 1 };
  if (key === 'mwh') return { unit: 'kWh', factor: 1000 };
  return null;
}

/** Rounded to the stored precision, so that a factor's binary noise (1.234 × 1000) disappears. */
function scaled(value: number, factor: number): number {
  return Math.round(value * factor * 1000) / 1000;
}

export type RecordInput = Partial<Record<ReadingField, string | null | undefined>>;

/** One row (of a file or a form): the row, or every error it has. */
export function parseReadingRecord(
  record: RecordInput,
  line: number,
  now: Date = new Date(),
): { row: ReadingRow; errors: [] } | { row: null; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (field: ReadingField, message: string) => errors.push({ line, field: READING_FIELDS[field], message });
  const text = (field: ReadingField) => (record[field] ?? '').trim();

  const serial = text('serial');
  if (!serial) fail('serial', 'fehlt');
  else if (serial.length > 64 || [...serial].some((c) => c.charCodeAt(0) < 0x20))
    fail('serial', `„${serial.slice(0, 64)}“ ist keine gültige Zählernummer`);

  let readAt: Date | null = null;
  if (!text('readAt')) fail('readAt', 'fehlt');
  else {
    readAt = parseTimestamp(text('readAt'));
    if (!readAt) fail('readAt', `„${text('readAt')}“ ist kein Zeitpunkt (erwartet TT.MM.JJJJ hh:mm oder JJJJ-MM-TT hh:mm)`);
    else if (readAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) fail('readAt', `${text('readAt')} liegt in der Zukunft`);
    else if (readAt.getTime() < EARLIEST) fail('readAt', `${text('readAt')} liegt vor dem Jahr 2000`);
  }

  const unit = text('unit') ? parseUnit(text('unit')) : null;
  if (!text('unit')) fail('unit', 'fehlt');
  else if (!unit) fail('unit', `„${text('unit')}“ ist keine bekannte Einheit (Einheiten, m³, l, kWh, MWh)`);

  const number = (field: 'value' | 'setDateValue'): number | null => {
    const raw = text(field);
    const value = parseDecimal(raw);
    if (value === null) fail(field, `„${raw}“ ist keine Zahl`);
    else if (value < 0) fail(field, 'darf nicht negativ sein');
    else if (value > MAX_VALUE) fail(field, 'ist zu groß');
    else if (decimalsOf(raw) - Math.round(Math.log10(unit?.factor ?? 1)) > MAX_DECIMALS)
      fail(field, `höchstens ${MAX_DECIMALS} Nachkommastellen`);
    else return value;
    return null;
  };
  if (!text('value')) fail('value', 'fehlt');
  const value = text('value') ? number('value') : null;
  const setDateValue = text('setDateValue') ? number('setDateValue') : null;

  if (errors.length > 0 || readAt === null || value === null || unit === null) return { row: null, errors };
  return {
    row: {
      line,
      serial,
      readAt,
      value: scaled(value, unit.factor),
      unit: unit.unit,
      setDateValue: setDateValue === null ? null : scaled(setDateValue, unit.factor),
    },
    errors: [],
  };
}

// ---- CSV ----

/** The file's text: UTF-8 (with or without BOM), else Windows-1252 as older German Excel versions save CSV. */
export function decodeCsvBytes(bytes: Uint8Array): string {
  const utf8 = new TextDecoder('utf-8').decode(bytes);
  return utf8.includes('\uFFFD') ? new TextDecoder('windows-1252').decode(bytes) : utf8;
}

export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The separator of the header line: `;` (German spreadsheets), else tab, else `,`. */
function detectSeparator(headerLine: string): string {
  const outsideQuotes = headerLine.replace(/"[^"]*"/g, '');
  if (outsideQuotes.includes(';')) return ';';
  if (outsideQuotes.includes('\t')) return '\t';
  return ',';
}

/** RFC 4180 records: quoted fields may hold separators, doubled quotes and line breaks. */
function* csvRecords(text: string, separator: string): Generator<CsvRecord | { line: number; error: string }> {
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let wasQuoted = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else {
          if (c === '\n') line++;
          field += c;
        }
      } else if (c === '"' && field.trim() === '' && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
        field = '';
      } else if (c === separator) {
        fields.push(field);
        field = '';
        wasQuoted = false;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        break;
      } else field += c;
    }
    if (quoted) {
      yield { line: startLine, error: 'Anführungszeichen wird nicht geschlossen' };
      return;
    }
    fields.push(field);
    if (fields.length === 1 && fields[0]?.trim() === '') continue; // blank line
    yield { line: startLine, fields };
  }
}

export type CsvLine = CsvRecord | { line: number; error: string };

/**
 * A CSV file's header and the records after it: the header names the columns (in any order, by
 * any of their aliases; other columns are ignored), the separator is the header's. An error (line,
 * field, German message) when the file is empty or a required column is missing.
 */
export function openCsvTable<F extends string>(
  input: string,
  aliases: Readonly<Record<F, readonly string[]>>,
  required: readonly F[],
  labels: Readonly<Record<F, string>>,
): { records: Generator<CsvLine>; columns: Map<F, number> } | { error: RowError } {
  const text = input.replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.trim() === '') return { error: { line: 1, field: FILE_FIELD, message: 'Die Datei ist leer' } };
  const records = csvRecords(text, detectSeparator(firstLine));
  const header = records.next();
  if (header.done || 'error' in header.value) return { error: { line: 1, field: HEADER_FIELD, message: 'Kopfzeile nicht lesbar' } };
  const columns = new Map<F, number>();
  const fields = Object.keys(aliases) as F[];
  header.value.fields.forEach((name, index) => {
    const key = headerKey(name);
    const field = fields.find((f) => aliases[f].includes(key));
    if (field && !columns.has(field)) columns.set(field, index);
  });
  const missing = required.filter((field) => !columns.has(field));
  if (missing.length > 0) {
    const names = missing.map((f) => labels[f]).join(', ');
    const found = header.value.fields.map((f) => f.trim()).join(', ');
    return { error: { line: 1, field: HEADER_FIELD, message: `Spalte fehlt: ${names} (gefunden: ${found})` } };
  }
  return { records, columns };
}

const readingKey = (row: ReadingRow) => `${row.serial.toUpperCase()}\u0000${row.readAt.getTime()}`;

/**
 * Parses a whole export. The header names the columns (in any order, German or English names;
 * others are ignored). Rows are checked one by one; a later row for the same device and time with
 * other values is an error, an identical one a duplicate.
 */
export function parseReadingsCsv(input: string, options: { now?: Date } = {}): ParsedReadings {
  const now = options.now ?? new Date();
  const errors: RowError[] = [];
  const rows: ReadingRow[] = [];
  const table = openCsvTable(input, HEADER_ALIASES, REQUIRED, READING_FIELDS);
  if ('error' in table) return { rows, errors: [table.error], duplicates: 0, total: 0 };
  const { records, columns } = table;

  const seen = new Map<string, ReadingRow>();
  let duplicates = 0;
  let total = 0;
  for (const record of records) {
    if ('error' in record) {
      errors.push({ line: record.line, field: FILE_FIELD, message: record.error });
      break;
    }
    total += 1;
    if (total > MAX_ROWS) {
      errors.push({
        line: record.line,
        field: FILE_FIELD,
        message: `Mehr als ${MAX_ROWS.toLocaleString('de-DE')} Zeilen: bitte die Datei aufteilen`,
      });
      break;
    }
    const values: RecordInput = {};
    for (const [field, index] of columns) values[field] = record.fields[index];
    const parsed = parseReadingRecord(values, record.line, now);
    if (!parsed.row) {
      errors.push(...parsed.errors);
      continue;
    }
    const earlier = seen.get(readingKey(parsed.row));
    if (!earlier) {
      seen.set(readingKey(parsed.row), parsed.row);
      rows.push(parsed.row);
    } else if (earlier.value === parsed.row.value && earlier.setDateValue === parsed.row.setDateValue && earlier.unit === parsed.row.unit) {
      duplicates += 1;
    } else {
      errors.push({
        line: record.line,
        field: READING_FIELDS.value,
        message: `widerspricht Zeile ${earlier.line} (gleiches Gerät, gleicher Zeitpunkt, anderer Wert)`,
      });
    }
  }
  // A header alone is not an empty success: nothing would be imported, and the page must say why.
  if (total === 0 && errors.length === 0)
    errors.push({ line: 2, field: FILE_FIELD, message: 'Die Datei enthält nur die Kopfzeile, aber keine Ablesungen' });
  return { rows, errors, duplicates, total };
}
