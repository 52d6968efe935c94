// Devices as a manager imports them (CSV, the register export's column names): every row is
// checked on its own and each error names its line and field, so a file can be fixed in one pass.
// MessEV §34(2): the calibration year is the year of calibration or first marking; left empty it is
// unknown and the register flags the meter instead of assuming its installation year. Pure: which
// properties, units and serials exist is checked by the caller (server/device-import.ts).
import { isDate } from './dates';
import { CALIBRATION_YEARS, isCalibratedType, type DeviceType } from './deadlines';
import { DEVICE_TYPE_LABELS } from './device-labels';
import { SERIAL_PATTERN } from './device-work';
import { FILE_FIELD, openCsvTable, type RowError } from './readings-csv';

/** Field names as the register export (/geraete.csv) and the report show them. */
export const DEVICE_IMPORT_FIELDS = {
  property: 'Liegenschaft',
  unit: 'Wohneinheit',
  serial: 'Seriennummer',
  type: 'Gerätetyp',
  location: 'Einbauort',
  installedAt: 'Eingebaut am',
  calibratedYear: 'Eichjahr',
} as const;
export type DeviceImportField = keyof typeof DEVICE_IMPORT_FIELDS;

/** Header names after headerKey (lower case, umlauts spelt out, letters and digits only). */
const HEADER_ALIASES: Readonly<Record<DeviceImportField, readonly string[]>> = {
  property: ['liegenschaft', 'objekt', 'property'],
  unit: ['wohneinheit', 'nutzeinheit', 'einheit', 'wohnung', 'unit'],
  serial: ['seriennummer', 'seriennr', 'zaehlernummer', 'zaehlernr', 'geraetenummer', 'serial'],
  type: ['geraetetyp', 'typ', 'geraeteart', 'type'],
  location: ['einbauort', 'ort', 'raum', 'location'],
  installedAt: ['eingebautam', 'einbaudatum', 'eingebaut', 'installedat'],
  calibratedYear: ['eichjahr', 'jahrdereichung', 'calibratedyear'],
};
const REQUIRED: readonly DeviceImportField[] = ['property', 'unit', 'serial', 'type', 'installedAt', 'calibratedYear'];

/** The register export writes "Gebäude" for devices of the whole building (no unit). */
export const BUILDING_UNIT = 'Gebäude';
/** The register export writes "unbekannt" for a meter whose calibration year is not known. */
const UNKNOWN_YEAR = 'unbekannt';
/** A manager's import is a building's or a portfolio's devices, not a data dump. */
export const MAX_DEVICE_ROWS = 20_000;
const MAX_LOCATION = 100;
const MAX_NAME = 200;
/** Radio submetering came after 1990; an earlier date is a typo. */
const EARLIEST_INSTALLATION = '1990-01-01';

export interface DeviceImportRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  propertyName: string;
  /** Null: a device of the whole building. */
  unitLabel: string | null;
  serial: string;
  type: DeviceType;
  location: string | null;
  installedAt: string;
  /** Null: not known (meters), or not applicable (heat cost allocators, smoke alarms). */
  calibratedYear: number | null;
}

export interface ParsedDeviceImport {
  rows: DeviceImportRow[];
  errors: RowError[];
  /** Data rows in the file (blank lines not counted). */
  total: number;
}

const TYPE_OF_NAME = new Map<string, DeviceType>(
  (Object.entries(DEVICE_TYPE_LABELS) as [DeviceType, string][]).flatMap(([type, label]) => [
    [type.toLowerCase(), type],
    [label.toLowerCase(), type],
  ]),
);
const SERIAL = new RegExp(`^${SERIAL_PATTERN}$`);
const GERMAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const LONGEST_VALIDITY = Math.max(...Object.values(CALIBRATION_YEARS));

/** 05.04.2022 or 2022-04-05 as 2022-04-05; null when it is no calendar date. */
function parseDay(text: string): string | null {
  const german = GERMAN_DATE.exec(text);
  const iso = german ? `${german[3]}-${german[2]!.padStart(2, '0')}-${german[1]!.padStart(2, '0')}` : text;
  return isDate(iso) ? iso : null;
}

/** Upper case: serials are compared as printed, whatever the case in the file. */
export function serialKey(serial: string): string {
  return serial.toUpperCase();
}

