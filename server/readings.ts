// Applying readings (a CSV export of the radio collection software, or one entered by hand) to the
// database: all rows or none. The unique (device_id, read_at) index makes a second import of the
// same file a no-op; a stored reading with another value is an error, never overwritten. Serials
// are looked up only among the organisation's devices, so a file cannot touch another customer's.
// Once committed, every device the import touched has its workflow told of its newest reading: the
// workflow owns the light, and a device silent for more than 30 days stays red until it hears.
import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db/index';
import { appendAudit, sha256 } from '../db/audit';
import { db as sharedDb } from './db';
import { deliverNow, enqueueDeviceReadings, type OutboxEntry } from './outbox';
import type { SessionUser } from './session';
import { temporalClient, temporalSettings, type WorkflowOptions } from './temporal';
import type { DeviceType } from '../domain/deadlines';
import {
  READING_FIELDS,
  UNIT_FOR_DEVICE,
  parseReadingsCsv,
  summariseUnknownSerials,
  type ReadingRow,
  type RowError,
  type UnknownSerial,
} from '../domain/readings-csv';

export type ReadingSource = 'import' | 'manual';

export interface ImportOptions {
  organisationId: number;
  /** Who imported (audit log); null for the system. */
  actor: { id: number; email: string } | null;
  source: ReadingSource;
  /** Apply the known serials' rows and list the unknown ones, instead of refusing the file. */
  skipUnknown?: boolean;
  fileName?: string;
  ip?: string | null;
  now?: Date;
  /** Where the device workflows are told (tests pass their own client and task queue), and how long one signal may take. */
  temporal?: Pick<WorkflowOptions, 'client' | 'taskQueue'> & { signalDeadlineMs?: number };
}

/** The device workflows told of an applied import, after its commit (all 0 when nothing was applied). */
export interface WorkflowsTold {
  /** Devices whose workflow received its signal: one per device, however many readings it had. */
  signalled: number;
  /** Devices replaced or removed: their obligation has ended, nothing to tell. */
  ended: number;
  /** Devices not told because Temporal could not be reached; importing the same file again tells them. */
  unsent: number;
}

export interface ImportReport {
  /** False when any row had an error: then nothing was written. */
  applied: boolean;
  /** Data rows read. */
  rows: number;
  inserted: number;
  /** Readings already stored with the same values, and repeated rows of the file. */
  unchanged: number;
  /** Rows of unknown serials left out (only with skipUnknown). */
  skipped: number;
  errors: RowError[];
  /** Serials no device of the organisation has, with the lines they are on: the first few (domain/readings-csv.ts). */
  unknownSerials: UnknownSerial[];
  unknownSerialCount: number;
  workflows: WorkflowsTold;
}

/** A report of nothing applied (yet): the page's answer to a missing file starts from it too. */
export function emptyReport(errors: RowError[] = []): ImportReport {
  return {
    applied: false,
    rows: 0,
    inserted: 0,
    unchanged: 0,
    skipped: 0,
    errors,
    unknownSerials: [],
    unknownSerialCount: 0,
    workflows: { signalled: 0, ended: 0, unsent: 0 },
  };
}

/** A device of the organisation as imports look it up by serial. */
export interface KnownDevice {
  id: number;
  serial: string;
  type: DeviceType;
  installedAt: string;
  removedAt: string | null;
}

const DEVICE_TYPE_NAMES: Readonly<Record<DeviceType, string>> = {
  HKV: 'Heizkostenverteiler',
  'WZ-K': 'Kaltwasserzähler',
  'WZ-W': 'Warmwasserzähler',
  WMZ: 'Wärmemengenzähler',
  GZ: 'Gaszähler',
  RWM: 'Rauchwarnmelder',
};

const fieldError = (line: number, field: keyof typeof READING_FIELDS, message: string): RowError => ({
  line,
  field: READING_FIELDS[field],
  message,
});

const germanDate = (date: string) => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;
const germanNumber = (value: number) => value.toLocaleString('de-DE', { maximumFractionDigits: 3 });

