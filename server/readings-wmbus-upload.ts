// A wmbusmeters file uploaded on the readings page (issue 17): the JSON lines a gateway writes
// (`format=json`, one decoded telegram per line), judged exactly as the gateway endpoint judges a
// batch (server/gateway-ingest.ts). Unlike the CSV import the file is not all or nothing: a gateway
// log holds the neighbours' meters and smoke alarms too, so the valid lines are stored (in one
// transaction) and every other line is reported with its line number in the file and the reason.
import type { Db } from '../db/index';
import { appendAudit, sha256 } from '../db/audit';
import { summariseUnknownSerials, type RowError, type UnknownSerials } from '../domain/readings-csv';
import { describeTelegramProblem } from '../domain/readings-wmbus-upload';
import { NOT_JSON, ingestTelegrams, type TelegramProblem } from './gateway-ingest';
import { db as sharedDb } from './db';
import type { ImportOptions, ImportingUser, WorkflowsTold } from './readings';

export interface WmbusFileReport extends UnknownSerials {
  /** Telegram lines in the file (blank lines not counted). */
  rows: number;
  /** Stored as new readings (smoke alarms: as the device's reported status). */
  inserted: number;
  /** Already stored with the same values. */
  unchanged: number;
  /** Lines carrying nothing the portal keeps (other media, no value), with the reason. */
  skipped: RowError[];
  /** Refused lines (not JSON, unknown serial, a kind or time that does not fit the device, a conflicting value). */
  errors: RowError[];
  workflows: WorkflowsTold;
}

/** The telegrams of a file with the (1-based, physical) line each one is on; a line that is not JSON becomes NOT_JSON. */
export function telegramLines(text: string): { line: number; telegram: unknown }[] {
  const lines: { line: number; telegram: unknown }[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .forEach((raw, index) => {
      if (raw.trim() === '') return;
      let telegram: unknown;
      try {
        telegram = JSON.parse(raw);
      } catch {
        telegram = NOT_JSON;
      }
      lines.push({ line: index + 1, telegram });
    });
  return lines;
}

/** Stores the valid telegrams of a wmbusmeters file for the user's organisation and reports every line that was not. */
export async function importWmbusText(
  db: Db,
  text: string,
  options: Pick<ImportOptions, 'organisationId' | 'actor' | 'ip' | 'fileName' | 'now' | 'temporal'>,
): Promise<WmbusFileReport> {
  const lines = telegramLines(text);
  const ingest = await ingestTelegrams(
    db,
    lines.map((l) => l.telegram),
    { organisationId: options.organisationId, now: options.now, temporal: options.temporal },
  );
  const lineOf = (problem: TelegramProblem) => lines[problem.index]?.line ?? problem.index + 1;
  const unknown = new Map<string, { serial: string; lines: number[] }>();
  for (const problem of ingest.errors) {
    if (problem.field !== 'id' || problem.serial === undefined) continue;
    const entry = unknown.get(problem.serial.toUpperCase()) ?? { serial: problem.serial, lines: [] };
    entry.lines.push(lineOf(problem));
    unknown.set(problem.serial.toUpperCase(), entry);
  }
  const asRow = (problem: TelegramProblem): RowError => ({ line: lineOf(problem), ...describeTelegramProblem(problem) });
  const report: WmbusFileReport = {
    rows: lines.length,
    inserted: ingest.accepted,
    unchanged: ingest.duplicates,
    skipped: ingest.skipped.map(asRow),
    errors: ingest.errors.map(asRow),
    workflows: ingest.workflows,
    ...summariseUnknownSerials(unknown.values()),
  };
  await appendAudit(db, {
    organisationId: options.organisationId,
    actorId: options.actor?.id ?? null,
    actor: options.actor?.email ?? 'system',
    action: 'readings.imported',
    entity: 'readings',
    ip: options.ip ?? null,
    details: {
      format: 'wmbusmeters',
      fileName: options.fileName ?? null,
      fileSha256: sha256(text),
      rows: report.rows,
      inserted: report.inserted,
      unchanged: report.unchanged,
      skipped: report.skipped.length,
      refused: report.errors.length,
      unknownSerials: report.unknownSerials.map((u) => u.serial),
      unknownSerialCount: report.unknownSerialCount,
    },
  });
  return report;
}

/** A wmbusmeters file uploaded on the readings page by the signed-in user, into their organisation. */
export function importWmbusFile(user: ImportingUser, file: { text: string; name: string }, ip: string | null): Promise<WmbusFileReport> {
  return importWmbusText(sharedDb(), file.text, {
    organisationId: user.organisationId,
    actor: { id: user.id, email: user.email },
    ip,
    fileName: file.name,
  });
}
