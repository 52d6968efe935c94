// The web app's (and scripts') way into Temporal: one client per process, idempotent starts of
// device workflows and the signals the app's actions send after their transaction commits.
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { db as sharedDb, type Db } from '../db';
import { loadDeviceWorkflowStarts, startDeviceWorkflow } from './device-obligation';
import { MAX_YEAR, MIN_YEAR, isDate } from '../domain/dates';
import { deviceHealth, deviceRecalibrated, deviceReplaced } from '../workflows/shared/device';
import { deviceWorkflowId, type DeviceHealthReport, type DeviceRecalibrated, type DeviceReplaced } from '../domain/contracts/device';

export { deviceWorkflowId };

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export function temporalSettings(): TemporalSettings {
  return {
    address: process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: process.env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: process.env.TEMPORAL_TASK_QUEUE || 'klarmeter',
  };
}

export const TASK_QUEUE = temporalSettings().taskQueue;

let client: Client | undefined;

/** One client per process; the connection opens on first use, so importing this costs nothing. */
export function temporalClient(): Client {
  if (!client) {
    const { address, namespace } = temporalSettings();
    client = new Client({ connection: Connection.lazy({ address }), namespace });
  }
  return client;
}

export interface StartOptions {
  taskQueue?: string;
  db?: Db;
}

export interface DeviceWorkflowRef {
  workflowId: string;
  /** Null when the workflow exists but has ended. */
  runId: string | null;
}

/**
 * Starts the device's deadline workflow from its row in the database, or finds the running one:
 * however often seeding or an import runs, a device has one workflow. A device that was replaced
 * or removed gets none (null).
 */
export async function ensureDeviceWorkflow(
  temporal: Client,
  deviceId: number,
  options: StartOptions = {},
): Promise<DeviceWorkflowRef | null> {
  const [start] = await loadDeviceWorkflowStarts(options.db ?? sharedDb(), [deviceId]);
  return start ? startDeviceWorkflow(temporal, start, options.taskQueue ?? TASK_QUEUE) : null;
}

/**
 * Bulk variant for seeding and imports (50,000 devices): rows are read in chunks, starts run with
 * bounded concurrency so neither the database pool nor the frontend is flooded.
 */
export async function ensureDeviceWorkflows(
  temporal: Client,
  deviceIds: readonly number[],
  options: StartOptions & { concurrency?: number; chunkSize?: number } = {},
): Promise<{ ensured: number; skipped: number }> {
  const database = options.db ?? sharedDb();
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  const chunkSize = options.chunkSize ?? 1_000;
  const ids = [...new Set(deviceIds)];
  let ensured = 0;
  for (let offset = 0; offset < ids.length; offset += chunkSize) {
    const starts = await loadDeviceWorkflowStarts(database, ids.slice(offset, offset + chunkSize));
    await forEachConcurrently(starts, options.concurrency ?? 50, (start) => startDeviceWorkflow(temporal, start, taskQueue));
    ensured += starts.length;
  }
  // ensured: now has a workflow (started or already running); skipped: replaced, removed or unknown.
  return { ensured, skipped: ids.length - ensured };
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Signals the device's workflow; when it has none running (never started, or ended), `fallback`
 * runs instead — usually an idempotent start that reads the already-updated row.
 */
async function signalOrElse(signal: () => Promise<void>, fallback: () => Promise<unknown>): Promise<void> {
  try {
    await signal();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    await fallback();
  }
}

function requireDate(value: string | undefined, field: string): void {
  if (value !== undefined && !isDate(value)) throw new RangeError(`${field}: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
}

/** Call in afterCommit once the replacement (both links, removedAt) is written. The predecessor's workflow starts the successor's. */
export async function reportDeviceReplaced(
  temporal: Client,
  deviceId: number,
  replacement: DeviceReplaced,
  options: StartOptions = {},
): Promise<void> {
  requireDate(replacement.replacedAt, 'replacedAt');
  await signalOrElse(
    () => temporal.workflow.getHandle(deviceWorkflowId(deviceId)).signal(deviceReplaced, replacement),
    async () => {
      if (replacement.successorId !== undefined) await ensureDeviceWorkflow(temporal, replacement.successorId, options);
    },
  );
}

export async function reportDeviceRecalibrated(
  temporal: Client,
  deviceId: number,
  change: DeviceRecalibrated,
  options: StartOptions = {},
): Promise<void> {
  requireDate(change.installedAt, 'installedAt');
  requireDate(change.lastInspectionAt, 'lastInspectionAt');
  const year = change.calibratedYear;
  if (year !== undefined && !(Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR)) {
    throw new RangeError(`calibratedYear: expected a year, got ${year}`);
  }
  await signalOrElse(
    () => temporal.workflow.getHandle(deviceWorkflowId(deviceId)).signal(deviceRecalibrated, change),
    () => ensureDeviceWorkflow(temporal, deviceId, options),
  );
}

/** Battery and reading updates; a reading's instant counts by its UTC calendar day. */
export async function reportDeviceHealth(
  temporal: Client,
  deviceId: number,
  health: { batteryPercent?: number; lastReadingAt?: string | Date },
  options: StartOptions = {},
): Promise<void> {
  const report: DeviceHealthReport = { batteryPercent: health.batteryPercent };
  if (health.lastReadingAt !== undefined) {
    report.lastReadingAt = health.lastReadingAt instanceof Date ? health.lastReadingAt.toISOString().slice(0, 10) : health.lastReadingAt;
  }
  requireDate(report.lastReadingAt, 'lastReadingAt');
  if (report.batteryPercent !== undefined && !(report.batteryPercent >= 0 && report.batteryPercent <= 100)) {
    throw new RangeError(`batteryPercent: expected 0 to 100, got ${report.batteryPercent}`);
  }
  await signalOrElse(
    () => temporal.workflow.getHandle(deviceWorkflowId(deviceId)).signal(deviceHealth, report),
    () => ensureDeviceWorkflow(temporal, deviceId, options),
  );
}