/** The organisation's devices with these serials, keyed by upper-case serial (serials match case-insensitively). */
export async function devicesBySerial(db: Db, organisationId: number, serials: string[]): Promise<Map<string, KnownDevice>> {
  if (serials.length === 0) return new Map();
  const rows = await db.sequelize.query<KnownDevice>(
    `SELECT d.id, d.serial, d.type, d.installed_at AS "installedAt", d.removed_at AS "removedAt"
       FROM devices d JOIN properties p ON p.id = d.property_id
      WHERE p.organisation_id = $1 AND upper(d.serial) = ANY($2::text[])`,
    { bind: [organisationId, serials.map((s) => s.toUpperCase())], type: QueryTypes.SELECT },
  );
  return new Map(rows.map((row) => [row.serial.toUpperCase(), row]));
}

/** What a row may not be for its device: the wrong unit, a set-date value on a meter, a time outside its service. */
function deviceErrors(row: ReadingRow, device: KnownDevice): RowError[] {
  const errors: RowError[] = [];
  const expected = UNIT_FOR_DEVICE[device.type];
  if (expected === null)
    errors.push(
      fieldError(row.line, 'serial', `${device.serial} ist ein ${DEVICE_TYPE_NAMES[device.type]} und liefert keine Verbrauchswerte`),
    );
  else if (row.unit !== expected)
    errors.push(
      fieldError(row.line, 'unit', `${device.serial} (${DEVICE_TYPE_NAMES[device.type]}) misst in ${expected}, nicht in ${row.unit}`),
    );
  if (row.setDateValue !== null && device.type !== 'HKV')
    errors.push(fieldError(row.line, 'setDateValue', 'gibt es nur bei Heizkostenverteilern'));
  const day = row.readAt.toISOString().slice(0, 10);
  if (day < device.installedAt)
    errors.push(fieldError(row.line, 'readAt', `liegt vor dem Einbau des Geräts (${germanDate(device.installedAt)})`));
  if (device.removedAt && day > device.removedAt)
    errors.push(fieldError(row.line, 'readAt', `liegt nach dem Ausbau des Geräts (${germanDate(device.removedAt)})`));
  return errors;
}

interface Resolved {
  row: ReadingRow;
  device: KnownDevice;
}

class ConflictsFound extends Error {
  constructor(readonly errors: RowError[]) {
    super('stored readings differ');
  }
}

/**
 * Inserts what is new; readings already stored must have the same values (checked after the
 * insert, inside the transaction, so a concurrent import cannot slip a different value past it).
 */
async function insertAll(db: Db, resolved: Resolved[], source: ReadingSource, transaction: Transaction): Promise<number> {
  const bind = [
    resolved.map((r) => r.device.id),
    resolved.map((r) => r.row.readAt.toISOString()),
    resolved.map((r) => r.row.value),
    resolved.map((r) => r.row.unit),
    resolved.map((r) => r.row.setDateValue),
    source,
  ];
  const inserted = await db.sequelize.query<{ deviceId: number; readAt: Date }>(
    `INSERT INTO readings (device_id, read_at, value, unit, set_date_value, source)
     SELECT *, $6::text FROM unnest($1::int[], $2::timestamptz[], $3::numeric[], $4::text[], $5::numeric[])
     ON CONFLICT (device_id, read_at) DO NOTHING
     RETURNING device_id AS "deviceId", read_at AS "readAt"`,
    { bind, type: QueryTypes.SELECT, transaction },
  );
  const key = (deviceId: number, readAt: Date) => `${deviceId}@${readAt.getTime()}`;
  const fresh = new Set(inserted.map((r) => key(r.deviceId, new Date(r.readAt))));
  const existing = resolved.filter((r) => !fresh.has(key(r.device.id, r.row.readAt)));
  if (existing.length > 0) {
    const stored = await db.sequelize.query<{ deviceId: number; readAt: Date; value: string; setDateValue: string | null }>(
      `SELECT r.device_id AS "deviceId", r.read_at AS "readAt", r.value, r.set_date_value AS "setDateValue"
         FROM readings r JOIN unnest($1::int[], $2::timestamptz[]) AS k(device_id, read_at)
           ON r.device_id = k.device_id AND r.read_at = k.read_at`,
      { bind: [existing.map((r) => r.device.id), existing.map((r) => r.row.readAt.toISOString())], type: QueryTypes.SELECT, transaction },
    );
    const byKey = new Map(stored.map((s) => [key(s.deviceId, new Date(s.readAt)), s]));
    const conflicts: RowError[] = [];
    for (const { row, device } of existing) {
      const s = byKey.get(key(device.id, row.readAt));
      if (!s) continue;
      if (Number(s.value) !== row.value)
        conflicts.push(
          fieldError(
            row.line,
            'value',
            `für ${device.serial} zu diesem Zeitpunkt ist bereits ${germanNumber(Number(s.value))} ${row.unit} gespeichert`,
          ),
        );
      else if ((s.setDateValue === null ? null : Number(s.setDateValue)) !== row.setDateValue) {
        conflicts.push(
          fieldError(row.line, 'setDateValue', `für ${device.serial} zu diesem Zeitpunkt ist ein anderer Stichtagswert gespeichert`),
        );
      }
    }
    if (conflicts.length > 0) throw new ConflictsFound(conflicts);
  }
  // The register shows each device's latest reading; only a newer one moves it.
  await db.sequelize.query(
    `UPDATE devices d SET last_reading_at = x.read_at, last_reading_value = x.value, updated_at = now()
       FROM (SELECT DISTINCT ON (device_id) device_id, read_at, value
               FROM unnest($1::int[], $2::timestamptz[], $3::numeric[]) AS r(device_id, read_at, value)
              ORDER BY device_id, read_at DESC) x
      WHERE d.id = x.device_id AND (d.last_reading_at IS NULL OR d.last_reading_at < x.read_at)`,
    { bind: bind.slice(0, 3), transaction },
  );
  return inserted.length;
}

