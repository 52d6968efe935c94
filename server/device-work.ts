// Records device work from the device page: each kind is one transaction (row changes, audit
// entry, live NOTIFY); only after it has committed is the device's workflow told, so the workflow
// never reacts to a change that was rolled back.
import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { z } from 'zod';
import { LIVE_CHANNEL, type Db, type Device } from '../db';
import { db as sharedDb } from './db';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import { deviceLiveEvent } from './device-obligation';
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
import { reportDeviceHealth, reportDeviceRecalibrated, reportDeviceReplaced } from './device-obligation';

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

export async function recordDeviceWork({ user, device, form, ip, db = sharedDb() }: DeviceWorkInput): Promise<DeviceWorkResult> {
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

  const changeRow = async (action: string, patch: Partial<Pick<Device, 'calibratedYear' | 'lastInspectionAt' | 'batteryPercent'>>) => {
    await db.sequelize.transaction(async (transaction) => {
      const row = await lockInstalled(transaction);
      const before = Object.fromEntries(Object.keys(patch).map((key) => [key, row.get(key as keyof typeof patch)]));
      await row.update(patch, { transaction });
      await audit(action, { before, after: patch }, transaction);
      await db.notify(LIVE_CHANNEL, deviceLiveEvent(row), transaction);
    });
  };

  const client = temporalClient();
  // Read at call time, not import time: the queue is configuration, and tests point it elsewhere.
  const options = { taskQueue: temporalSettings().taskQueue, db };
  try {
    switch (intent) {
      case 'replace': {
        const parsed = validate(schemas.replace, values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const work = parsed.data;
        const successor = await db.sequelize.transaction(async (transaction) => {
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
          await old.update({ successorId: created.id, removedAt: work.installedAt }, { transaction });
          await audit('device.replaced', { successorId: created.id, serial: created.serial, replacedAt: work.installedAt }, transaction);
          await db.notify(LIVE_CHANNEL, deviceLiveEvent(old), transaction);
          return created;
        });
        // The old workflow links both rows (already done here), ends, and starts the successor's.
        const message = `Austausch erfasst: Nachfolger ${successor.serial} ist eingebaut.`;
        return await afterCommit(intent, message, { successorId: successor.id }, () =>
          reportDeviceReplaced(client, device.id, { successorId: successor.id, replacedAt: work.installedAt }, options),
        );
      }
      case 'recalibrate': {
        const parsed = validate(schemas.recalibrate, values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const { calibratedYear } = parsed.data;
        await changeRow('device.recalibrated', { calibratedYear });
        return await afterCommit(intent, `Nacheichung ${calibratedYear} erfasst.`, {}, () =>
          reportDeviceRecalibrated(client, device.id, { calibratedYear }, options),
        );
      }
      case 'calibration-year': {
        const parsed = validate(schemas['calibration-year'], values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const { calibratedYear } = parsed.data;
        await changeRow('device.calibration_year_recorded', { calibratedYear });
        // The workflow recomputes the deadline from the facts it is told, as after a recalibration.
        return await afterCommit(intent, `Eichjahr ${calibratedYear} erfasst; die Eichfrist ist neu berechnet.`, {}, () =>
          reportDeviceRecalibrated(client, device.id, { calibratedYear }, options),
        );
      }
      case 'inspect': {
        const parsed = validate(schemas.inspect, values);
        if (!parsed.ok) return invalid(parsed.fieldErrors);
        const { lastInspectionAt } = parsed.data;
        await changeRow('device.inspected', { lastInspectionAt });
        const filed = device.type === 'RWM' ? await fileInspectionProtocol(user, device, lastInspectionAt) : '';
        return await afterCommit(intent, `Inspektion erfasst.${filed}`, {}, () =>
          reportDeviceRecalibrated(client, device.id, { lastInspectionAt }, options),
        );
      }
      case 'battery': {
        await changeRow('device.battery_changed', { batteryPercent: 100 });
        return await afterCommit(intent, 'Batteriewechsel erfasst.', {}, () =>
          reportDeviceHealth(client, device.id, { batteryPercent: 100 }, options),
        );
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
 * Tells the workflow after the commit. The work is recorded either way, so a Temporal outage is
 * reported on the page (and logged) rather than failing the request, which would invite a
 * second, conflicting submission.
 */
async function afterCommit(
  intent: DeviceWorkIntent,
  message: string,
  extra: { successorId?: number },
  tellWorkflow: () => Promise<void>,
): Promise<DeviceWorkResult> {
  try {
    await tellWorkflow();
    return { ok: true, intent, message, ...extra };
  } catch (error) {
    console.error(`[device work] ${DEVICE_WORK_LABELS[intent]} recorded, but the workflow was not told`, error);
    return {
      ok: true,
      intent,
      message: `${message} Der Fristen-Workflow war nicht erreichbar und zeigt die Änderung noch nicht.`,
      ...extra,
    };
  }
}
