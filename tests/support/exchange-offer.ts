// The portal's device-exchange offer to the web fixture's tenant, filed by the real obligation code
// (as the exchange workflow's activity files it) with its appointment workflow on the caller's worker.
import type { Client } from '@temporalio/client';
import type { Db } from '../../db';
import { createDeviceExchangeObligation } from '../../server/device-exchange-obligation';
import { createMailer } from '../../server/mail';
import { uniqueSuffix } from './fixtures';
import type { WebFixture } from './web';

export async function fileExchangeOffer(
  db: Db,
  f: WebFixture,
  options: { dueAt: string; client: Client; taskQueue: string },
): Promise<number> {
  const obligation = createDeviceExchangeObligation({ db, mailer: createMailer({ db, from: 'test@klarmeter.local' }) });
  const opened = await obligation.openDeviceExchange(
    {
      deviceId: f.devices.yellow.id,
      kind: 'replacement',
      dueAt: options.dueAt,
      organisationId: f.organisation.id,
      propertyId: f.property.id,
      unitId: f.unit.id,
      dedupeKey: `exchange-offer-${uniqueSuffix()}`,
      offeredAtMs: Date.now(),
    },
    { client: options.client, taskQueue: options.taskQueue },
  );
  if (opened.channel !== 'portal' || opened.appointmentId === null) throw new Error(`expected a portal offer, got ${opened.channel}`);
  return opened.appointmentId;
}
