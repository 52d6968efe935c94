// Issue 12's import findings in the pure parser: a header alone is refused with a message (it said
// "Übernommen." with 0 rows), and unknown serials are summarised, not listed by the ten thousand.
import { describe, expect, test } from 'vitest';
import {
  LISTED_LINES_PER_SERIAL,
  LISTED_UNKNOWN_SERIALS,
  describeUnknownSerials,
  parseReadingsCsv,
  summariseUnknownSerials,
} from './readings-csv';

describe('a file with no readings', () => {
  test.each([
    ['the header alone', 'Zählernummer;Zeitpunkt;Wert;Einheit\n'],
    ['the header and blank lines', 'Zählernummer;Zeitpunkt;Wert;Einheit\r\n\r\n\r\n'],
    ['the header without a line break', 'serial,timestamp,value,unit'],
  ])('%s is an error naming the reason', (_case, csv) => {
    expect(parseReadingsCsv(csv)).toEqual({
      rows: [],
      total: 0,
      duplicates: 0,
      errors: [{ line: 2, field: 'Datei', message: 'Die Datei enthält nur die Kopfzeile, aber keine Ablesungen' }],
    });
  });
});

describe('unknown serials', () => {
  test('50,000 of them: the first 50 with their first lines, and the count', () => {
    const entries = Array.from({ length: 50_000 }, (_, i) => ({ serial: `X-${i}`, lines: [i + 2] }));
    entries[0]!.lines = Array.from({ length: 30 }, (_, i) => i + 2);
    const summary = summariseUnknownSerials(entries);
    expect(summary.unknownSerialCount).toBe(50_000);
    expect(summary.unknownSerials).toHaveLength(LISTED_UNKNOWN_SERIALS);
    expect(summary.unknownSerials[0]).toEqual({ serial: 'X-0', lines: entries[0]!.lines.slice(0, LISTED_LINES_PER_SERIAL), lineCount: 30 });
    const text = describeUnknownSerials(summary);
    expect(text.startsWith('X-0 (Zeile 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 und 20 weitere); X-1 (Zeile 3)')).toBe(true);
    expect(text.endsWith('… und 49.950 weitere Zählernummern')).toBe(true);
    expect(text.length).toBeLessThan(2_000);
  });

  test('a few: all of them, no count sentence', () => {
    expect(describeUnknownSerials(summariseUnknownSerials([{ serial: 'A', lines: [2, 5] }]))).toBe('A (Zeile 2, 5)');
  });
});
