// Telegrams pushed by radio gateways (issue 17): wmbusmeters JSON, one telegram or a batch, mapped
// by the READINGS.md contract (domain/readings-wmbus.ts) and stored for the token's organisation.
// Unlike the CSV import, a batch is not all or nothing: a gateway cannot fix a telegram, so every
// telegram is judged on its own and the answer lists the refused ones by their index in the batch.
// Idempotent per device and reading time: a telegram sent again is a duplicate, one with another
// value at the same time is refused (never overwritten). After the commit every device whose
// reading day or reported status moved has its workflow told (the newest of both, from its row).
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db/index';
import type { DeviceType } from '../domain/deadlines';
import type { ReadingUnit } from '../domain/readings-csv';
import { isSkipped, mapTelegram, type WmbusKind, type WmbusReading, type WmbusUnit } from '../domain/readings-wmbus';
import { enqueueDeviceReadings } from './outbox';
import { temporalSettings } from './temporal';
import { devicesBySerial, tellDeviceWorkflows, type ImportOptions, type KnownDevice, type WorkflowsTold } from './readings';

/** Stands for a line of a JSON-lines body that is not JSON: reported at its index like any refused telegram. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** A batch larger than this is refused as a whole: one request should stay well under a second's work. */
export const MAX_TELEGRAMS_PER_BATCH = 10_000;

export interface TelegramProblem {
  /** Position of the telegram in the batch, from 0. */
  index: number;
  serial?: string;
  /** The telegram's field the problem is about (`id`, `media`, `timestamp`, a value field). */
  field?: string;
  reason: string;
}

export interface IngestReport {
  received: number;
  /** Telegrams stored as new readings (or, for smoke alarms, as the device's reported status). */
  accepted: number;
  /** Telegrams already stored with the same values (sent again). */
  duplicates: number;
  /** Telegrams that carry nothing the portal keeps (other media, no value): not an error. */
  skipped: TelegramProblem[];
  /** Telegrams refused: unknown serial, wrong kind for the device, outside its service, conflicting value. */
  errors: TelegramProblem[];
  workflows: WorkflowsTold;
}

export interface IngestOptions {
  organisationId: number;
  /** Receipt time: the reading time of telegrams without a usable timestamp. */
  now?: Date;
  temporal?: ImportOptions['temporal'];
}

const DEVICE_TYPES_FOR_KIND: Readonly<Record<WmbusKind, readonly DeviceType[]>> = {
  HKV: ['HKV'],
  'WZ-W': ['WZ-W'],
  'WZ-K': ['WZ-K'],
  // "water": hot or cold is the register's device's business (READINGS.md).
  WZ: ['WZ-K', 'WZ-W'],
  WMZ: ['WMZ'],
  RWM: ['RWM'],
};

const READING_UNIT: Readonly<Record<WmbusUnit, ReadingUnit>> = { hca: 'Einheiten', m3: 'm³', kWh: 'kWh' };