/** Applies parsed rows (a file's or a form's) atomically and reports what happened to each. */
export async function applyReadings(
  db: Db,
  rows: ReadingRow[],
  options: ImportOptions & { parseErrors?: RowError[]; total?: number; duplicates?: number; fileSha256?: string },
): Promise<ImportReport> {
  const report: ImportReport = {
    ...emptyReport([...(options.parseErrors ?? [])]),
    rows: options.total ?? rows.length,
    unchanged: options.duplicates ?? 0,
  };
  const devices = await devicesBySerial(db, options.organisationId, [...new Set(rows.map((r) => r.serial))]);
  const resolved: Resolved[] = [];
  const unknown = new Map<string, { serial: string; lines: number[] }>();
  for (const row of rows) {
    const device = devices.get(row.serial.toUpperCase());
    if (!device) {
      const entry = unknown.get(row.serial.toUpperCase()) ?? { serial: row.serial, lines: [] };
      entry.lines.push(row.line);
      unknown.set(row.serial.toUpperCase(), entry);
      if (options.skipUnknown) report.skipped += 1;
      else report.errors.push(fieldError(row.line, 'serial', `unbekannte Zählernummer „${row.serial}“`));
      continue;
    }
    const errors = deviceErrors(row, device);
    if (errors.length > 0) report.errors.push(...errors);
    else resolved.push({ row, device });
  }
  Object.assign(report, summariseUnknownSerials(unknown.values()));
  if (report.errors.length > 0) return finish(report);

  const deviceIds = [...new Set(resolved.map((r) => r.device.id))];
  let entry: OutboxEntry | undefined;
  try {
    await db.sequelize.transaction(async (transaction) => {
      report.inserted = resolved.length === 0 ? 0 : await insertAll(db, resolved, options.source, transaction);
      // The devices' workflows are told of the readings from the outbox: committed together, so an
      // outage of Temporal delays the lights but loses nothing.
      if (deviceIds.length > 0) {
        const taskQueue = options.temporal?.taskQueue ?? temporalSettings().taskQueue;
        entry = await enqueueDeviceReadings(transaction, { updates: deviceIds.map((deviceId) => ({ deviceId })), taskQueue });
      }
      report.unchanged += resolved.length - report.inserted;
      await appendAudit(
        db,
        {
          organisationId: options.organisationId,
          actorId: options.actor?.id ?? null,
          actor: options.actor?.email ?? 'system',
          action: options.source === 'manual' ? 'readings.entered' : 'readings.imported',
          entity: 'readings',
          ip: options.ip ?? null,
          details: {
            fileName: options.fileName ?? null,
            fileSha256: options.fileSha256 ?? null,
            rows: report.rows,
            inserted: report.inserted,
            unchanged: report.unchanged,
            skipped: report.skipped,
            unknownSerials: report.unknownSerials.map((u) => u.serial),
            unknownSerialCount: report.unknownSerialCount,
          },
        },
        transaction,
      );
    });
  } catch (error) {
    if (!(error instanceof ConflictsFound)) throw error;
    report.inserted = 0;
    report.unchanged = options.duplicates ?? 0;
    report.errors.push(...error.errors);
    return finish(report);
  }
  report.applied = true;
  // Committed: only now may a workflow hear of it. Every device with a row in the import is told,
  // unchanged ones too.
  if (entry) report.workflows = await tellDeviceWorkflows(db, entry, deviceIds.length, options);
  return report;
}

