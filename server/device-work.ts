// Records device work from the device page: each kind is one transaction (row changes, audit
// entry, live NOTIFY and the report for the device's workflow in the outbox); the workflow is told
// after the commit — at once, or by the relay once Temporal is reachable — so it never reacts to a
// change that was rolled back and never misses one that committed.
import type { Client } from '@temporalio/client';
import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { z } from 'zod';
import { LIVE_CHANNEL, type Db, type Device } from '../db';
import { db as sharedDb } from './db';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import { deviceFacts, deviceLiveEvent } from './device-obligation';
import { recordResolvedDeadline } from './device-deadline-resolutions';
import { recalibratedOn, resolvedDeadline, type ResolutionHow } from '../domain/deadline-resolution';
import {
  DEVICE_WORK_LABELS,
  deviceWorkFor,
  deviceWorkSchemas,
  isDeviceWorkIntent,
  type DeviceWorkFieldErrors,
  type DeviceWorkIntent,
} from '../domain/device-work';
import type { DeviceDetail } from './devices';
import { archiveInspectionProtocol } from './inspection-protocol';
import { pdfRenderer } from './statements';
import type { SessionUser } from './session';
import { temporalClient, temporalSettings } from './temporal';
import { deliverNow, enqueueDeviceReport, type DeliveryOptions, type DeviceReport, type OutboxEntry } from './outbox';
import { deviceWorkflowId } from '../domain/contracts/device';

export type DeviceWorkResult =
  | { ok: true; intent: DeviceWorkIntent; message: string; successorId?: number }
  | { ok: false; intent: DeviceWorkIntent; message: string; fieldErrors: DeviceWorkFieldErrors };

export interface DeviceWorkInput {
  user: SessionUser;
  /** Found within the user's scope; the caller has checked `update:device`. */
  device: DeviceDetail;
  form: FormData;
  ip: string | null;
  db?: Db;
  /** Tests point these elsewhere; by default the configured client and task queue. */
  client?: Client;
  taskQueue?: string;
}

const SERIAL_TAKEN = 'Seriennummer: Diese Seriennummer ist bereits vergeben.';

/** The form was fine but the device changed meanwhile (another exchange won the race). */
class DeviceWorkRefused extends Error {}

class SerialTaken extends Error {}

/** The schema's output, or its first message per field. */
function validate<S extends z.ZodTypeAny>(
  schema: S,
  values: Record<string, unknown>,
): { ok: true; data: z.output<S> } | { ok: false; fieldErrors: DeviceWorkFieldErrors } {
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const fields = (parsed.error as z.ZodError).flatten().fieldErrors as Record<string, string[] | undefined>;
  return { ok: false, fieldErrors: Object.fromEntries(Object.entries(fields).map(([field, messages]) => [field, messages?.[0]])) };
}

function refused(intent: DeviceWorkIntent, message: string, fieldErrors: DeviceWorkFieldErrors = {}): DeviceWorkResult {
  return { ok: false, intent, message, fieldErrors };
}

