import type { Migration } from '../migrate';

// The recipient's own workflow (docs/decisions/0013), once the version's workflow has started it:
// the web sends that tenant's opening, objection and receipt correction there. NULL for versions
// delivered before, whose version workflow still takes them.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query('ALTER TABLE statement_recipients ADD COLUMN workflow_id TEXT');
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('ALTER TABLE statement_recipients DROP COLUMN IF EXISTS workflow_id');
};