/**
 * One signal per device with its newest reading, right after the commit. Never throws: the readings
 * are stored, and what could not be told now stays in the outbox for the relay (the workers'),
 * which tells the rest once Temporal answers again; `unsent` counts those.
 */
export async function tellDeviceWorkflows(
  db: Db,
  entry: OutboxEntry,
  devices: number,
  options: Pick<ImportOptions, 'temporal'>,
): Promise<WorkflowsTold> {
  const delivered = await deliverNow([entry], {
    db,
    client: options.temporal?.client ?? temporalClient(),
    deadlineMs: options.temporal?.signalDeadlineMs,
  });
  const outcome = delivered.get(entry.id);
  const told = outcome?.result as WorkflowsTold | undefined;
  // Delivered by a relay while we waited for its lock: all told, by it.
  if (outcome?.status === 'sent') return told ?? { signalled: devices, ended: 0, unsent: 0 };
  return told ?? { signalled: 0, ended: 0, unsent: devices };
}

function finish(report: ImportReport): ImportReport {
  report.errors.sort((a, b) => a.line - b.line);
  return report;
}

/** Parses and applies a CSV export; parse errors refuse the file before anything is looked up. */
export async function importReadingsCsv(db: Db, text: string, options: ImportOptions): Promise<ImportReport> {
  const parsed = parseReadingsCsv(text, { now: options.now });
  return applyReadings(db, parsed.rows, {
    ...options,
    parseErrors: parsed.errors,
    total: parsed.total,
    duplicates: parsed.duplicates,
    fileSha256: sha256(text),
  });
}

// ---- the readings page ----

/** Who imports: the signed-in user, into their own organisation. */
export type ImportingUser = Pick<SessionUser, 'id' | 'email' | 'organisationId'>;

function byUser(user: ImportingUser, ip: string | null) {
  return { organisationId: user.organisationId, actor: { id: user.id, email: user.email }, ip };
}

/** A CSV file uploaded on the readings page. */
export function importReadingsFile(
  user: ImportingUser,
  file: { text: string; name: string; skipUnknown: boolean },
  ip: string | null,
): Promise<ImportReport> {
  return importReadingsCsv(sharedDb(), file.text, {
    ...byUser(user, ip),
    source: 'import',
    fileName: file.name,
    skipUnknown: file.skipUnknown,
  });
}

/** One reading typed in on the readings page. */
export function enterReading(user: ImportingUser, row: ReadingRow, ip: string | null): Promise<ImportReport> {
  return applyReadings(sharedDb(), [row], { ...byUser(user, ip), source: 'manual' });
}

export interface RecentImport {
  id: number;
  at: Date;
  actor: string;
  manual: boolean;
  fileName: string | null;
  rows: number;
  inserted: number;
  unchanged: number;
}

const IMPORT_ACTIONS = ['readings.imported', 'readings.entered'];

/** The organisation's last imports and entries, from the audit log (newest first). */
export async function recentImports(user: Pick<SessionUser, 'organisationId'>, db: Db = sharedDb(), limit = 10): Promise<RecentImport[]> {
  const entries = await db.models.AuditEntry.findAll({
    where: { organisationId: user.organisationId, action: { [Op.in]: IMPORT_ACTIONS } },
    attributes: ['id', 'at', 'actor', 'action', 'details'],
    order: [['id', 'DESC']],
    limit,
  });
  return entries.map((entry) => {
    const details = entry.details as { fileName?: string | null; rows?: number; inserted?: number; unchanged?: number };
    return {
      id: entry.id,
      at: entry.at,
      actor: entry.actor,
      manual: entry.action === 'readings.entered',
      fileName: details.fileName ?? null,
      rows: details.rows ?? 0,
      inserted: details.inserted ?? 0,
      unchanged: details.unchanged ?? 0,
    };
  });
}
