import type { Migration } from '../migrate';

// A recipient's chain is appended from the version's events that name its occupancy or no occupancy
// (server/recipient-chain.ts): this index finds both without reading every other tenant's delivery.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(
    `CREATE INDEX statement_proof_events_occupancy_idx ON statement_proof_events (statement_id, version, (details->>'occupancyId'), seq)`,
  );
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP INDEX IF EXISTS statement_proof_events_occupancy_idx');
};
