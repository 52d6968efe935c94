import type { Migration } from '../migrate';

// Issue 17: webhooks. Endpoints a manager registers per event kind (the signing secret sealed with
// DOCUMENT_KEY, AES-256-GCM), one delivery per endpoint and event (deduplicated by the event's
// key), and every attempt with its answer: the delivery log the portal shows.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE webhook_endpoints (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      url TEXT NOT NULL CHECK (length(url) <= 2000),
      event_kinds TEXT[] NOT NULL CHECK (cardinality(event_kinds) > 0),
      secret_ciphertext BYTEA NOT NULL,
      secret_iv BYTEA NOT NULL,
      secret_auth_tag BYTEA NOT NULL,
      created_by INTEGER NOT NULL REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      disabled_at TIMESTAMPTZ
    );
    CREATE INDEX webhook_endpoints_organisation_idx ON webhook_endpoints (organisation_id) WHERE disabled_at IS NULL;

    CREATE TABLE webhook_deliveries (
      id BIGSERIAL PRIMARY KEY,
      endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id),
      event_kind TEXT NOT NULL,
      event_key TEXT NOT NULL,
      payload JSONB NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished_at TIMESTAMPTZ,
      UNIQUE (endpoint_id, event_key)
    );
    CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

    CREATE TABLE webhook_attempts (
      id BIGSERIAL PRIMARY KEY,
      delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id),
      attempt INTEGER NOT NULL,
      at TIMESTAMPTZ NOT NULL DEFAULT now(),
      status INTEGER,
      error TEXT,
      duration_ms INTEGER NOT NULL,
      UNIQUE (delivery_id, attempt)
    );
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE webhook_attempts, webhook_deliveries, webhook_endpoints');
};
