// The side effect of the webhook delivery workflow: one signed POST per attempt, recorded in the
// delivery log whatever the answer. A 2xx answer delivers; anything else throws, and the
// workflow's retry policy tries again later with backoff. The attempt number is Temporal's, so a
// retried attempt is logged under its own number.
import { createHmac } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Db } from '../db/index';
import { WEBHOOK_GONE, WEBHOOK_SIGNATURE_HEADER, signedContent, type WebhookDeliveryInput } from '../domain/contracts/webhook';
import { decrypt, documentKey } from './documents';
import { GoneError } from './errors';
import { secretAssociatedData } from './webhooks';

/** How long a receiver may take to answer one attempt. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** What of a failed answer the log keeps. */
const ERROR_TEXT_MAX = 500;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(signedContent(timestamp, body)).digest('hex')}`;
}

export class WebhookAttemptFailed extends Error {}

export function createWebhookObligation(deps: { db: Db; key?: Buffer; fetch?: typeof fetch }) {
  const { db } = deps;
  return {
    async attemptWebhookDelivery({ deliveryId }: WebhookDeliveryInput, attempt: number): Promise<{ status: number }> {
      const [delivery] = await db.sequelize.query<{
        payload: unknown;
        state: string;
        url: string;
        organisationId: number;
        ciphertext: Buffer;
        iv: Buffer;
        authTag: Buffer;
      }>(
        `SELECT d.payload, d.state, e.url, e.organisation_id AS "organisationId",
                e.secret_ciphertext AS ciphertext, e.secret_iv AS iv, e.secret_auth_tag AS "authTag"
           FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
        { bind: [deliveryId], type: QueryTypes.SELECT },
      );
      if (!delivery) throw new GoneError(`Webhook-Zustellung ${deliveryId} existiert nicht`, WEBHOOK_GONE);
      if (delivery.state === 'delivered') return { status: 200 };
      const secret = decrypt(
        { ciphertext: delivery.ciphertext, iv: delivery.iv, authTag: delivery.authTag },
        deps.key ?? documentKey(),
        secretAssociatedData(delivery.organisationId, delivery.url),
      ).toString('utf8');
      const body = JSON.stringify(delivery.payload);
      const timestamp = Math.floor(Date.now() / 1000);
      const started = Date.now();
      let status: number | null = null;
      let error: string | null = null;
      try {
        const response = await (deps.fetch ?? fetch)(delivery.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'Klarmeter-Webhooks/1',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
            'Klarmeter-Delivery': String(deliveryId),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        status = response.status;
        if (!response.ok) error = (await response.text().catch(() => '')).slice(0, ERROR_TEXT_MAX) || `HTTP ${status}`;
      } catch (failure) {
        error = (failure instanceof Error ? failure.message : String(failure)).slice(0, ERROR_TEXT_MAX);
      }
      const delivered = status !== null && status >= 200 && status < 300;
      await db.sequelize.transaction(async (transaction) => {
        await db.sequelize.query(
          `INSERT INTO webhook_attempts (delivery_id, attempt, status, error, duration_ms) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (delivery_id, attempt) DO NOTHING`,
          { bind: [deliveryId, attempt, status, error, Date.now() - started], transaction },
        );
        await db.sequelize.query(
          `UPDATE webhook_deliveries SET attempts = GREATEST(attempts, $2),
                  state = CASE WHEN $3 THEN 'delivered' ELSE state END,
                  finished_at = CASE WHEN $3 THEN now() ELSE finished_at END
            WHERE id = $1`,
          { bind: [deliveryId, attempt, delivered], transaction },
        );
      });
      if (!delivered)
        throw new WebhookAttemptFailed(`webhook delivery ${deliveryId} attempt ${attempt}: ${status ?? 'no answer'} ${error ?? ''}`);
      return { status: status ?? 0 };
    },

    /** After the last attempt failed: the delivery is marked failed (a manager can see it and replay). */
    async failWebhookDelivery({ deliveryId }: WebhookDeliveryInput): Promise<void> {
      await db.sequelize.query(`UPDATE webhook_deliveries SET state = 'failed', finished_at = now() WHERE id = $1 AND state = 'pending'`, {
        bind: [deliveryId],
      });
    },
  };
}
