// The organisation's lead time for device exchanges with tenants (issue 15 item 4): how many days
// before a calibration or replacement deadline the unit's tenant is offered the technician's slots.
import { appendAudit } from '../db/audit';
import { DEFAULT_EXCHANGE_LEAD_DAYS } from '../domain/contracts/device-exchange';
import { db } from './db';
import type { SessionUser } from './session';

export async function exchangeLeadDays(organisationId: number): Promise<number> {
  const organisation = await db().models.Organisation.findByPk(organisationId, { attributes: ['deviceExchangeLeadDays'] });
  return organisation?.deviceExchangeLeadDays ?? DEFAULT_EXCHANGE_LEAD_DAYS;
}

/** Stores the lead time (validated by the caller) and audits the change in one transaction. */
export async function saveExchangeLeadDays(user: SessionUser, days: number, ip: string | null): Promise<void> {
  const database = db();
  await database.sequelize.transaction(async (transaction) => {
    const organisation = await database.models.Organisation.findByPk(user.organisationId, { transaction, lock: transaction.LOCK.UPDATE });
    if (!organisation) throw new Error(`organisation ${user.organisationId} not found`);
    const before = organisation.deviceExchangeLeadDays;
    await organisation.update({ deviceExchangeLeadDays: days }, { transaction });
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
        details: { leadDays: days, previousLeadDays: before },
      },
      transaction,
    );
  });
}