/** readings.value is NUMERIC(14,3): larger values would fail the whole statement. */
const MAX_VALUE = 1e11;
const EARLIEST_READING = Date.parse('2000-01-01T00:00:00Z');
/** Gateways' clocks drift; a timestamp further ahead than this is not believed. */
const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * When the telegram was read: its `timestamp` when that is a real instant (not in the future, not
 * before 2000), else the receipt time (wmbusmeters' test placeholder 1111-11-11, a missing field).
 * A set-date-only telegram is the value at the end of its set date: stored late on that day in
 * Germany (21:59:59Z is 22:59:59 or 23:59:59 there), where the statement looks for it.
 */
function readingTime(telegram: Readonly<Record<string, unknown>>, reading: WmbusReading, now: Date): Date {
  if (reading.value === null && reading.setDate !== null) return new Date(`${reading.setDate}T21:59:59Z`);
  const stamp = telegram.timestamp;
  const ms = typeof stamp === 'string' ? Date.parse(stamp) : NaN;
  if (Number.isFinite(ms) && ms >= EARLIEST_READING && ms <= now.getTime() + CLOCK_SKEW_MS) return new Date(ms);
  return now;
}

const roundMilli = (value: number) => Math.round(value * 1000) / 1000;

interface Accepted {
  index: number;
  device: KnownDevice;
  readAt: Date;
  status: string;
  /** Null for smoke alarms: nothing to store but the status. */
  row: { value: number; unit: ReadingUnit; setDateValue: number | null } | null;
}

/** Why a mapped telegram cannot be booked on this device, or null. */
function deviceProblem(reading: WmbusReading, device: KnownDevice, readAt: Date): Omit<TelegramProblem, 'index'> | null {
  const serial = reading.serial;
  if (!DEVICE_TYPES_FOR_KIND[reading.kind].includes(device.type))
    return { serial, field: 'media', reason: `device ${device.serial} is a ${device.type}, the telegram a ${reading.kind}` };
  const day = readAt.toISOString().slice(0, 10);
  if (day < device.installedAt) return { serial, field: 'timestamp', reason: `before the device was installed (${device.installedAt})` };
  if (device.removedAt !== null && day > device.removedAt)
    return { serial, field: 'timestamp', reason: `after the device was removed (${device.removedAt})` };
  for (const value of [reading.value, reading.setDateValue]) {
    if (value !== null && !(Math.abs(value) < MAX_VALUE)) return { serial, field: 'value', reason: `value ${value} out of range` };
  }
  return null;
}

const keyOf = (deviceId: number, readAt: Date) => `${deviceId}@${readAt.getTime()}`;

/** Stores the readings; returns the indexes stored anew and the conflicts with stored values. */
async function storeReadings(
  db: Db,
  readings: Accepted[],
  transaction: Transaction,
): Promise<{ fresh: Set<number>; conflicts: TelegramProblem[] }> {
  const fresh = new Set<number>();
  const conflicts: TelegramProblem[] = [];
  const rows = readings.filter((r): r is Accepted & { row: NonNullable<Accepted['row']> } => r.row !== null);
  if (rows.length === 0) return { fresh, conflicts };
  const inserted = await db.sequelize.query<{ deviceId: number; readAt: Date }>(
    `INSERT INTO readings (device_id, read_at, value, unit, set_date_value, source)
     SELECT *, 'radio' FROM unnest($1::int[], $2::timestamptz[], $3::numeric[], $4::text[], $5::numeric[])
     ON CONFLICT (device_id, read_at) DO NOTHING
     RETURNING device_id AS "deviceId", read_at AS "readAt"`,
    {
      bind: [
        rows.map((r) => r.device.id),
        rows.map((r) => r.readAt.toISOString()),
        rows.map((r) => r.row.value),
        rows.map((r) => r.row.unit),
        rows.map((r) => r.row.setDateValue),
      ],
      type: QueryTypes.SELECT,
      transaction,
    },
  );
  const insertedKeys = new Set(inserted.map((r) => keyOf(r.deviceId, new Date(r.readAt))));
  const existing: typeof rows = [];
  for (const r of rows) {
    const key = keyOf(r.device.id, r.readAt);
    // The first telegram of a batch with a (device, time) takes the insert; repeats compare with it.
    if (insertedKeys.delete(key)) fresh.add(r.index);
    else existing.push(r);
  }
  if (existing.length === 0) return { fresh, conflicts };
  const stored = await db.sequelize.query<{ deviceId: number; readAt: Date; value: string; setDateValue: string | null }>(
    `SELECT r.device_id AS "deviceId", r.read_at AS "readAt", r.value, r.set_date_value AS "setDateValue"
       FROM readings r JOIN unnest($1::int[], $2::timestamptz[]) AS k(device_id, read_at)
         ON r.device_id = k.device_id AND r.read_at = k.read_at`,
    { bind: [existing.map((r) => r.device.id), existing.map((r) => r.readAt.toISOString())], type: QueryTypes.SELECT, transaction },
  );
  const byKey = new Map(stored.map((s) => [keyOf(s.deviceId, new Date(s.readAt)), s]));
  for (const r of existing) {
    const s = byKey.get(keyOf(r.device.id, r.readAt));
    const storedSetDate = s?.setDateValue == null ? null : Number(s.setDateValue);
    if (s && Number(s.value) === r.row.value && storedSetDate === r.row.setDateValue) continue;
    conflicts.push({
      index: r.index,
      serial: r.device.serial,
      field: 'value',
      reason: `another value is stored for ${r.device.serial} at ${r.readAt.toISOString()}${s ? ` (${Number(s.value)})` : ''}`,
    });
  }
  return { fresh, conflicts };
}

/**
 * Moves each device's latest reading and reported status forward (never back) to the batch's newest.
 * Returns the devices whose workflow has something new to hear: another reading day (the staleness
 * rule counts days) or another status. A device reporting every few minutes is told once a day,
 * not with every telegram; a signal lost to an outage is repaired by its next day's reading.
 */
async function updateDevices(db: Db, accepted: Accepted[], fresh: Set<number>, transaction: Transaction): Promise<number[]> {
  const newest = new Map<number, Accepted>();
  for (const a of accepted) {
    const seen = newest.get(a.device.id);
    if (!seen || seen.readAt < a.readAt) newest.set(a.device.id, a);
  }
  const rows = [...newest.values()];
  const changed = await db.sequelize.query<{ id: number; news: boolean }>(
    `UPDATE devices d SET
        reported_status = CASE WHEN d.reported_status_at IS NULL OR d.reported_status_at <= x.read_at THEN x.status ELSE d.reported_status END,
        reported_status_at = GREATEST(d.reported_status_at, x.read_at),
        last_reading_at = CASE WHEN x.fresh AND (d.last_reading_at IS NULL OR d.last_reading_at < x.read_at) THEN x.read_at ELSE d.last_reading_at END,
        last_reading_value = CASE WHEN x.fresh AND x.value IS NOT NULL AND (d.last_reading_at IS NULL OR d.last_reading_at < x.read_at)
                                  THEN x.value ELSE d.last_reading_value END,
        updated_at = now()
       FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::numeric[], $5::boolean[]) AS x(device_id, read_at, status, value, fresh),
            devices old
      WHERE d.id = x.device_id AND old.id = d.id
      RETURNING d.id,
        (old.last_reading_at AT TIME ZONE 'UTC')::date IS DISTINCT FROM (d.last_reading_at AT TIME ZONE 'UTC')::date
          OR old.reported_status IS DISTINCT FROM d.reported_status AS news`,
    {
      bind: [
        rows.map((r) => r.device.id),
        rows.map((r) => r.readAt.toISOString()),
        rows.map((r) => r.status),
        rows.map((r) => r.row?.value ?? null),
        // A smoke alarm's telegram is its sign of life: it counts as its latest "reading".
        rows.map((r) => fresh.has(r.index) || r.row === null),
      ],
      type: QueryTypes.SELECT,
      transaction,
    },
  );
  return changed.filter((row) => row.news).map((row) => row.id);
}

/** Maps, checks, stores and reports one batch of decoded telegrams (already parsed from JSON). */
export async function ingestTelegrams(db: Db, telegrams: readonly unknown[], options: IngestOptions): Promise<IngestReport> {
  const now = options.now ?? new Date();
  const report: IngestReport = {
    received: telegrams.length,
    accepted: 0,
    duplicates: 0,
    skipped: [],
    errors: [],
    workflows: { signalled: 0, ended: 0, unsent: 0 },
  };
  const mapped: Array<{ index: number; telegram: Readonly<Record<string, unknown>>; reading: WmbusReading }> = [];
  telegrams.forEach((telegram, index) => {
    if (typeof telegram !== 'object' || telegram === null || Array.isArray(telegram)) {
      report.errors.push({ index, reason: telegram === NOT_JSON ? 'not JSON' : 'not a JSON object' });
      return;
    }
    const record = telegram as Readonly<Record<string, unknown>>;
    const result = mapTelegram(record, index + 1);
    if (isSkipped(result)) report.skipped.push({ index, reason: result.skipped });
    else mapped.push({ index, telegram: record, reading: result });
  });

  const devices = await devicesBySerial(db, options.organisationId, [...new Set(mapped.map((m) => m.reading.serial))]);
  const accepted: Accepted[] = [];
  for (const { index, telegram, reading } of mapped) {
    const device = devices.get(reading.serial.toUpperCase());
    if (!device) {
      report.errors.push({ index, serial: reading.serial, field: 'id', reason: `unknown serial ${reading.serial}` });
      continue;
    }
    const readAt = readingTime(telegram, reading, now);
    const problem = deviceProblem(reading, device, readAt);
    if (problem) {
      report.errors.push({ index, ...problem });
      continue;
    }
    const value = reading.value ?? reading.setDateValue;
    const row =
      reading.kind === 'RWM' || value === null || reading.unit === null
        ? null
        : {
            value: roundMilli(value),
            unit: READING_UNIT[reading.unit],
            setDateValue: reading.value === null || reading.setDateValue === null ? null : roundMilli(reading.setDateValue),
          };
    accepted.push({ index, device, readAt, status: reading.status, row });
  }

  if (accepted.length > 0) {
    const { conflicts, news, entry } = await db.sequelize.transaction(async (transaction) => {
      // Concurrent batches of one gateway touch the same devices: lock them in one order, no deadlocks.
      await db.sequelize.query('SELECT id FROM devices WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', {
        bind: [[...new Set(accepted.map((a) => a.device.id))]],
        transaction,
      });
      const { fresh, conflicts } = await storeReadings(db, accepted, transaction);
      const conflicting = new Set(conflicts.map((c) => c.index));
      const kept = accepted.filter((a) => !conflicting.has(a.index));
      const news = kept.length === 0 ? [] : await updateDevices(db, kept, fresh, transaction);
      report.accepted = kept.filter((a) => fresh.has(a.index) || a.row === null).length;
      report.duplicates = kept.length - report.accepted;
      // The workflows are told from the outbox, committed with the readings: an outage delays, loses nothing.
      const taskQueue = options.temporal?.taskQueue ?? temporalSettings().taskQueue;
      const entry =
        news.length === 0
          ? undefined
          : await enqueueDeviceReadings(transaction, { updates: news.map((deviceId) => ({ deviceId })), taskQueue });
      return { conflicts, news, entry };
    });
    report.errors.push(...conflicts);
    // Committed: only now may a workflow hear of it.
    if (entry) report.workflows = await tellDeviceWorkflows(db, entry, news.length, options);
  }
  report.errors.sort((a, b) => a.index - b.index);
  return report;
}
