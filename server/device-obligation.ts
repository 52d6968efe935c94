// Side effects of the device deadline workflow: the projection on the Device row (light, due date)
// with its live NOTIFY and audit entry, reminders and escalations to the right people, and the
// link between a replaced device and its successor. Every activity is idempotent: a retry after a
// crash changes nothing twice (dedupe keys, "only if not yet set" updates).
import { GoneError } from './errors';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { db as sharedDb } from './db';
import { forEachConcurrently, identityAttributes, startOnce, temporalSettings, type StartOnce, type WorkflowOptions } from './temporal';
import type { Transaction } from 'sequelize';
import { LIVE_CHANNEL, type Db, type Device, type Organisation, type Property, type Unit, type User } from '../db';
import { appendAudit } from '../db/audit';
import { MAX_YEAR, MIN_YEAR, isDate, parseDate } from '../domain/dates';
import type { DeadlineKind, DeviceFacts, Light } from '../domain/deadlines';
import { DEVICE_TYPE_LABELS } from '../domain/device-labels';
import type { deviceDeadline } from '../workflows/device-deadline';
import {
  DEVICE_GONE,
  DEVICE_WORKFLOW_TYPE,
  devicePath,
  deviceWorkflowId,
  type DeviceDeadlineInput,
  type DeviceHealthReport,
  type DeviceRecalibrated,
  type DeviceReplaced,
  type RecordedDeadline,
} from '../domain/contracts/device';
import { deviceExchangeLeadTime, deviceHealth, deviceRecalibrated, deviceReplaced } from '../workflows/shared/device';
import type { DeviceExchangeLeadTime } from '../domain/contracts/device-exchange';
import { genericNotice, managersOf, notifyUsers, type NotifyDeps, type OutgoingNotice } from './notifications';

export interface RecordDeadlineInput extends RecordedDeadline {
  deviceId: number;
}

export interface DeviceReminderInput {
  deviceId: number;
  kind: DeadlineKind;
  dueAt: string;
  daysBefore: number;
  dedupeKey: string;
}

export interface DeviceEscalationInput {
  deviceId: number;
  kind: DeadlineKind;
  dueAt: string;
  dedupeKey: string;
}

export interface DeviceReplacementInput {
  deviceId: number;
  successorId?: number;
  replacedAt: string;
}

/** The payload on LIVE_CHANNEL whenever a device's projection changes (a type alias, so it is a plain record). */
export type DeviceLiveEvent = {
  type: 'device';
  deviceId: number;
  propertyId: number;
  unitId: number | null;
  light: Light | null;
  dueAt: string | null;
};

const DEADLINE_LABEL: Record<DeadlineKind, string> = {
  calibration: 'Eichfrist',
  replacement: 'Austauschfrist',
  inspection: 'Wartungsfrist',
};

const REQUESTED_WORK: Record<DeadlineKind, string> = {
  calibration: 'den Austausch oder die Nacheichung',
  replacement: 'den Austausch',
  inspection: 'die Wartung',
};

function deviceGone(deviceId: number): GoneError {
  return new GoneError(`Gerät ${deviceId} existiert nicht mehr`, DEVICE_GONE);
}

function germanDate(date: string): string {
  const { year, month, day } = parseDate(date);
  return `${String(day).padStart(2, '0')}.${String(month).padStart(2, '0')}.${year}`;
}

function inDays(days: number): string {
  if (days <= 0) return 'heute';
  return days === 1 ? 'in 1 Tag' : `in ${days} Tagen`;
}

interface DeviceContext {
  device: Device;
  property: Property;
  unit: Unit | null;
}

/** The deadline event a notice is about: a reminder `daysBefore` the due date, or (null) its expiry. */
interface DeadlineEvent {
  kind: DeadlineKind;
  dueAt: string;
  daysBefore: number | null;
}

/**
 * "Eichfrist in 30 Tagen: WZ-2021-01887 (Musterstraße 12, Whg. 1.03)" and the sentences behind it;
 * the property's technician is asked to schedule the work, everyone else to arrange it.
 */
