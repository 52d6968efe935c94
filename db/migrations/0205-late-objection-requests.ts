import type { Migration } from '../migrate';

// A tenant's own late objection sent through the portal after its window (BGB §556(3) S.6): one per
// recipient, with the case (ticket) the managers decide it in. Accepting it runs the manager's
// late-objection workflow (docs/decisions/0012), which then links the same ticket.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE statement_late_objection_requests (
      id SERIAL PRIMARY KEY,
      occupancy_id INTEGER NOT NULL UNIQUE REFERENCES statement_recipients(occupancy_id),
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      unit_id INTEGER NOT NULL REFERENCES units(id),
      user_id INTEGER NOT NULL REFERENCES users(id),
      positions TEXT[] NOT NULL CHECK (cardinality(positions) > 0),
      objection TEXT NOT NULL,
      reason TEXT NOT NULL,
      submitted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      ip TEXT,
      ticket_id INTEGER NOT NULL REFERENCES tickets(id)
    );
    CREATE INDEX statement_late_objection_requests_statement_idx ON statement_late_objection_requests(statement_id, version);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE IF EXISTS statement_late_objection_requests');
};
