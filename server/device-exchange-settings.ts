// The organisation's lead time for device exchanges with tenants (issue 15 item 4): how many days
// before a calibration or replacement deadline the unit's tenant is offered the technician's slots.
// A change reaches the running device workflows through the outbox, written in the setting's own
// transaction (so it survives Temporal being down), in batches: an organisation with 50,000 devices
// gets 50 entries, delivered by the workers' relays rather than during the request.
import { QueryTypes } from 'sequelize';
import type { Client } from '@temporalio/client';
import { appendAudit } from '../db/audit';
import type { Db } from '../db';
import { DEFAULT_EXCHANGE_LEAD_DAYS } from '../domain/contracts/device-exchange';
import { db as sharedDb } from './db';
import { deliverNow, enqueueDeviceLeadTime, type OutboxEntry } from './outbox';
import type { SessionUser } from './session';
import { temporalSettings } from './temporal';

/** Device workflows told in one outbox entry. */
export const LEAD_TIME_BATCH_SIZE = 1_000;

export async function exchangeLeadDays(organisationId: number): Promise<number> {
  const organisation = await sharedDb().models.Organisation.findByPk(organisationId, { attributes: ['deviceExchangeLeadDays'] });
  return organisation?.deviceExchangeLeadDays ?? DEFAULT_EXCHANGE_LEAD_DAYS;
}

export interface LeadTimeSaveOptions {
  db?: Db;
  client?: Client;
  taskQueue?: string;
  batchSize?: number;
}

/**
 * Stores the lead time (validated by the caller), audits the change and enqueues the device
 * workflows' signals in one transaction. A single batch is delivered at once (a small organisation
 * sees the change applied before the page answers); more are left to the relays.
 */
export async function saveExchangeLeadDays(
  user: SessionUser,
  days: number,
  ip: string | null,
  options: LeadTimeSaveOptions = {},
): Promise<{ devices: number; batches: number }> {
  const database = options.db ?? sharedDb();
  const batchSize = options.batchSize ?? LEAD_TIME_BATCH_SIZE;
  const entries: OutboxEntry[] = [];
  let devices = 0;
  await database.sequelize.transaction(async (transaction) => {
    const organisation = await database.models.Organisation.findByPk(user.organisationId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!organisation) throw new Error(`organisation ${user.organisationId} not found`);
    const before = organisation.deviceExchangeLeadDays;
    await organisation.update({ deviceExchangeLeadDays: days }, { transaction });
    if (days !== before) {
      // Only devices in a flat are ever offered to a tenant; replaced and removed ones have no running workflow.
      const rows = await database.sequelize.query<{ id: number }>(
        `SELECT d.id FROM devices d JOIN properties p ON p.id = d.property_id
          WHERE p.organisation_id = :organisationId AND d.unit_id IS NOT NULL AND d.successor_id IS NULL AND d.removed_at IS NULL
          ORDER BY d.id`,
        { replacements: { organisationId: user.organisationId }, type: QueryTypes.SELECT, transaction },
      );
      devices = rows.length;
      const taskQueue = options.taskQueue ?? temporalSettings().taskQueue;
      for (let offset = 0; offset < rows.length; offset += batchSize) {
        const deviceIds = rows.slice(offset, offset + batchSize).map((row) => row.id);
        entries.push(await enqueueDeviceLeadTime(transaction, { organisationId: user.organisationId, deviceIds, taskQueue }));
      }
    }
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: 'update',
        entity: 'device-exchange-settings',
        entityId: user.organisationId,
        ip,
        details: { leadDays: days, previousLeadDays: before, devicesTold: devices },
      },
      transaction,
    );
  });
  if (entries.length === 1) await deliverNow(entries, { db: database, client: options.client });
  return { devices, batches: entries.length };
}