function composeDeviceNotice({ device, property, unit }: DeviceContext, event: DeadlineEvent, recipient: User): OutgoingNotice {
  const place = unit ? `${property.street}, ${unit.label}` : property.street;
  const label = DEADLINE_LABEL[event.kind];
  const which = `des ${DEVICE_TYPE_LABELS[device.type]}s ${device.serial} (${place})`;
  const expired = event.daysBefore === null;
  const when = expired ? 'umgehend' : 'rechtzeitig';
  const request =
    recipient.id === property.technicianId
      ? `Bitte planen Sie ${REQUESTED_WORK[event.kind]} ${when} ein.`
      : `Bitte veranlassen Sie ${when} ${REQUESTED_WORK[event.kind]}.`;
  const title = expired
    ? `${label} abgelaufen: ${device.serial} (${place})`
    : `${label} ${inDays(event.daysBefore ?? 0)}: ${device.serial} (${place})`;
  const body = expired
    ? `Die ${label} ${which} ist am ${germanDate(event.dueAt)} abgelaufen; das Gerät steht auf Rot. ${request}`
    : `Die ${label} ${which} endet am ${germanDate(event.dueAt)}. ${request}`;
  return genericNotice({
    title,
    body,
    link: devicePath(device.id),
    reference: `Gerät ${device.serial}`,
    facts: [
      { label: 'Gerät', value: `${DEVICE_TYPE_LABELS[device.type]} ${device.serial}` },
      { label: 'Ort', value: place },
      { label, value: germanDate(event.dueAt) },
    ],
    actionLabel: 'Gerät im Portal öffnen',
  });
}

export function deviceLiveEvent(device: Device): DeviceLiveEvent {
  return {
    type: 'device',
    deviceId: device.id,
    propertyId: device.propertyId,
    unitId: device.unitId,
    light: device.light,
    dueAt: device.dueAt,
  };
}

/** A device's light changed (for the webhook event `device.light_changed`). */
export interface DeviceLightChange {
  organisationId: number;
  deviceId: number;
  serial: string;
  from: Light | null;
  to: Light;
  kind: DeadlineKind;
  dueAt: string;
  changedAt: Date;
}

/** The facts domain/deadlines needs, from the Device row and its organisation's settings. */
export function deviceFacts(device: Device, organisation: Pick<Organisation, 'hkvLifetimeYears'>): DeviceFacts {
  return {
    type: device.type,
    installedAt: device.installedAt,
    calibratedYear: device.calibratedYear,
    lastInspectionAt: device.lastInspectionAt,
    batteryPercent: device.batteryPercent,
    // The staleness rule counts calendar days; the reading's instant is kept in UTC days like every deadline.
    lastReadingAt: device.lastReadingAt ? device.lastReadingAt.toISOString().slice(0, 10) : null,
    // Only once the device has reported by radio: inputs of devices that never did stay as they were.
    ...(device.reportedStatus === null ? {} : { reportedStatus: device.reportedStatus }),
    hkvLifetimeYears: organisation.hkvLifetimeYears,
  };
}

export interface DeviceWorkflowStart {
  workflowId: string;
  /** The device's organisation: searchable from the start (KlarOrganisation), not part of the workflow's input. */
  organisationId: number;
  input: DeviceDeadlineInput;
}

/**
 * Start inputs for the given devices, read in three queries however many there are. Devices that
 * were replaced or removed (or do not exist) get none: their obligation has ended.
 */
export async function loadDeviceWorkflowStarts(
  db: Db,
  deviceIds: readonly number[],
  /** Inside the transaction that wrote the devices (an import enqueues their starts in it). */
  transaction?: Transaction,
): Promise<DeviceWorkflowStart[]> {
  const { Device, Property, Organisation } = db.models;
  const devices = await Device.findAll({ where: { id: [...new Set(deviceIds)], successorId: null, removedAt: null }, transaction });
  if (devices.length === 0) return [];
  const properties = await Property.findAll({
    where: { id: [...new Set(devices.map((d) => d.propertyId))] },
    attributes: ['id', 'organisationId'],
    transaction,
  });
  const organisations = await Organisation.findAll({
    where: { id: [...new Set(properties.map((p) => p.organisationId))] },
    transaction,
  });
  const organisationOfProperty = new Map(properties.map((p) => [p.id, organisations.find((o) => o.id === p.organisationId)!]));
  return devices.map((device) => {
    const organisation = organisationOfProperty.get(device.propertyId)!;
    return {
      workflowId: deviceWorkflowId(device.id),
      organisationId: organisation.id,
      input: {
        deviceId: device.id,
        propertyId: device.propertyId,
        unitId: device.unitId,
        facts: deviceFacts(device, organisation),
        reminderDays: organisation.reminderDays,
        exchangeLeadDays: organisation.deviceExchangeLeadDays,
        predecessorWorkflowId: device.predecessorId ? deviceWorkflowId(device.predecessorId) : null,
      },
    };
  });
}

