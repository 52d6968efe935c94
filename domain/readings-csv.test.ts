import { describe, expect, test } from 'vitest';
import { decodeCsvBytes, parseDecimal, parseReadingRecord, parseReadingsCsv, parseTimestamp, parseUnit } from './readings-csv';

const now = new Date('2026-11-26T12:00:00Z');

describe('numbers, times and units as exports write them', () => {
  test.each([
    ['1234,5', 1234.5],
    ['1.234,5', 1234.5],
    ['1,234.5', 1234.5],
    ['1234.5', 1234.5],
    ['1.234', 1.234],
    [' 12 ', 12],
    ['0,125', 0.125],
    ['-3', -3],
    ['1 234,5', 1234.5],
  ])('%s → %d', (text, expected) => {
    expect(parseDecimal(text)).toBe(expected);
  });

  test.each(['', 'abc', '12a', '1,2,3', '1.2.3,4,5', '--1'])('„%s“ is no number', (text) => {
    expect(parseDecimal(text)).toBeNull();
  });

  test.each([
    ['2026-10-01T06:00:00Z', '2026-10-01T06:00:00.000Z'],
    ['2026-10-01T06:00:00+02:00', '2026-10-01T04:00:00.000Z'],
    ['2026-10-01 06:00', '2026-10-01T04:00:00.000Z'], // German summer time
    ['2026-11-01 06:00', '2026-11-01T05:00:00.000Z'], // German winter time
    ['01.10.2026 06:00', '2026-10-01T04:00:00.000Z'],
    ['1.10.2026 6:00:30', '2026-10-01T04:00:30.000Z'],
    ['01.11.2026', '2026-10-31T23:00:00.000Z'],
    ['2026-11-01', '2026-10-31T23:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseTimestamp(text)?.toISOString()).toBe(iso);
  });

  test.each(['31.02.2026', '2026-13-01', '01.10.26', '2026-10-01 25:00', 'gestern'])('„%s“ is no time', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  test('units: stored as Einheiten, m³ or kWh; litres and MWh are converted', () => {
    expect(parseUnit('m3')).toEqual({ unit: 'm³', factor: 1 });
    expect(parseUnit('Einh.')).toEqual({ unit: 'Einheiten', factor: 1 });
    expect(parseUnit('MWh')).toEqual({ unit: 'kWh', factor: 1000 });
    expect(parseUnit('l')).toEqual({ unit: 'm³', factor: 0.001 });
    expect(parseUnit('Grad')).toBeNull();
  });
});

describe('one record', () => {
  test('a form entry becomes a row; MWh are stored as kWh', () => {
    const { row } = parseReadingRecord({ serial: 'WMZ-2020-00001', readAt: '01.10.2026 06:00', value: '12,345', unit: 'MWh' }, 1, now);
    expect(row).toEqual({
      line: 1,
      serial: 'WMZ-2020-00001',
      readAt: new Date('2026-10-01T04:00:00Z'),
      value: 12345,
      unit: 'kWh',
      setDateValue: null,
    });
  });

  test('every field’s error at once, each named', () => {
    const { errors } = parseReadingRecord({ serial: '', readAt: '2027-01-01', value: '-1', unit: 'Grad', setDateValue: 'x' }, 7, now);
    expect(errors).toEqual([
      { line: 7, field: 'Zählernummer', message: 'fehlt' },
      { line: 7, field: 'Zeitpunkt', message: '2027-01-01 liegt in der Zukunft' },
      { line: 7, field: 'Einheit', message: '„Grad“ ist keine bekannte Einheit (Einheiten, m³, l, kWh, MWh)' },
      { line: 7, field: 'Wert', message: 'darf nicht negativ sein' },
      { line: 7, field: 'Stichtagswert', message: '„x“ ist keine Zahl' },
    ]);
  });

  test('more decimals than stored are refused rather than rounded', () => {
    expect(parseReadingRecord({ serial: 'A', readAt: '2026-10-01', value: '1,2345', unit: 'm³' }, 1, now).errors[0]).toMatchObject({
      field: 'Wert',
      message: 'höchstens 3 Nachkommastellen',
    });
    expect(parseReadingRecord({ serial: 'A', readAt: '2026-10-01', value: '1234', unit: 'l' }, 1, now).row?.value).toBe(1.234);
  });
});

describe('a file', () => {
  test('German export: semicolons, decimal commas, local times, a set-date value and a BOM', () => {
    const csv =
      '\uFEFFZählernummer;Zeitpunkt;Wert;Einheit;Stichtagswert\r\n' +
      'HKV-2023-00412;01.11.2026 06:00;1.234;Einheiten;\r\n' +
      '\r\n' +
      'HKV-2023-00412;01.01.2026 06:00;35;Einheiten;1.020\r\n' +
      'WZ-2021-01887;01.11.2026 06:00;412,75;m³;\r\n';
    const parsed = parseReadingsCsv(csv, { now });
    expect(parsed.errors).toEqual([]);
    expect(parsed.total).toBe(3);
    expect(parsed.rows.map((r) => [r.line, r.serial, r.readAt.toISOString(), r.value, r.unit, r.setDateValue])).toEqual([
      [2, 'HKV-2023-00412', '2026-11-01T05:00:00.000Z', 1.234, 'Einheiten', null],
      [4, 'HKV-2023-00412', '2026-01-01T05:00:00.000Z', 35, 'Einheiten', 1.02],
      [5, 'WZ-2021-01887', '2026-11-01T05:00:00.000Z', 412.75, 'm³', null],
    ]);
  });

  test('English export: commas, ISO times, quoted fields, columns in another order and extra columns', () => {
    const csv = 'timestamp,meter_id,unit,value,rssi\n2026-11-01T05:00:00Z,"WZ-1, Bad",m3,"412,75",-71\n';
    const parsed = parseReadingsCsv(csv, { now });
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0]).toMatchObject({ serial: 'WZ-1, Bad', value: 412.75, unit: 'm³' });
  });

  test('errors name line and field; valid rows are still parsed (the caller applies nothing if any row fails)', () => {
    const csv = 'Zählernummer;Zeitpunkt;Wert;Einheit\nA;01.11.2026;10;m³\nB;31.11.2026;10;m³\nC;01.11.2026;zehn;m³\n;01.11.2026;1;m³\n';
    const parsed = parseReadingsCsv(csv, { now });
    expect(parsed.rows.map((r) => r.serial)).toEqual(['A']);
    expect(parsed.errors).toEqual([
      { line: 3, field: 'Zeitpunkt', message: '„31.11.2026“ ist kein Zeitpunkt (erwartet TT.MM.JJJJ hh:mm oder JJJJ-MM-TT hh:mm)' },
      { line: 4, field: 'Wert', message: '„zehn“ ist keine Zahl' },
      { line: 5, field: 'Zählernummer', message: 'fehlt' },
    ]);
  });

  test('the same reading twice in a file is a duplicate; with another value it is an error', () => {
    const csv = 'serial;zeitpunkt;wert;einheit\nA;01.11.2026 06:00;10;m³\na;2026-11-01 06:00;10,000;m3\nA;01.11.2026 06:00;11;m³\n';
    const parsed = parseReadingsCsv(csv, { now });
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.duplicates).toBe(1);
    expect(parsed.errors).toEqual([
      { line: 4, field: 'Wert', message: 'widerspricht Zeile 2 (gleiches Gerät, gleicher Zeitpunkt, anderer Wert)' },
    ]);
  });

  test('a missing column, an empty file and an unclosed quote are file errors', () => {
    expect(parseReadingsCsv('Zählernummer;Wert\nA;1\n', { now }).errors).toEqual([
      { line: 1, field: 'Kopfzeile', message: 'Spalte fehlt: Zeitpunkt, Einheit (gefunden: Zählernummer, Wert)' },
    ]);
    expect(parseReadingsCsv('', { now }).errors[0]).toMatchObject({ field: 'Datei', message: 'Die Datei ist leer' });
    const unclosed = parseReadingsCsv('serial;zeitpunkt;wert;einheit\nA;01.11.2026;1;m³\n"B;01.11.2026;1;m³\n', { now });
    expect(unclosed.errors).toEqual([{ line: 3, field: 'Datei', message: 'Anführungszeichen wird nicht geschlossen' }]);
  });

  test('UTF-8 or Windows-1252 (older German Excel) files', () => {
    expect(decodeCsvBytes(new TextEncoder().encode('Zählernummer;m³'))).toBe('Zählernummer;m³');
    expect(decodeCsvBytes(Uint8Array.from([0x5a, 0xe4, 0x68, 0x6c, 0x65, 0x72, 0x3b, 0x6d, 0xb3]))).toBe('Zähler;m³');
  });

  test('quoted line breaks keep the line numbers of the file', () => {
    const parsed = parseReadingsCsv('serial;zeitpunkt;wert;einheit\n"A\nB";01.11.2026;1;m³\nC;01.11.2026;x;m³\n', { now });
    expect(parsed.errors).toEqual([
      { line: 2, field: 'Zählernummer', message: '„A\nB“ ist keine gültige Zählernummer' },
      { line: 4, field: 'Wert', message: '„x“ ist keine Zahl' },
    ]);
  });
});
