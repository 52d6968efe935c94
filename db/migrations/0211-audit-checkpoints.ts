import type { Migration } from '../migrate';

// Issue 11: the audit page checks the chain from the last verified position instead of from the
// genesis each time. A checkpoint records how far a walk got with an intact chain (entry id and
// its hash, how many entries from the genesis) and whether that walk started at the genesis (a
// full check). Append-only: a checkpoint is evidence of a check, never edited afterwards.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE audit_chain_checkpoints (
      id SERIAL PRIMARY KEY,
      entry_id BIGINT NOT NULL,
      hash TEXT NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      entries BIGINT NOT NULL CHECK (entries >= 0),
      full_check BOOLEAN NOT NULL,
      verified_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX audit_chain_checkpoints_entry_idx ON audit_chain_checkpoints (entry_id DESC);
    CREATE TRIGGER audit_chain_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_chain_checkpoints
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER audit_chain_checkpoints_no_truncate BEFORE TRUNCATE ON audit_chain_checkpoints EXECUTE FUNCTION forbid_truncate();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`DROP TABLE IF EXISTS audit_chain_checkpoints`);
};
