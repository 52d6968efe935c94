import { describe, expect, it } from 'vitest';
// The fixture comes in through the bundler: domain/ (its tests included) does no I/O of its own.
import corpusText from '../tests/fixtures/wmbusmeters/corpus.jsonl?raw';
import { isSkipped, mapTelegram, parseWmbusLine, parseWmbusLines, type WmbusReading, type WmbusResult } from './readings-wmbus';

const corpusLines = corpusText.split('\n').filter((line) => line !== '');
const corpus = parseWmbusLines(corpusText);

function reading(line: number, fields: Partial<WmbusReading> & Pick<WmbusReading, 'serial' | 'kind'>): WmbusReading {
  return { line, value: null, unit: null, setDate: null, setDateValue: null, status: 'ok', ...fields };
}

function map(telegram: Record<string, unknown>): WmbusResult {
  return mapTelegram({ id: '12345678', ...telegram }, 1);
}

describe('wmbusmeters corpus (216 real telegrams)', () => {
  it('gives one result per line, numbered 1…216 in input order', () => {
    expect(corpusLines).toHaveLength(216);
    expect(corpus.map((result) => result.line)).toEqual(corpusLines.map((_, index) => index + 1));
  });

  it('skips only unsupported media and telegrams without a consumption value', () => {
    const reasons = new Map<string, number>();
    for (const result of corpus.filter(isSkipped)) reasons.set(result.skipped, (reasons.get(result.skipped) ?? 0) + 1);
    expect(Object.fromEntries(reasons)).toEqual({
      'unsupported medium: electricity': 11,
      'unsupported medium: gas': 2,
      'unsupported medium: reserved': 1,
      'unsupported medium: room sensor': 1,
      'no consumption value': 4,
    });
  });

  it('keeps serial, status and the unit of the kind for every reading', () => {
    const unitOf = { HKV: 'hca', 'WZ-W': 'm3', 'WZ-K': 'm3', WZ: 'm3', WMZ: 'kWh', RWM: null };
    for (const result of corpus) {
      if (isSkipped(result)) continue;
      const telegram = JSON.parse(corpusLines[result.line - 1] ?? '') as Record<string, unknown>;
      expect(result.serial).toBe(telegram.id);
      expect(result.status).toBe(telegram.status === undefined || telegram.status === 'OK' ? 'ok' : telegram.status);
      expect(result.unit).toBe(unitOf[result.kind]);
      if (result.setDate !== null) expect(result.setDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(result.value !== null || result.setDateValue !== null || result.kind === 'RWM').toBe(true);
    }
  });

  // Expected values read off the telegrams by hand.
  it.each([
    [
      1,
      reading(1, { serial: '80081812', kind: 'HKV', value: 339, unit: 'hca', setDate: '2026-01-01', setDateValue: 627, status: 'MODE_2F' }),
    ],
    [2, reading(2, { serial: '19680750', kind: 'WZ', value: 879.068, unit: 'm3', setDate: '2025-12-01', setDateValue: 877.476 })],
    [
      3,
      reading(3, {
        serial: '23813076',
        kind: 'WZ-K',
        value: 3.871,
        unit: 'm3',
        setDate: '2022-11-01',
        setDateValue: 0,
        status: 'ERROR_FLAGS_800',
      }),
    ],
    [4, reading(4, { serial: '33333333', kind: 'WZ-W', value: 0.035, unit: 'm3', setDate: '2022-05-31', setDateValue: 0 })],
    // consumption_hca 0 is a value; total_consumption_hca is not one of the contract's fields.
    [
      7,
      reading(7, {
        serial: '93001021',
        kind: 'HKV',
        value: 0,
        unit: 'hca',
        setDate: '2025-05-31',
        setDateValue: 0,
        status: 'ERROR_FLAGS_100 UNKNOWN_40',
      }),
    ],
    // set_date before set_date_1; current_consumption_hca first.
    [16, reading(16, { serial: '90919293', kind: 'HKV', value: 97, unit: 'hca', setDate: '2020-12-31', setDateValue: 270 })],
    [50, reading(50, { serial: '01097274', kind: 'RWM', status: 'CLEANING_RECOMMENDED' })],
    [53, reading(53, { serial: '91633569', kind: 'RWM', status: 'SMOKE' })],
    // A heat meter's set_date/energy_at_set_date_kwh is not the contract's pair for WMZ.
    [61, reading(61, { serial: '61243590', kind: 'WMZ', value: 16302, unit: 'kWh' })],
    // set_date null: the pair does not count although consumption_at_set_date_m3 is a number.
    [80, reading(80, { serial: '50496629', kind: 'WZ', value: 0.003, unit: 'm3' })],
    [51, { line: 51, skipped: 'no consumption value' }],
    // consumption_at_set_date_8_m3 is no contract field: nothing to book.
    [100, { line: 100, skipped: 'no consumption value' }],
  ])('maps line %i', (line, expected) => {
    expect(corpus[line - 1]).toEqual(expected);
  });
});

describe('current value', () => {
  it('takes the first numeric field in the contract order', () => {
    expect(map({ media: 'heat cost allocator', current_hca: 3, consumption_hca: 2, current_consumption_hca: 1 })).toMatchObject({
      value: 1,
    });
    expect(map({ media: 'heat cost allocation', current_hca: 3, consumption_hca: 2 })).toMatchObject({ value: 2 });
    expect(map({ media: 'heat', heat_kwh: 5, current_kwh: 4, total_energy_kwh: 3, total_kwh: 2 })).toMatchObject({ value: 2, unit: 'kWh' });
    expect(map({ media: 'heat volume at outlet', heat_kwh: 5, total_energy_consumption_gj: 1 })).toMatchObject({ value: 5 });
  });

  it('passes over null, numeric strings, booleans and fields of other kinds', () => {
    expect(map({ media: 'heat cost allocation', current_consumption_hca: null, consumption_hca: '7', current_hca: 9 })).toMatchObject({
      value: 9,
    });
    expect(map({ media: 'heat', total_energy_consumption_kwh: true, total_kwh: '12.5', total_energy_kwh: 11 })).toMatchObject({
      value: 11,
    });
    expect(map({ media: 'water', total_m3: '12.5', target_date: '2025-12-31', target_m3: 10 })).toMatchObject({ value: null, unit: 'm3' });
    expect(map({ media: 'water', total_kwh: 5 })).toEqual({ line: 1, skipped: 'no consumption value' });
  });

  it('converts GJ and MJ to kWh when no kWh field is present', () => {
    expect(map({ media: 'heat', total_energy_consumption_gj: 1.8 })).toMatchObject({ value: (1.8 * 1000) / 3.6, unit: 'kWh' });
    expect(map({ media: 'heat', total_energy_consumption_gj: 36 })).toMatchObject({ value: 10000 });
    expect(map({ media: 'heat volume at inlet', total_energy_consumption_mj: 36 })).toMatchObject({ value: 10 });
    expect(map({ media: 'heat', total_energy_consumption_gj: null, total_energy_consumption_mj: 7.2 })).toMatchObject({ value: 2 });
  });

  it('keeps negative values and zero as they are', () => {
    expect(map({ media: 'cold water', total_m3: -0.001 })).toMatchObject({ value: -0.001 });
    expect(map({ media: 'warm water', total_m3: 0 })).toMatchObject({ value: 0, kind: 'WZ-W' });
  });
});

describe('set-date value', () => {
  it('takes the first pair with a non-empty date string and a number, date cut to 10 characters', () => {
    const hkv = { media: 'heat cost allocation', current_hca: 1 };
    expect(map({ ...hkv, set_date: '2024-12-31 00:00', consumption_at_set_date_hca: 5 })).toMatchObject({
      setDate: '2024-12-31',
      setDateValue: 5,
    });
    expect(
      map({ ...hkv, set_date: '', consumption_at_set_date_hca: 5, set_date_1: '2023-12-31', consumption_at_set_date_1_hca: 6 }),
    ).toMatchObject({ setDate: '2023-12-31', setDateValue: 6 });
    expect(
      map({ ...hkv, set_date: '2024-12-31', consumption_at_set_date_hca: '5', target_date: '2022-12-31T00:00:00Z', target_hca: 7 }),
    ).toMatchObject({ setDate: '2022-12-31', setDateValue: 7 });
    expect(map({ ...hkv, set_date: 20241231, consumption_at_set_date_hca: 5 })).toMatchObject({ setDate: null, setDateValue: null });
  });

  it('uses each kind its own pairs, in its own order', () => {
    const water = { media: 'water', total_m3: 9, set_date: '2024-12-31', consumption_at_set_date_m3: 4 };
    expect(map({ ...water, target_date: '2025-06-30', target_m3: 5 })).toMatchObject({ setDate: '2025-06-30', setDateValue: 5 });
    expect(map(water)).toMatchObject({ setDate: '2024-12-31', setDateValue: 4 });
    expect(map({ ...water, media: 'heat', total_kwh: 3 })).toMatchObject({ kind: 'WMZ', setDate: null, setDateValue: null });
    expect(map({ media: 'heat', total_kwh: 3, target_date: '2025-06-30', target_kwh: 2 })).toMatchObject({
      setDate: '2025-06-30',
      setDateValue: 2,
    });
    expect(map({ media: 'heat cost allocation', current_hca: 1, target_date: '2025-06-30', target_m3: 2 })).toMatchObject({
      setDateValue: null,
    });
  });

  it('books a set-date value alone, with the unit of the kind', () => {
    expect(map({ media: 'heat cost allocation', set_date_1: '2024-12-31', consumption_at_set_date_1_hca: 0 })).toEqual(
      reading(1, { serial: '12345678', kind: 'HKV', unit: 'hca', setDate: '2024-12-31', setDateValue: 0 }),
    );
  });
});

describe('kind, serial and status', () => {
  it.each([
    ['heat cost allocation', 'HKV'],
    ['heat cost allocator', 'HKV'],
    ['warm water', 'WZ-W'],
    ['cold water', 'WZ-K'],
    ['water', 'WZ'],
    ['heat', 'WMZ'],
    ['heat volume at inlet', 'WMZ'],
    ['heat volume at outlet', 'WMZ'],
    ['smoke detector', 'RWM'],
  ])('maps media %j to %s', (media, kind) => {
    expect(map({ media, current_hca: 1, total_m3: 1, total_kwh: 1 })).toMatchObject({ kind });
  });

  it('skips any other medium, matched exactly', () => {
    expect(map({ media: 'electricity', total_kwh: 1 })).toEqual({ line: 1, skipped: 'unsupported medium: electricity' });
    expect(map({ media: 'Water', total_m3: 1 })).toEqual({ line: 1, skipped: 'unsupported medium: Water' });
    expect(map({ media: 'water ', total_m3: 1 })).toEqual({ line: 1, skipped: 'unsupported medium: water ' });
    expect(map({ total_m3: 1 })).toEqual({ line: 1, skipped: 'unsupported medium: (missing)' });
    expect(map({ media: null, total_m3: 1 })).toEqual({ line: 1, skipped: 'unsupported medium: null' });
  });

  it('gives smoke detectors no value, only serial, kind and status', () => {
    expect(map({ media: 'smoke detector', total_m3: 1, target_date: '2024-12-31', target_m3: 1, status: 'SMOKE' })).toEqual(
      reading(1, { serial: '12345678', kind: 'RWM', status: 'SMOKE' }),
    );
  });

  it('passes the serial as a string and skips a telegram without one', () => {
    expect(mapTelegram({ media: 'water', id: 1234567, total_m3: 1 }, 3)).toMatchObject({ line: 3, serial: '1234567' });
    expect(mapTelegram({ media: 'water', id: '00012345', total_m3: 1 }, 3)).toMatchObject({ serial: '00012345' });
    expect(mapTelegram({ media: 'water', total_m3: 1 }, 3)).toEqual({ line: 3, skipped: 'missing id' });
    expect(mapTelegram({ media: 'water', id: null, total_m3: 1 }, 3)).toEqual({ line: 3, skipped: 'missing id' });
  });

  it('reports "ok" for OK or no status, else the status text unchanged', () => {
    expect(map({ media: 'water', total_m3: 1, status: 'OK' })).toMatchObject({ status: 'ok' });
    expect(map({ media: 'water', total_m3: 1 })).toMatchObject({ status: 'ok' });
    expect(map({ media: 'water', total_m3: 1, status: null })).toMatchObject({ status: 'ok' });
    expect(map({ media: 'water', total_m3: 1, status: 'UNKNOWN_C0' })).toMatchObject({ status: 'UNKNOWN_C0' });
    expect(map({ media: 'water', total_m3: 1, status: 'ok ' })).toMatchObject({ status: 'ok ' });
    expect(map({ media: 'water', total_m3: 1, status: '' })).toMatchObject({ status: '' });
  });
});

describe('lines', () => {
  const water = '{"media":"water","id":"1","total_m3":1}';

  it('reports lines that are not JSON objects as "not JSON"', () => {
    for (const text of ['{"media":', 'garbage', '[]', '[{"media":"water","id":"1","total_m3":1}]', '42', '"water"', 'null', water + ' x']) {
      expect(parseWmbusLine(text, 4)).toEqual({ line: 4, skipped: 'not JSON' });
    }
  });

  it('counts only non-blank lines and accepts LF, CRLF, lone CR, a BOM and surrounding whitespace', () => {
    const text = `\uFEFF${water}\r\n\r\n   \t\nnope\r${water.replace('"1"', '"2"')}  \n\n`;
    expect(parseWmbusLines(text)).toEqual([
      reading(1, { serial: '1', kind: 'WZ', value: 1, unit: 'm3' }),
      { line: 2, skipped: 'not JSON' },
      reading(3, { serial: '2', kind: 'WZ', value: 1, unit: 'm3' }),
    ]);
  });

  it('returns nothing for empty input', () => {
    expect(parseWmbusLines('')).toEqual([]);
    expect(parseWmbusLines('\n \n\uFEFF')).toEqual([]);
  });
});
