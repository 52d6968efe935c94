// The `monthly.delivered` webhook event (issue 17): each monthly information a batch published into
// a tenant's portal account (HKVO §6a) is one event. The batch's rows are found by their run, so a
// retried batch (or one resumed after its commit) emits the same keys again and nothing twice; a
// revised information (new content) is a new event. Nothing about the tenant but the unit.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db';
import type { MonthlyBatchInput } from '../domain/contracts/monthly';
import { emitWebhookEvent } from './webhooks';

type TemporalTarget = Parameters<typeof emitWebhookEvent>[2];

/** Emits `monthly.delivered` for the batch's published portal deliveries; returns how many events. */
export async function emitMonthlyDelivered(
  db: Db,
  input: Pick<MonthlyBatchInput, 'runId' | 'propertyId' | 'part'>,
  temporal: TemporalTarget,
) {
  const rows = await db.sequelize.query<{
    id: string;
    organisationId: number;
    unitId: number;
    month: string;
    contentSha256: string;
    publishedAt: Date;
  }>(
    `SELECT mi.id, p.organisation_id AS "organisationId", mi.unit_id AS "unitId", to_char(mi.month, 'YYYY-MM') AS month,
            mi.content_sha256 AS "contentSha256", coalesce(mi.revised_at, mi.published_at) AS "publishedAt"
       FROM monthly_information mi JOIN properties p ON p.id = mi.property_id
      WHERE mi.run_id = $1 AND mi.property_id = $2 AND mi.delivery = 'portal' AND ($3::int[] IS NULL OR mi.unit_id = ANY($3::int[]))
        -- Only when someone listens: a property of hundreds of units costs nothing without endpoints.
        AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.organisation_id = p.organisation_id AND e.disabled_at IS NULL
                       AND 'monthly.delivered' = ANY(e.event_kinds))
      ORDER BY mi.id`,
    { bind: [input.runId, input.propertyId, input.part?.unitIds ?? null], type: QueryTypes.SELECT },
  );
  for (const row of rows)
    await emitWebhookEvent(
      db,
      {
        organisationId: row.organisationId,
        kind: 'monthly.delivered',
        key: `monthly-information-${row.id}:${row.contentSha256}`,
        data: { informationId: Number(row.id), month: row.month, propertyId: input.propertyId, unitId: row.unitId, delivery: 'portal' },
        occurredAt: new Date(row.publishedAt),
      },
      temporal,
    );
  return rows.length;
}
