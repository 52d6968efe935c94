// One webhook delivery (`webhook-delivery-<id>`, issue 17): the signed POST is an activity whose
// retry policy is the delivery's backoff (10 s, doubling, at most an hour apart, 12 attempts: about
// ten hours). Every attempt is logged by the activity; after the last one the delivery is failed,
// visible in the portal, and a manager may replay it (a new delivery, a new workflow).
//
// VERSIONING: first version, no patches yet; see device-deadline.ts.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { WEBHOOK_GONE, type WebhookDeliveryInput, type WebhookDeliveryState } from '../domain/contracts/webhook';

export const WEBHOOK_MAX_ATTEMPTS = 12;

const { attemptWebhookDelivery } = proxyActivities<Activities>({
  // The activity's own request timeout is 10 s; the rest is the database.
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    maximumAttempts: WEBHOOK_MAX_ATTEMPTS,
    nonRetryableErrorTypes: [WEBHOOK_GONE],
  },
});

const { failWebhookDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<WebhookDeliveryState> {
  try {
    await attemptWebhookDelivery(input);
    return 'delivered';
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    await failWebhookDelivery(input);
    return 'failed';
  }
}
