import type { Migration } from '../migrate';

// The statement lifecycle (draft → approved → delivered → opened → objection window → final):
// the delivery proof as an append-only hash chain per statement version, the tenants' objections,
// and the per-organisation settings of the lifecycle.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    -- One row per proven step. seq runs 1, 2, 3 … per statement version, so a deleted row leaves a
    -- gap; prev_hash links each row to its predecessor and hash covers the row's content.
    CREATE TABLE statement_proof_events (
      id BIGSERIAL PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL CHECK (version >= 1),
      seq INTEGER NOT NULL CHECK (seq >= 1),
      step TEXT NOT NULL CHECK (step IN ('created','approved','delivered','receipt_corrected','opened','objection_filed','corrected','final')),
      idempotency_key TEXT NOT NULL,
      at TIMESTAMPTZ NOT NULL,
      actor_id INTEGER REFERENCES users(id),
      actor TEXT NOT NULL,
      ip TEXT,
      document_sha256 TEXT NOT NULL CHECK (document_sha256 ~ '^[0-9a-f]{64}$'),
      details JSONB NOT NULL DEFAULT '{}',
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL,
      UNIQUE (statement_id, version, seq),
      -- A retried activity finds its own earlier row instead of writing a second one.
      UNIQUE (statement_id, version, step, idempotency_key)
    );
    CREATE TRIGGER statement_proof_events_append_only BEFORE UPDATE OR DELETE ON statement_proof_events
      FOR EACH ROW EXECUTE FUNCTION forbid_change();

    -- The chain's end, written with every append: removing the newest event leaves no gap in seq,
    -- but it no longer matches the head.
    CREATE TABLE statement_proof_heads (
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      last_hash TEXT NOT NULL,
      PRIMARY KEY (statement_id, version)
    );

    CREATE TABLE statement_objections (
      id SERIAL PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      unit_id INTEGER NOT NULL REFERENCES units(id),
      filed_by INTEGER NOT NULL REFERENCES users(id),
      positions TEXT[] NOT NULL CHECK (cardinality(positions) > 0),
      reason TEXT NOT NULL,
      idempotency_key TEXT NOT NULL UNIQUE,
      ticket_id INTEGER,
      filed_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX statement_objections_statement_idx ON statement_objections(statement_id, version);

    CREATE TABLE statement_lifecycle_settings (
      organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
      objection_deadline_mode TEXT NOT NULL DEFAULT 'end-of-month' CHECK (objection_deadline_mode IN ('end-of-month','exact-day'))
    );

    -- Owners the manager allowed to approve the statements of their property.
    CREATE TABLE statement_approval_delegations (
      property_id INTEGER NOT NULL REFERENCES properties(id),
      user_id INTEGER NOT NULL REFERENCES users(id),
      delegated_by INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (property_id, user_id)
    );
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS statement_approval_delegations, statement_lifecycle_settings, statement_objections, statement_proof_heads, statement_proof_events CASCADE;
  `);
};
