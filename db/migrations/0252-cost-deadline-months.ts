import type { Migration } from '../migrate';

// Per organisation: how many months after a billing period ends its costs are due (the cost-data
// deadline, issue 15 item 5). Default 3; at most 9, which leaves three months for reading,
// calculation and delivery within BGB §556(3).
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE statement_lifecycle_settings
      ADD COLUMN cost_deadline_months INTEGER NOT NULL DEFAULT 3 CHECK (cost_deadline_months BETWEEN 1 AND 9);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`ALTER TABLE statement_lifecycle_settings DROP COLUMN IF EXISTS cost_deadline_months;`);
};