export async function recordDeviceWork({
  user,
  device,
  form,
  ip,
  db = sharedDb(),
  ...temporal
}: DeviceWorkInput): Promise<DeviceWorkResult> {
  const intent = form.get('intent');
  if (!isDeviceWorkIntent(intent) || !deviceWorkFor(device).includes(intent)) throw new Response('Ungültige Anfrage', { status: 400 });
  if (device.removedAt || device.successorId)
    return refused(intent, 'Dieses Gerät ist ausgebaut. Bitte erfassen Sie Arbeiten am Nachfolger.');

  const schemas = deviceWorkSchemas({
    today: calendarDate(new Date()),
    installedAt: device.installedAt,
    calibratedYear: device.calibratedYear,
    lastInspectionAt: device.lastInspectionAt,
  });
  const values = Object.fromEntries(form);
  const invalid = (fieldErrors: DeviceWorkFieldErrors) => refused(intent, 'Bitte prüfen Sie die markierten Angaben.', fieldErrors);

  const audit = (action: string, details: Record<string, unknown>, transaction: Transaction) =>
    appendAudit(
      db,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action,
        entity: 'device',
        entityId: device.id,
        ip,
        details,
      },
      transaction,
    );

  /** Locks the row and re-checks that it is still installed: the page may be stale. */
  const lockInstalled = async (transaction: Transaction): Promise<Device> => {
    const row = await db.models.Device.findByPk(device.id, { transaction, lock: transaction.LOCK.UPDATE, rejectOnEmpty: true });
    if (row.removedAt || row.successorId) throw new DeviceWorkRefused('Dieses Gerät wurde inzwischen ausgebaut.');
    return row;
  };

  // Read at call time, not import time: the queue is configuration, and tests point it elsewhere.
  const taskQueue = temporal.taskQueue ?? temporalSettings().taskQueue;
  const report = (transaction: Transaction, deviceReport: DeviceReport) =>
    enqueueDeviceReport(transaction, { ...deviceReport, taskQueue }, deviceWorkflowId(device.id));

  /**
   * Keeps the deadline the work resolved (the device's facts before it, and after it or replaced), in
   * the work's transaction: once the workflow moves the deadline, the old one is nowhere else.
   */
  const keepResolved = async (
    row: Device,
    after: Partial<Pick<Device, 'calibratedYear' | 'lastInspectionAt'>> | 'replaced',
    resolution: { how: ResolutionHow; resolvedOn: string },
    transaction: Transaction,
  ): Promise<void> => {
    const organisation = await db.models.Organisation.findByPk(user.organisationId, { transaction, rejectOnEmpty: true });
    const facts = deviceFacts(row, organisation);
    const deadline = resolvedDeadline(facts, after === 'replaced' ? after : { ...facts, ...after });
    if (deadline) await recordResolvedDeadline(db, { deviceId: row.id, deadline, ...resolution, recordedBy: user.id }, transaction);
  };

  const changeRow = async (
    action: string,
    patch: Partial<Pick<Device, 'calibratedYear' | 'lastInspectionAt' | 'batteryPercent'>>,
    deviceReport: DeviceReport,
    resolution?: { how: ResolutionHow; resolvedOn: string },
  ): Promise<OutboxEntry> =>
    db.sequelize.transaction(async (transaction) => {
      const row = await lockInstalled(transaction);
      const before = Object.fromEntries(Object.keys(patch).map((key) => [key, row.get(key as keyof typeof patch)]));
      if (resolution) await keepResolved(row, patch, resolution, transaction);
      await row.update(patch, { transaction });
      await audit(action, { before, after: patch }, transaction);
      await db.notify(LIVE_CHANNEL, deviceLiveEvent(row), transaction);
      return report(transaction, deviceReport);
    });

  const told = (message: string, entry: OutboxEntry, extra: { successorId?: number } = {}) =>
    tellWorkflow(intent, message, entry, extra, { db, client: temporal.client ?? temporalClient() });
  try {
    switch (intent) {
      case 'replace': {
        const parsed = validate(schemas.replace, values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const work = parsed.data;
        const { successor, entry } = await db.sequelize.transaction(async (transaction) => {
          const old = await lockInstalled(transaction);
          if (await db.models.Device.findOne({ where: { serial: work.serial }, attributes: ['id'], transaction })) throw new SerialTaken();
          const created = await db.models.Device.create(
            {
              propertyId: old.propertyId,
              unitId: old.unitId,
              type: old.type,
              serial: work.serial,
              location: old.location,
              installedAt: work.installedAt,
              calibratedYear: work.calibratedYear,
              lastInspectionAt: null,
              // A new device comes with a new battery, if its type reports one.
              batteryPercent: old.batteryPercent === null ? null : 100,
              remoteReadable: old.remoteReadable,
              lastReadingAt: null,
              lastReadingValue: null,
              predecessorId: old.id,
            },
            { transaction },
          );
          await keepResolved(old, 'replaced', { how: 'replaced', resolvedOn: work.installedAt }, transaction);
          await old.update({ successorId: created.id, removedAt: work.installedAt }, { transaction });
          await audit('device.replaced', { successorId: created.id, serial: created.serial, replacedAt: work.installedAt }, transaction);
          await db.notify(LIVE_CHANNEL, deviceLiveEvent(old), transaction);
          // The old workflow links both rows (already done here), ends, and starts the successor's.
          const change = { successorId: created.id, replacedAt: work.installedAt };
          return { successor: created, entry: await report(transaction, { deviceId: device.id, report: 'replaced', change }) };
        });
        return await told(`Austausch erfasst: Nachfolger ${successor.serial} ist eingebaut.`, entry, { successorId: successor.id });
      }
      case 'recalibrate': {
        const parsed = validate(schemas.recalibrate, values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const { calibratedYear } = parsed.data;
        const entry = await changeRow(
          'device.recalibrated',
          { calibratedYear },
          { deviceId: device.id, report: 'recalibrated', change: { calibratedYear } },
          { how: 'recalibrated', resolvedOn: recalibratedOn(calibratedYear, calendarDate(new Date())) },
        );
        return await told(`Nacheichung ${calibratedYear} erfasst.`, entry);
      }
      case 'calibration-year': {
        const parsed = validate(schemas['calibration-year'], values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const { calibratedYear } = parsed.data;
        // The workflow recomputes the deadline from the facts it is told, as after a recalibration.
        const entry = await changeRow(
          'device.calibration_year_recorded',
          { calibratedYear },
          { deviceId: device.id, report: 'recalibrated', change: { calibratedYear } },
        );
        return await told(`Eichjahr ${calibratedYear} erfasst; die Eichfrist ist neu berechnet.`, entry);
      }
      case 'inspect': {
        const parsed = validate(schemas.inspect, values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const { lastInspectionAt } = parsed.data;
        const entry = await changeRow(
          'device.inspected',
          { lastInspectionAt },
          { deviceId: device.id, report: 'recalibrated', change: { lastInspectionAt } },
          { how: 'inspected', resolvedOn: lastInspectionAt },
        );
        const filed = device.type === 'RWM' ? await fileInspectionProtocol(user, device, lastInspectionAt) : '';
        return await told(`Inspektion erfasst.${filed}`, entry);
      }
      case 'battery': {
        const entry = await changeRow(
          'device.battery_changed',
          { batteryPercent: 100 },
          { deviceId: device.id, report: 'health', change: { batteryPercent: 100 } },
        );
        return await told('Batteriewechsel erfasst.', entry);
      }
    }
  } catch (error) {
    if (error instanceof SerialTaken || error instanceof UniqueConstraintError) {
      return invalid({ serial: SERIAL_TAKEN });
    }
    if (error instanceof DeviceWorkRefused) return refused(intent, error.message);
    throw error;
  }
}

/**
 * Files the DIN 14676 protocol of a recorded smoke-alarm inspection into the archive. The inspection
 * stands either way: a failed rendering is reported on the page instead of failing the request.
 */
async function fileInspectionProtocol(user: SessionUser, device: DeviceDetail, inspectedAt: string): Promise<string> {
  try {
    await archiveInspectionProtocol(
      {
        organisationId: user.organisationId,
        propertyId: device.propertyId,
        unitId: device.unitId,
        deviceId: device.id,
        serial: device.serial,
        place: device.unitLabel ? `${device.propertyStreet}, ${device.unitLabel}` : device.propertyStreet,
        location: device.location,
        inspectedAt,
        technician: { id: user.id, name: user.name },
      },
      pdfRenderer(),
    );
    return ' Das Prüfprotokoll liegt unter Nachweise.';
  } catch (error) {
    console.error(`[device work] inspection of ${device.serial} recorded, but its protocol was not filed`, error);
    return ' Das Prüfprotokoll konnte nicht erzeugt werden; bitte laden Sie es unter Nachweise hoch.';
  }
}

/**
 * Tells the workflow after the commit. The work is recorded either way; while Temporal is away the
 * report waits in the outbox and the page says so ("wird bearbeitet") instead of failing the request,
 * which would invite a second, conflicting submission.
 */
async function tellWorkflow(
  intent: DeviceWorkIntent,
  message: string,
  entry: OutboxEntry,
  extra: { successorId?: number },
  options: DeliveryOptions,
): Promise<DeviceWorkResult> {
  const delivered = await deliverNow([entry], options);
  if (delivered.get(entry.id)?.status === 'sent') return { ok: true, intent, message, ...extra };
  console.warn(`[device work] ${DEVICE_WORK_LABELS[intent]} recorded; the workflow is told by the outbox relay`);
  return {
    ok: true,
    intent,
    message: `${message} Die Ampel wird bearbeitet: Der Fristen-Workflow übernimmt die Änderung, sobald er wieder erreichbar ist.`,
    ...extra,
  };
}