/**
 * Starts the device's workflow unless it runs already (then returns the running one). A run that
 * completed — the device was replaced or removed — is never started again; only a failed or
 * terminated one may be. runId is null when the workflow exists but has ended.
 */
export async function startDeviceWorkflow(
  client: Client,
  start: DeviceWorkflowStart,
  taskQueue: string,
): Promise<{ workflowId: string; runId: string | null }> {
  const runId = await startOnce(client, deviceWorkflowStartOnce(start, taskQueue));
  return { workflowId: start.workflowId, runId };
}

/** How a device's workflow is started: directly (above) or, written with the device's row, through the outbox. */
export function deviceWorkflowStartOnce(
  { workflowId, organisationId, input }: DeviceWorkflowStart,
  taskQueue: string,
): StartOnce<typeof deviceDeadline> {
  return {
    workflowType: DEVICE_WORKFLOW_TYPE,
    workflowId,
    taskQueue,
    args: [input],
    reuse: 'ALLOW_DUPLICATE_FAILED_ONLY',
    memo: input.predecessorWorkflowId ? { predecessorWorkflowId: input.predecessorWorkflowId } : undefined,
    // Identity is searchable from the start; the workflow adds its obligation, due date, light and state.
    identity: { organisationId, propertyId: input.propertyId, unitId: input.unitId, deviceId: input.deviceId },
  };
}

