import type { Migration } from '../migrate';

// A calm inbox: notices carry the property they are about, so the inbox groups them per day,
// property and kind and filters by property. Older notices keep null (shown as "ohne Liegenschaft").
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE notifications ADD COLUMN property_id INTEGER REFERENCES properties(id) ON DELETE SET NULL;
    CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP INDEX IF EXISTS notifications_user_created_idx;
    ALTER TABLE notifications DROP COLUMN property_id;
  `);
};
