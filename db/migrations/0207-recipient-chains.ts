import type { Migration } from '../migrate';

// One stored chain per recipient (issue 10, docs/decisions/0006): each line exactly as it was
// chained and exported, the version chain's event it comes from, and each new head signed outside
// the database. Evidence: append-only, TRUNCATE refused as for the other proof tables.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE recipient_proof_lines (
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      occupancy_id INTEGER NOT NULL,
      seq INTEGER NOT NULL CHECK (seq >= 1),
      line TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      source_seq INTEGER NOT NULL,
      PRIMARY KEY (statement_id, version, occupancy_id, seq)
    );

    CREATE TABLE recipient_proof_head_log (
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      occupancy_id INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      head TEXT NOT NULL,
      signature TEXT NOT NULL,
      key_fingerprint TEXT NOT NULL CHECK (key_fingerprint ~ '^[0-9a-f]{64}$'),
      signed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (statement_id, version, occupancy_id, seq)
    );

    CREATE TRIGGER recipient_proof_lines_append_only BEFORE UPDATE OR DELETE ON recipient_proof_lines
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER recipient_proof_head_log_append_only BEFORE UPDATE OR DELETE ON recipient_proof_head_log
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER recipient_proof_lines_no_truncate BEFORE TRUNCATE ON recipient_proof_lines EXECUTE FUNCTION forbid_truncate();
    CREATE TRIGGER recipient_proof_head_log_no_truncate BEFORE TRUNCATE ON recipient_proof_head_log EXECUTE FUNCTION forbid_truncate();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE IF EXISTS recipient_proof_head_log, recipient_proof_lines');
};
