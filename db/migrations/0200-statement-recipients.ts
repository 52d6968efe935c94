import type { Migration } from '../migrate';

// Delivery per recipient (issue 10): one row per tenant (occupancy) of a delivered statement
// version, written by the version's workflow through its delivery activity; the opening and the
// objections of that tenant are counted on its row. A projection: the proof is the version's chain.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE statement_recipients (
      occupancy_id INTEGER PRIMARY KEY REFERENCES statement_occupancies(id),
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      version INTEGER NOT NULL,
      unit_id INTEGER NOT NULL REFERENCES units(id),
      tenancy_id INTEGER NOT NULL REFERENCES tenancies(id),
      -- The tenant's account when the statement was delivered (null: none, delivered by post).
      user_id INTEGER REFERENCES users(id),
      tenant_name TEXT NOT NULL,
      channel TEXT NOT NULL CHECK (channel IN ('portal','post')),
      dispatched_on DATE,
      received_on DATE NOT NULL,
      delivered_at TIMESTAMPTZ NOT NULL,
      delivery_deadline DATE NOT NULL,
      deadline_missed BOOLEAN NOT NULL,
      objection_deadline DATE NOT NULL,
      opened_at TIMESTAMPTZ,
      objections INTEGER NOT NULL DEFAULT 0,
      CHECK ((channel = 'post') = (dispatched_on IS NOT NULL))
    );
    CREATE INDEX statement_recipients_statement_idx ON statement_recipients(statement_id, unit_id);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE IF EXISTS statement_recipients');
};
