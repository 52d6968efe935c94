import type { Migration } from '../migrate';

// A late objection accepted by the manager (BGB §556(3) S.6, issue 10): one row per recipient, written
// only by its workflow (docs/decisions/0012) together with the `objection_accepted_late` event in the
// version's chain; the objection's ticket is linked once it is opened.
const STEPS = ['created', 'approved', 'delivered', 'receipt_corrected', 'opened', 'objection_filed', 'corrected', 'final'];

export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE statement_proof_events DROP CONSTRAINT statement_proof_events_step_check;
    ALTER TABLE statement_proof_events ADD CONSTRAINT statement_proof_events_step_check
      CHECK (step IN (${[...STEPS, 'objection_accepted_late'].map((s) => `'${s}'`).join(',')}));

    CREATE TABLE statement_late_objections (
      id SERIAL PRIMARY KEY,
      occupancy_id INTEGER NOT NULL UNIQUE REFERENCES statement_recipients(occupancy_id),
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      unit_id INTEGER NOT NULL REFERENCES units(id),
      workflow_id TEXT NOT NULL UNIQUE,
      received_on DATE NOT NULL,
      positions TEXT[] NOT NULL CHECK (cardinality(positions) > 0),
      objection TEXT NOT NULL,
      reason TEXT NOT NULL,
      accepted_by INTEGER NOT NULL REFERENCES users(id),
      accepted_at TIMESTAMPTZ NOT NULL,
      proof_seq INTEGER NOT NULL,
      ticket_id INTEGER REFERENCES tickets(id)
    );
    CREATE INDEX statement_late_objections_statement_idx ON statement_late_objections(statement_id, version);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS statement_late_objections;
    ALTER TABLE statement_proof_events DROP CONSTRAINT statement_proof_events_step_check;
    ALTER TABLE statement_proof_events ADD CONSTRAINT statement_proof_events_step_check
      CHECK (step IN (${STEPS.map((s) => `'${s}'`).join(',')}));
  `);
};
