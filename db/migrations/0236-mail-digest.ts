import type { Migration } from '../migrate';

// Issue 14 item 4, the digest: each user's e-mail rhythm for routine notices (no row: the role's
// default, domain/contracts/mail-digest.ts), and on each notice whether it waits for a digest
// (`digest_pending`) and which digest mail included it (`digest_key`, the mail's dedupe key).
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE mail_rhythms (
      user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      rhythm TEXT NOT NULL CHECK (rhythm IN ('sofort', 'taeglich', 'woechentlich')),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    ALTER TABLE notifications ADD COLUMN digest_pending BOOLEAN NOT NULL DEFAULT false;
    ALTER TABLE notifications ADD COLUMN digest_key TEXT;
    CREATE INDEX notifications_digest_pending_idx ON notifications (user_id, created_at) WHERE digest_pending AND digest_key IS NULL;
    CREATE INDEX notifications_digest_key_idx ON notifications (digest_key) WHERE digest_key IS NOT NULL;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP INDEX IF EXISTS notifications_digest_key_idx;
    DROP INDEX IF EXISTS notifications_digest_pending_idx;
    ALTER TABLE notifications DROP COLUMN digest_key;
    ALTER TABLE notifications DROP COLUMN digest_pending;
    DROP TABLE mail_rhythms;
  `);
};
