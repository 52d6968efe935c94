// A smoke alarm that reports a fault by radio (READINGS.md `status` other than "ok") may not warn
// when it must: the device workflow calls `reportDeviceFault` once per fault episode, and the
// technician of the property gets a ticket (a "Vorgang" the managers see and route) and a notice.
// Idempotent per dedupe key: a retried activity neither files a second ticket nor tells twice.
import type { Client } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { appendAudit } from '../db/audit';
import { DEVICE_GONE, devicePath, type DeviceFaultReport } from '../domain/contracts/device';
import { DEVICE_TYPE_LABELS } from '../domain/device-labels';
import { GoneError } from './errors';
import { genericNotice, managersOf, notifyUsers, type NotifyDeps } from './notifications';
import { ensureTicketWorkflow, openTicket } from './tickets';

export function createDeviceFaultObligation(deps: NotifyDeps) {
  const { db } = deps;
  return {
    async reportDeviceFault(
      { deviceId, status, dedupeKey }: DeviceFaultReport,
      temporal: { client: Client; taskQueue: string },
    ): Promise<{ ticketId: number | null }> {
      const { Device, Property, Unit, User } = db.models;
      const device = await Device.findByPk(deviceId);
      if (!device) throw new GoneError(`Gerät ${deviceId} existiert nicht mehr`, DEVICE_GONE);
      const property = await Property.findByPk(device.propertyId, { rejectOnEmpty: true });
      const unit = device.unitId === null ? null : await Unit.findByPk(device.unitId);
      const technician = property.technicianId === null ? null : await User.findByPk(property.technicianId);
      const place = unit ? `${property.street}, ${unit.label}` : property.street;
      const label = DEVICE_TYPE_LABELS[device.type];

      const ticketId = await db.sequelize.transaction(async (transaction) => {
        const [claimed] = await db.sequelize.query<{ ticketId: number | null; fresh: boolean }>(
          `WITH inserted AS (
             INSERT INTO device_fault_tickets (dedupe_key, device_id, status) VALUES ($1, $2, $3)
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING ticket_id)
           SELECT ticket_id AS "ticketId", true AS fresh FROM inserted
           UNION ALL SELECT ticket_id, false FROM device_fault_tickets WHERE dedupe_key = $1 AND NOT EXISTS (SELECT 1 FROM inserted)`,
          { bind: [dedupeKey, deviceId, status], type: QueryTypes.SELECT, transaction },
        );
        if (!claimed?.fresh) return claimed?.ticketId ?? null;
        // The ticket is filed in the name of the organisation's first manager: the system has no user.
        const [filer] = await managersOf(db, property.organisationId, transaction);
        if (!filer) {
          console.warn('[device fault] no manager to file the ticket in the name of', {
            deviceId,
            organisationId: property.organisationId,
          });
          return null;
        }
        const { ticketId: opened } = await openTicket(
          {
            organisationId: property.organisationId,
            propertyId: property.id,
            unitId: device.unitId,
            createdBy: filer.id,
            category: 'device_report',
            topic: 'device',
            subject: `${label} ${device.serial} meldet eine Störung`,
            body:
              `Der ${label} ${device.serial} (${place}) hat per Funk den Status „${status}“ gemeldet. ` +
              `Ein gestörter Rauchwarnmelder warnt womöglich nicht: Bitte ${technician ? `durch ${technician.name} ` : ''}prüfen und ` +
              'instand setzen oder tauschen lassen (DIN 14676). Automatisch angelegt aus der Funkablesung.',
          },
          { db, transaction, client: temporal.client, taskQueue: temporal.taskQueue },
        );
        await db.sequelize.query('UPDATE device_fault_tickets SET ticket_id = $2 WHERE dedupe_key = $1', {
          bind: [dedupeKey, opened],
          transaction,
        });
        await appendAudit(
          db,
          {
            organisationId: property.organisationId,
            actorId: null,
            actor: 'system',
            action: 'device.fault_reported',
            entity: 'device',
            entityId: deviceId,
            details: { status, ticketId: opened, dedupeKey },
          },
          transaction,
        );
        return opened;
      });
      // openTicket starts the workflow after the commit and only logs a failure; here a failure
      // fails the activity instead, so that Temporal retries until the ticket's workflow runs.
      if (ticketId !== null) await ensureTicketWorkflow(ticketId, { db, client: temporal.client, taskQueue: temporal.taskQueue });

      if (technician) {
        await notifyUsers(deps, {
          recipients: [technician],
          topic: 'device',
          kind: 'device-fault',
          urgency: 'urgent',
          dedupeKey,
          compose: () =>
            genericNotice({
              title: `Störung gemeldet: ${device.serial} (${place})`,
              body: `Der ${label} ${device.serial} meldet per Funk „${status}“. Bitte prüfen Sie das Gerät umgehend.`,
              link: devicePath(device.id),
              reference: `Gerät ${device.serial}`,
              facts: [
                { label: 'Gerät', value: `${label} ${device.serial}` },
                { label: 'Ort', value: place },
                { label: 'Gemeldeter Status', value: status },
              ],
              actionLabel: 'Gerät im Portal öffnen',
            }),
        });
      }
      return { ticketId };
    },
  };
}
