// The contract of webhook deliveries (issue 17): event kinds a manager can subscribe an endpoint
// to, the delivery workflow (`webhook-delivery-<id>`), its input and the signature scheme.

export const WEBHOOK_EVENT_KINDS = {
  'device.light_changed': 'Ampel eines Geräts hat gewechselt',
  'statement.delivered': 'Abrechnung zugestellt',
  'statement.opened': 'Abrechnung geöffnet',
  'objection.filed': 'Einwand eingelegt',
  'ticket.sla_at_risk': 'Vorgang: Frist in Gefahr',
  'ticket.sla_breached': 'Vorgang: Frist überschritten',
  'monthly.delivered': 'Monatsinformation zugestellt',
  'verification.alarm': 'Prüfalarm',
} as const;

export type WebhookEventKind = keyof typeof WEBHOOK_EVENT_KINDS;

/** The kinds the portal emits so far; an endpoint can subscribe to these only (the rest: issue 17, left). */
export const EMITTED_WEBHOOK_EVENT_KINDS: readonly WebhookEventKind[] = [
  'device.light_changed',
  'ticket.sla_at_risk',
  'ticket.sla_breached',
  'objection.filed',
  'statement.delivered',
  'statement.opened',
  'monthly.delivered',
];

export function isWebhookEventKind(value: unknown): value is WebhookEventKind {
  return typeof value === 'string' && Object.hasOwn(WEBHOOK_EVENT_KINDS, value);
}

export const WEBHOOK_DELIVERY_WORKFLOW_TYPE = 'webhookDelivery';

/** ApplicationFailure type of an attempt whose delivery or endpoint no longer exists: not retried. */
export const WEBHOOK_GONE = 'WebhookGone';

export function webhookDeliveryWorkflowId(deliveryId: number): string {
  return `webhook-delivery-${deliveryId}`;
}

export interface WebhookDeliveryInput {
  deliveryId: number;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

/**
 * Header `Klarmeter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over `<t>.<raw body>` with
 * the endpoint's secret (the scheme Stripe uses): the receiver recomputes it and rejects old `t`.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'Klarmeter-Signature';

export function signedContent(timestamp: number, body: string): string {
  return `${timestamp}.${body}`;
}