/** One row: the device, or every error it has. `today` is the Berlin calendar date (YYYY-MM-DD). */
export function parseDeviceRecord(
  record: Partial<Record<DeviceImportField, string | undefined>>,
  line: number,
  today: string,
): { row: DeviceImportRow; errors: [] } | { row: null; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (field: DeviceImportField, message: string) => errors.push({ line, field: DEVICE_IMPORT_FIELDS[field], message });
  const text = (field: DeviceImportField) => (record[field] ?? '').trim();

  const propertyName = text('property');
  if (!propertyName) fail('property', 'fehlt');
  else if (propertyName.length > MAX_NAME) fail('property', `höchstens ${MAX_NAME} Zeichen`);
  const unitText = text('unit');
  if (unitText.length > MAX_NAME) fail('unit', `höchstens ${MAX_NAME} Zeichen`);
  const unitLabel = unitText === '' || unitText.toLowerCase() === BUILDING_UNIT.toLowerCase() ? null : unitText;

  const serial = text('serial');
  if (!serial) fail('serial', 'fehlt');
  else if (!SERIAL.test(serial)) fail('serial', `„${serial.slice(0, 40)}“: 3 bis 40 Zeichen, nur Buchstaben, Ziffern und . _ / -`);

  const typeText = text('type');
  const type = TYPE_OF_NAME.get(typeText.toLowerCase()) ?? null;
  if (!typeText) fail('type', 'fehlt');
  else if (!type) fail('type', `„${typeText.slice(0, 40)}“ ist kein Gerätetyp (${Object.values(DEVICE_TYPE_LABELS).join(', ')})`);

  const location = text('location') || null;
  if (location && location.length > MAX_LOCATION) fail('location', `höchstens ${MAX_LOCATION} Zeichen`);

  const installedText = text('installedAt');
  const installedAt = parseDay(installedText);
  if (!installedText) fail('installedAt', 'fehlt');
  else if (!installedAt) fail('installedAt', `„${installedText.slice(0, 20)}“ ist kein Datum (TT.MM.JJJJ)`);
  else if (installedAt > today) fail('installedAt', 'darf nicht in der Zukunft liegen');
  else if (installedAt < EARLIEST_INSTALLATION) fail('installedAt', 'darf nicht vor 1990 liegen');

  const yearText = text('calibratedYear');
  let calibratedYear: number | null = null;
  if (yearText !== '' && yearText.toLowerCase() !== UNKNOWN_YEAR) {
    if (type && !isCalibratedType(type)) fail('calibratedYear', `${DEVICE_TYPE_LABELS[type]} haben kein Eichjahr: bitte leer lassen`);
    else if (!/^\d{4}$/.test(yearText)) fail('calibratedYear', `„${yearText.slice(0, 20)}“ ist keine vierstellige Jahreszahl`);
    else if (installedAt) {
      // As on the device page: calibrated before use, and at most one validity period before the installation.
      const installedYear = Number(installedAt.slice(0, 4));
      const year = Number(yearText);
      if (year > installedYear) fail('calibratedYear', `${year} liegt nach dem Einbau (${installedYear})`);
      else if (year < installedYear - LONGEST_VALIDITY)
        fail('calibratedYear', `${year} liegt mehr als ${LONGEST_VALIDITY} Jahre vor dem Einbau (${installedYear})`);
      else calibratedYear = year;
    }
  }

  if (errors.length > 0 || !type || !installedAt) return { row: null, errors };
  return { row: { line, propertyName, unitLabel, serial, type, location, installedAt, calibratedYear }, errors: [] };
}

/** Parses a whole file; a serial twice in the file is an error on its second line. */
export function parseDevicesCsv(input: string, today: string): ParsedDeviceImport {
  const rows: DeviceImportRow[] = [];
  const errors: RowError[] = [];
  const table = openCsvTable(input, HEADER_ALIASES, REQUIRED, DEVICE_IMPORT_FIELDS);
  if ('error' in table) return { rows, errors: [table.error], total: 0 };
  const firstLineOf = new Map<string, number>();
  let total = 0;
  for (const record of table.records) {
    if ('error' in record) {
      errors.push({ line: record.line, field: FILE_FIELD, message: record.error });
      break;
    }
    total += 1;
    if (total > MAX_DEVICE_ROWS) {
      errors.push({
        line: record.line,
        field: FILE_FIELD,
        message: `Mehr als ${MAX_DEVICE_ROWS.toLocaleString('de-DE')} Geräte: bitte aufteilen`,
      });
      break;
    }
    const values: Partial<Record<DeviceImportField, string>> = {};
    for (const [field, index] of table.columns) values[field] = record.fields[index];
    const parsed = parseDeviceRecord(values, record.line, today);
    if (!parsed.row) {
      errors.push(...parsed.errors);
      continue;
    }
    const earlier = firstLineOf.get(serialKey(parsed.row.serial));
    if (earlier !== undefined) {
      errors.push({ line: record.line, field: DEVICE_IMPORT_FIELDS.serial, message: `steht schon in Zeile ${earlier}` });
      continue;
    }
    firstLineOf.set(serialKey(parsed.row.serial), record.line);
    rows.push(parsed.row);
  }
  if (total === 0 && errors.length === 0)
    errors.push({ line: 2, field: FILE_FIELD, message: 'Die Datei enthält nur die Kopfzeile, aber keine Geräte' });
  return { rows, errors, total };
}