export function createDeviceObligation(deps: NotifyDeps) {
  const { db } = deps;
  const { Device, Property, Unit, User } = db.models;

  /** The device (row-locked for the transaction), its property and unit; DeviceGone if deleted. */
  async function loadContext(deviceId: number, transaction: Transaction): Promise<DeviceContext> {
    const device = await Device.findByPk(deviceId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!device) throw deviceGone(deviceId);
    const property = await Property.findByPk(device.propertyId, { transaction, rejectOnEmpty: true });
    const unit = device.unitId === null ? null : await Unit.findByPk(device.unitId, { transaction });
    return { device, property, unit };
  }

  /** The property's technician, if one is assigned (its device work covers the deadline). */
  async function technicianOf(property: Property, transaction: Transaction): Promise<User[]> {
    if (property.technicianId === null) return [];
    const technician = await User.findByPk(property.technicianId, { transaction });
    return technician ? [technician] : [];
  }

  function notifyDeadline(context: DeviceContext, event: DeadlineEvent, recipients: User[], dedupeKey: string) {
    const expired = event.daysBefore === null;
    return notifyUsers(deps, {
      recipients,
      topic: 'device',
      propertyId: context.property.id,
      kind: expired ? 'device-escalation' : 'device-reminder',
      urgency: expired ? 'urgent' : 'routine',
      dedupeKey,
      compose: (recipient) => composeDeviceNotice(context, event, recipient),
    });
  }

  return {
    /** Writes deadline and light to the Device row; NOTIFY when anything changed, audit when the light did. */
    /** Writes the projection; returns the light's change when there was one (the webhook event). */
    async recordDeviceDeadline({ deviceId, kind, dueAt, light }: RecordDeadlineInput): Promise<DeviceLightChange | null> {
      return db.sequelize.transaction(async (transaction) => {
        const { device, property } = await loadContext(deviceId, transaction);
        const previousLight = device.light;
        const lightChanged = previousLight !== light;
        const deadlineChanged = device.dueAt !== dueAt || device.deadlineKind !== kind;
        if (!lightChanged && !deadlineChanged) return null;
        const changedAt = new Date();
        await device.update(
          {
            deadlineKind: kind,
            dueAt,
            light,
            ...(lightChanged ? { lightChangedAt: changedAt } : {}),
            // Reminder and escalation marks belong to a deadline; a new one starts without them.
            ...(deadlineChanged ? { lastReminderDays: null, escalatedAt: null } : {}),
          },
          { transaction },
        );
        if (lightChanged) {
          await appendAudit(
            db,
            {
              organisationId: property.organisationId,
              actorId: null,
              actor: 'system',
              action: 'device.light_changed',
              entity: 'device',
              entityId: deviceId,
              details: { from: previousLight, to: light, kind, dueAt, workflowId: deviceWorkflowId(deviceId) },
            },
            transaction,
          );
        }
        await db.notify(LIVE_CHANNEL, deviceLiveEvent(device), transaction);
        return lightChanged
          ? {
              organisationId: property.organisationId,
              deviceId,
              serial: device.serial,
              from: previousLight,
              to: light,
              kind,
              dueAt,
              changedAt,
            }
          : null;
      });
    },

    /** Reminds the managers and the property's technician (portal and e-mail, as each chose), once per key. */
    async sendDeviceReminder({ deviceId, kind, dueAt, daysBefore, dedupeKey }: DeviceReminderInput): Promise<void> {
      const { context, recipients } = await db.sequelize.transaction(async (transaction) => {
        const context = await loadContext(deviceId, transaction);
        const managers = await managersOf(db, context.property.organisationId, transaction);
        if (managers.length === 0) console.warn('No manager to remind', { deviceId, organisationId: context.property.organisationId });
        await context.device.update({ lastReminderDays: daysBefore }, { transaction });
        return { context, recipients: [...managers, ...(await technicianOf(context.property, transaction))] };
      });
      await notifyDeadline(context, { kind, dueAt, daysBefore }, recipients, dedupeKey);
    },

    /** The deadline has passed: managers, the property's owner and technician are told, escalatedAt is set once. */
    async escalateDevice({ deviceId, kind, dueAt, dedupeKey }: DeviceEscalationInput): Promise<void> {
      const { context, recipients } = await db.sequelize.transaction(async (transaction) => {
        const context = await loadContext(deviceId, transaction);
        const managers = await managersOf(db, context.property.organisationId, transaction);
        const owner = context.property.ownerId === null ? null : await User.findByPk(context.property.ownerId, { transaction });
        if (!context.device.escalatedAt) {
          await context.device.update({ escalatedAt: new Date() }, { transaction });
          await db.notify(LIVE_CHANNEL, deviceLiveEvent(context.device), transaction);
        }
        return { context, recipients: [...managers, ...(owner ? [owner] : []), ...(await technicianOf(context.property, transaction))] };
      });
      await notifyDeadline(context, { kind, dueAt, daysBefore: null }, recipients, dedupeKey);
    },

    /**
     * Links a replaced device with its successor (both directions; the app has usually done so
     * already) and starts the successor's workflow on this worker's task queue.
     */
    async linkDeviceReplacement(
      { deviceId, successorId, replacedAt }: DeviceReplacementInput,
      /** Where the successor's workflow starts: the calling worker's client and task queue. */
      temporal: { client: Client; taskQueue: string },
    ): Promise<{ successorWorkflowId: string | null }> {
      const successor = await db.sequelize.transaction(async (transaction) => {
        const { device } = await loadContext(deviceId, transaction);
        const found = successorId === undefined ? null : await Device.findByPk(successorId, { transaction, lock: transaction.LOCK.UPDATE });
        if (successorId !== undefined && !found)
          console.warn('Successor device does not exist; recording the removal only', { deviceId, successorId });
        await device.update({ removedAt: device.removedAt ?? replacedAt, successorId: found?.id ?? device.successorId }, { transaction });
        if (found && found.predecessorId === null) await found.update({ predecessorId: deviceId }, { transaction });
        await db.notify(LIVE_CHANNEL, deviceLiveEvent(device), transaction);
        return found;
      });
      if (!successor) return { successorWorkflowId: null };
      const [start] = await loadDeviceWorkflowStarts(db, [successor.id]);
      if (!start) return { successorWorkflowId: null }; // the successor was itself replaced meanwhile
      await startDeviceWorkflow(temporal.client, start, temporal.taskQueue);
      return { successorWorkflowId: start.workflowId };
    },
  };
}

// ---- starting and signalling device workflows from the server ----

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
  options: WorkflowOptions = {},
): Promise<DeviceWorkflowRef | null> {
  const [start] = await loadDeviceWorkflowStarts(options.db ?? sharedDb(), [deviceId]);
  return start ? startDeviceWorkflow(temporal, start, options.taskQueue ?? temporalSettings().taskQueue) : null;
}

/**
 * Bulk variant for seeding and imports (50,000 devices): rows are read in chunks, starts run with
 * bounded concurrency so neither the database pool nor the frontend is flooded.
 */
