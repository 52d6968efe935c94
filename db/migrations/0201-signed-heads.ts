import type { Migration } from '../migrate';

// Signed heads (issue 10): every proof event's chain head and every audit entry's, signed with the
// installation's key outside the database, kept append-only. TRUNCATE gets past row triggers, so
// the evidence tables refuse it with a statement trigger as well.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE statement_proof_head_log (
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      hash TEXT NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      -- The signed JSON's exact bytes, the base64 Ed25519 signature and the key's fingerprint.
      head TEXT NOT NULL,
      signature TEXT NOT NULL,
      key_fingerprint TEXT NOT NULL CHECK (key_fingerprint ~ '^[0-9a-f]{64}$'),
      signed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (statement_id, version, seq)
    );

    CREATE TABLE audit_heads (
      entry_id BIGINT PRIMARY KEY,
      sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      head TEXT NOT NULL,
      signature TEXT NOT NULL,
      key_fingerprint TEXT NOT NULL CHECK (key_fingerprint ~ '^[0-9a-f]{64}$'),
      signed_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE FUNCTION forbid_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only: TRUNCATE is not allowed', TG_TABLE_NAME;
    END $$;

    CREATE TRIGGER statement_proof_head_log_append_only BEFORE UPDATE OR DELETE ON statement_proof_head_log
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER audit_heads_append_only BEFORE UPDATE OR DELETE ON audit_heads FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER statement_proof_head_log_no_truncate BEFORE TRUNCATE ON statement_proof_head_log EXECUTE FUNCTION forbid_truncate();
    CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads EXECUTE FUNCTION forbid_truncate();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log EXECUTE FUNCTION forbid_truncate();
    CREATE TRIGGER statement_proof_events_no_truncate BEFORE TRUNCATE ON statement_proof_events EXECUTE FUNCTION forbid_truncate();
    CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents EXECUTE FUNCTION forbid_truncate();
    CREATE TRIGGER statements_no_truncate BEFORE TRUNCATE ON statements EXECUTE FUNCTION forbid_truncate();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
    DROP TRIGGER IF EXISTS statement_proof_events_no_truncate ON statement_proof_events;
    DROP TRIGGER IF EXISTS documents_no_truncate ON documents;
    DROP TRIGGER IF EXISTS statements_no_truncate ON statements;
    DROP TABLE IF EXISTS statement_proof_head_log, audit_heads;
    DROP FUNCTION IF EXISTS forbid_truncate();
  `);
};
