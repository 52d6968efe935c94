// CSV as a German spreadsheet opens it: UTF-8 with BOM, semicolons, CRLF; cells a spreadsheet would
// evaluate (=, +, -, @) are defused with a leading apostrophe.
export type CsvCell = string | number | boolean | null | undefined;

export function csvCell(value: CsvCell): string {
  let text = value === null || value === undefined ? '' : typeof value === 'boolean' ? (value ? 'ja' : 'nein') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return `\uFEFF${[header, ...rows].map((line) => line.map(csvCell).join(';')).join('\r\n')}\r\n`;
}
