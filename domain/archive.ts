// The evidence archive ("Nachweise"): what kinds of documents it holds, how long each is kept and
// why (docs/archive-retention.md), and which uploads it accepts. Pure rules, no I/O.
import { addDays, isDate } from './dates';

/** Kinds a user uploads (or the portal generates) into the archive itself. */
export const ARCHIVE_UPLOAD_KINDS = ['smoke-alarm-protocol', 'legionella-report', 'calibration-certificate', 'other'] as const;
export type ArchiveUploadKind = (typeof ARCHIVE_UPLOAD_KINDS)[number];

/** Kinds stored elsewhere by their own features and only listed in the archive (no second copy). */
export const ARCHIVE_LINKED_KINDS = ['statement', 'delivery-proof', 'monthly-information'] as const;
export type ArchiveLinkedKind = (typeof ARCHIVE_LINKED_KINDS)[number];

export type ArchiveKind = ArchiveUploadKind | ArchiveLinkedKind;
export const ARCHIVE_KINDS: readonly ArchiveKind[] = [...ARCHIVE_UPLOAD_KINDS, ...ARCHIVE_LINKED_KINDS];

export const ARCHIVE_KIND_LABELS: Readonly<Record<ArchiveKind, string>> = {
  'smoke-alarm-protocol': 'Prüfprotokoll Rauchwarnmelder',
  'legionella-report': 'Legionellenbefund',
  'calibration-certificate': 'Eichschein / Konformitätsnachweis',
  other: 'Sonstiger Nachweis',
  statement: 'Heizkostenabrechnung',
  'delivery-proof': 'Zustellnachweis',
  'monthly-information': 'Monatsinformation (§6a HKVO)',
};

export function isArchiveKind(value: unknown): value is ArchiveKind {
  return typeof value === 'string' && (ARCHIVE_KINDS as readonly string[]).includes(value);
}

export function isArchiveUploadKind(value: unknown): value is ArchiveUploadKind {
  return typeof value === 'string' && (ARCHIVE_UPLOAD_KINDS as readonly string[]).includes(value);
}

export interface RetentionRule {
  /** Years counted from the end of the calendar year of the document's date. */
  years: number;
  /** The legal basis, as the page and docs/archive-retention.md cite it. */
  basis: string;
}

/**
 * Retention by kind. Every period runs from the end of the calendar year in which the document's
 * date falls (§147 Abs. 4 AO; the same convention for the others keeps one rule for the archive).
 */
export const RETENTION_RULES: Readonly<Record<ArchiveKind, RetentionRule>> = {
  statement: { years: 10, basis: '§147 Abs. 1 Nr. 4, Abs. 3 AO; §257 Abs. 1 Nr. 4, Abs. 4 HGB (Buchungsbelege)' },
  'delivery-proof': { years: 10, basis: 'wie die Abrechnung, die er belegt (§147 AO; Zugang nach §556 Abs. 3 BGB)' },
  'monthly-information': { years: 10, basis: 'Beleg zur Abrechnung (§6a HKVO, §147 AO); wie zugestellte Abrechnungen' },
  'smoke-alarm-protocol': {
    years: 10,
    basis: 'DIN 14676-1 Instandhaltungsnachweis; Beweissicherung bis zur Höchstverjährung (§199 Abs. 3 BGB)',
  },
  'legionella-report': { years: 10, basis: 'TrinkwV 2023 (Aufbewahrung der Untersuchungsergebnisse, 10 Jahre)' },
  'calibration-certificate': { years: 10, basis: 'Beleg für die Verbrauchserfassung der Abrechnung (§147 AO; MessEG §33)' },
  other: { years: 10, basis: 'Auffangregel: längste Frist der Abrechnungsbelege (§147 AO)' },
};

/** The last day the document must be kept: 31 December, `years` after the year of `documentDate`. */
export function retentionUntil(kind: ArchiveKind, documentDate: string): string {
  if (!isDate(documentDate)) throw new Error(`documentDate: expected YYYY-MM-DD, got ${JSON.stringify(documentDate)}`);
  const year = Number(documentDate.slice(0, 4));
  return `${year + RETENTION_RULES[kind].years}-12-31`;
}

/** Whether a document kept until `until` may go on `today` (the day after the last day). */
export function retentionEnded(until: string, today: string): boolean {
  return until < today;
}

/** The instant a version kept until `until` may go: 00:00 UTC of the next day (the workflow's timer). */
export function retentionEndMs(until: string): number {
  return Date.parse(`${addDays(until, 1)}T00:00:00Z`);
}

/** The archive's list shows this many rows; the count says how many matched. */
export const ARCHIVE_PAGE_SIZE = 200;

/** Uploads larger than this are refused (a scanned protocol is far smaller). */
export const MAX_ARCHIVE_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface DetectedFile {
  contentType: 'application/pdf' | 'image/png' | 'image/jpeg';
  extension: 'pdf' | 'png' | 'jpg';
}

const SIGNATURES: ReadonlyArray<{ bytes: readonly number[]; file: DetectedFile }> = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], file: { contentType: 'application/pdf', extension: 'pdf' } }, // %PDF-
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], file: { contentType: 'image/png', extension: 'png' } },
  { bytes: [0xff, 0xd8, 0xff], file: { contentType: 'image/jpeg', extension: 'jpg' } },
];

/** The file's type by its content (magic bytes), never by its name or the browser's claim; null: not accepted. */
export function detectFileType(content: Uint8Array): DetectedFile | null {
  for (const { bytes, file } of SIGNATURES) {
    if (content.length >= bytes.length && bytes.every((byte, i) => content[i] === byte)) return file;
  }
  return null;
}

export type UploadCheck = { ok: true; file: DetectedFile } | { ok: false; field: 'Datei'; message: string };

export function checkUpload(content: Uint8Array): UploadCheck {
  if (content.length === 0) return { ok: false, field: 'Datei', message: 'Bitte eine Datei auswählen.' };
  if (content.length > MAX_ARCHIVE_UPLOAD_BYTES) return { ok: false, field: 'Datei', message: 'Die Datei ist größer als 10 MB.' };
  const file = detectFileType(content);
  if (!file) return { ok: false, field: 'Datei', message: 'Nur PDF-, PNG- oder JPEG-Dateien werden angenommen (Inhalt geprüft).' };
  return { ok: true, file };
}

/** A file name safe for Content-Disposition: the user's name without path or odd characters, with the detected extension. */
export function archiveFileName(userName: string, file: DetectedFile): string {
  const base =
    userName
      .replace(/^.*[\\/]/, '')
      .replace(/\.[^.]*$/, '')
      .replace(/[^\p{L}\p{N} ._-]+/gu, '_')
      .trim()
      .slice(0, 100) || 'nachweis';
  return `${base}.${file.extension}`;
}
