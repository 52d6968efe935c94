import type { Migration } from '../migrate';

// The verification of the proofs (issue 10): each run (nightly by a Schedule, or on demand) and
// what it found. A finding is keyed by what it is about, its problem and its message: a later run
// that sees the same finding again links it instead of raising it anew, and it stays open until a
// compliance officer resolves it with a note. A finding once resolved is not raised again for the
// same state; any further change to that chain is a new finding.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE proof_verification_runs (
      id BIGSERIAL PRIMARY KEY,
      workflow_id TEXT NOT NULL UNIQUE,
      -- The organisation an on-demand run was limited to; null: every statement of the installation.
      organisation_id INTEGER REFERENCES organisations(id),
      requested_by TEXT,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished_at TIMESTAMPTZ,
      chains INTEGER,
      documents INTEGER,
      audit_entries INTEGER
    );

    CREATE TABLE proof_findings (
      id BIGSERIAL PRIMARY KEY,
      -- null: the installation's audit log, which every organisation's compliance desk sees.
      organisation_id INTEGER REFERENCES organisations(id),
      subject TEXT NOT NULL,
      subject_label TEXT NOT NULL,
      link TEXT,
      problem TEXT NOT NULL,
      message TEXT NOT NULL,
      first_run_id BIGINT NOT NULL REFERENCES proof_verification_runs(id),
      found_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      resolved_at TIMESTAMPTZ,
      resolved_by INTEGER REFERENCES users(id),
      resolution_note TEXT,
      CHECK ((resolved_at IS NULL) = (resolution_note IS NULL)),
      UNIQUE (subject, problem, message)
    );
    CREATE INDEX proof_findings_open_idx ON proof_findings(organisation_id) WHERE resolved_at IS NULL;

    CREATE TABLE proof_verification_run_findings (
      run_id BIGINT NOT NULL REFERENCES proof_verification_runs(id),
      finding_id BIGINT NOT NULL REFERENCES proof_findings(id),
      PRIMARY KEY (run_id, finding_id)
    );
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE IF EXISTS proof_verification_run_findings, proof_findings, proof_verification_runs');
};
