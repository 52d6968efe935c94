// The device-exchange offer behind an appointment request (server/device-exchange-obligation.ts files
// it): only such requests let the tenant answer with own slots, no later than the device's deadline.
import { QueryTypes } from 'sequelize';
import { db as sharedDb } from './db';

export interface ExchangeOfferOfAppointment {
  deviceId: number;
  /** The device's deadline (YYYY-MM-DD): the tenant's slots lie on or before it. */
  dueAt: string;
}

/** The exchange offer the request answers, or null for an ordinary request. The caller has scoped the request to the user. */
export async function exchangeOfferOf(appointmentId: number): Promise<ExchangeOfferOfAppointment | null> {
  const [offer] = await sharedDb().sequelize.query<{ deviceId: number; dueAt: string }>(
    `SELECT device_id AS "deviceId", to_char(due_at, 'YYYY-MM-DD') AS "dueAt"
       FROM device_exchange_offers WHERE appointment_id = :appointmentId
      ORDER BY due_at DESC LIMIT 1`,
    { replacements: { appointmentId }, type: QueryTypes.SELECT },
  );
  return offer ?? null;
}