export async function ensureDeviceWorkflows(
  temporal: Client,
  deviceIds: readonly number[],
  options: WorkflowOptions & { concurrency?: number; chunkSize?: number } = {},
): Promise<{ ensured: number; skipped: number }> {
  const database = options.db ?? sharedDb();
  const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
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
  options: WorkflowOptions = {},
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
  options: WorkflowOptions = {},
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

/** The payload of a health signal, checked: a reading's instant counts by its UTC calendar day. */
function healthReport(health: {
  batteryPercent?: number;
  lastReadingAt?: string | Date | null;
  reportedStatus?: string | null;
}): DeviceHealthReport {
  const report: DeviceHealthReport = {};
  if (health.batteryPercent !== undefined) {
    if (!(health.batteryPercent >= 0 && health.batteryPercent <= 100)) {
      throw new RangeError(`batteryPercent: expected 0 to 100, got ${health.batteryPercent}`);
    }
    report.batteryPercent = health.batteryPercent;
  }
  if (health.lastReadingAt !== undefined && health.lastReadingAt !== null) {
    report.lastReadingAt = health.lastReadingAt instanceof Date ? health.lastReadingAt.toISOString().slice(0, 10) : health.lastReadingAt;
  }
  requireDate(report.lastReadingAt, 'lastReadingAt');
  if (health.reportedStatus !== undefined && health.reportedStatus !== null) report.reportedStatus = health.reportedStatus;
  return report;
}

/** Battery and reading updates. */
export async function reportDeviceHealth(
  temporal: Client,
  deviceId: number,
  health: { batteryPercent?: number; lastReadingAt?: string | Date; reportedStatus?: string },
  options: WorkflowOptions = {},
): Promise<void> {
  const report = healthReport(health);
  await signalOrElse(
    () => temporal.workflow.getHandle(deviceWorkflowId(deviceId)).signal(deviceHealth, report),
    () => ensureDeviceWorkflow(temporal, deviceId, options),
  );
}

/** One device an import touched; battery only when the import carried one. */
export interface DeviceReadingUpdate {
  deviceId: number;
  batteryPercent?: number;
}

/** What became of the health signals of one import (or of a repair that sends them again). */
export interface ReadingSignals {
  /** Device workflows that received their signal (a device without a running workflow got one started with it). */
  signalled: number;
  /** Devices whose obligation has ended (replaced, removed, deleted, or the workflow completed): not signalled, never restarted. */
  ended: number;
  /** Devices not told because Temporal could not be reached. Sending again repairs them: the date is read from the row. */
  unsent: number[];
}

/**
 * How long one signal may take before Temporal counts as unreachable and the rest are left unsent,
 * so that an import does not hang on an outage; an overloaded server (a bench on two shared cores)
 * takes several seconds per call, which is not an outage.
 */
const READING_SIGNAL_DEADLINE_MS = 10_000;
/** Signals in flight at once: each wakes a workflow, so more only queues work on the worker. */
const READING_SIGNAL_CONCURRENCY = 20;

/**
 * Call after the readings have committed: each device's workflow gets ONE `deviceHealth` signal,
 * however many readings the import had for it, carrying the newest reading day from the device's
 * row (the import moves `last_reading_at` forward only, so an old file never sets a workflow back).
 * Rows are read in chunks and signals sent with bounded concurrency. signalWithStart gives a device
 * whose workflow is not running (never started, failed, terminated) a new run from its row; a device
 * replaced or removed is skipped, and a completed workflow stays completed (the same reuse policy
 * as startDeviceWorkflow). At the first signal Temporal refuses or does not answer in time, the rest
 * are not tried: they come back as `unsent` and nothing is thrown, because the readings are
 * committed already. Sending again is safe (a signal with the facts the workflow has changes nothing).
 * Two imports racing for one device may deliver their days out of order (the workflow takes the day
 * it is sent); the device's next reading puts it right.
 */
export async function reportDeviceReadings(
  temporal: Client,
  updates: readonly DeviceReadingUpdate[],
  options: WorkflowOptions & { concurrency?: number; chunkSize?: number; deadlineMs?: number } = {},
): Promise<ReadingSignals> {
  const database = options.db ?? sharedDb();
  const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
  const chunkSize = options.chunkSize ?? 1_000;
  const battery = new Map<number, number | undefined>();
  for (const { deviceId, batteryPercent } of updates) {
    if (batteryPercent !== undefined) healthReport({ batteryPercent });
    battery.set(deviceId, batteryPercent ?? battery.get(deviceId));
  }
  const ids = [...battery.keys()];
  const outcome: ReadingSignals = { signalled: 0, ended: 0, unsent: [] };
  let failure: unknown = null;
  for (let offset = 0; offset < ids.length; offset += chunkSize) {
    const chunk = ids.slice(offset, offset + chunkSize);
    if (failure !== null) {
      outcome.unsent.push(...chunk);
      continue;
    }
    const starts = await loadDeviceWorkflowStarts(database, chunk);
    outcome.ended += chunk.length - starts.length;
    await forEachConcurrently(starts, options.concurrency ?? READING_SIGNAL_CONCURRENCY, async ({ workflowId, organisationId, input }) => {
      if (failure !== null) {
        outcome.unsent.push(input.deviceId);
        return;
      }
      const report = healthReport({
        lastReadingAt: input.facts.lastReadingAt,
        reportedStatus: input.facts.reportedStatus,
        batteryPercent: battery.get(input.deviceId),
      });
      try {
        await temporal.withDeadline(Date.now() + (options.deadlineMs ?? READING_SIGNAL_DEADLINE_MS), () =>
          temporal.workflow.signalWithStart<typeof deviceDeadline, [DeviceHealthReport]>(DEVICE_WORKFLOW_TYPE, {
            workflowId,
            taskQueue,
            args: [input],
            signal: deviceHealth,
            signalArgs: [report],
            workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
            memo: input.predecessorWorkflowId ? { predecessorWorkflowId: input.predecessorWorkflowId } : undefined,
            typedSearchAttributes: identityAttributes({
              organisationId,
              propertyId: input.propertyId,
              unitId: input.unitId,
              deviceId: input.deviceId,
            }),
          }),
        );
        outcome.signalled += 1;
      } catch (error) {
        // The reuse policy refused a new run: the workflow completed (replaced or removed meanwhile).
        if (error instanceof WorkflowExecutionAlreadyStartedError) outcome.ended += 1;
        else {
          failure ??= error;
          outcome.unsent.push(input.deviceId);
        }
      }
    });
  }
  if (failure !== null) {
    console.error(
      `[device workflows] ${outcome.unsent.length} of ${ids.length} not told of new readings (first: ${deviceWorkflowId(outcome.unsent[0] ?? 0)})`,
      failure,
    );
  }
  return outcome;
}

/**
 * Tells device workflows the organisation's lead time for the tenant's exchange offer (read from the
 * organisation now, so entries delivered out of order or twice all carry the latest value). A
 * workflow that does not run is skipped: it reads the setting when it starts. At the first failure
 * that means Temporal is away, the rest come back as `unsent` for the next attempt.
 */
export async function reportExchangeLeadTime(
  temporal: Client,
  change: { organisationId: number; deviceIds: readonly number[] },
  options: WorkflowOptions & { concurrency?: number; deadlineMs?: number } = {},
): Promise<ReadingSignals> {
  const database = options.db ?? sharedDb();
  const organisation = await database.models.Organisation.findByPk(change.organisationId, { attributes: ['deviceExchangeLeadDays'] });
  const outcome: ReadingSignals = { signalled: 0, ended: 0, unsent: [] };
  if (!organisation) {
    outcome.ended = change.deviceIds.length;
    return outcome;
  }
  const payload: DeviceExchangeLeadTime = { leadDays: organisation.deviceExchangeLeadDays };
  let failure: unknown = null;
  await forEachConcurrently(change.deviceIds, options.concurrency ?? READING_SIGNAL_CONCURRENCY, async (deviceId) => {
    if (failure !== null) {
      outcome.unsent.push(deviceId);
      return;
    }
    try {
      await temporal.withDeadline(Date.now() + (options.deadlineMs ?? READING_SIGNAL_DEADLINE_MS), () =>
        temporal.workflow.getHandle(deviceWorkflowId(deviceId)).signal(deviceExchangeLeadTime, payload),
      );
      outcome.signalled += 1;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) outcome.ended += 1;
      else {
        failure ??= error;
        outcome.unsent.push(deviceId);
      }
    }
  });
  return outcome;
}
