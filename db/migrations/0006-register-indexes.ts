import type { Migration } from '../migrate';

// The register pages through all devices by due date, and per property; the overview asks each
// property for its next deadline. Both orderings get an index so deep pages stay fast at 50,000 devices.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE INDEX devices_due_order_idx ON devices (due_at, id);
    CREATE INDEX devices_property_due_idx ON devices (property_id, due_at, id);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP INDEX IF EXISTS devices_due_order_idx; DROP INDEX IF EXISTS devices_property_due_idx;');
};
