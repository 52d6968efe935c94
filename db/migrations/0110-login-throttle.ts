import type { Migration } from '../migrate';

// Login throttling by key (an account, a source IP, a known device): one row per key, changed only
// under its row lock, so concurrent attempts are counted one by one (server/login-throttle.ts).
// Replaces login_failures, which was counted with a read before the write (and allowed a hard lock-out).
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE login_throttle (
      key TEXT PRIMARY KEY,
      failures INTEGER NOT NULL DEFAULT 0,
      refused INTEGER NOT NULL DEFAULT 0,
      last_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX login_throttle_last_attempt_idx ON login_throttle (last_attempt_at);
    DROP TABLE login_failures;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS login_throttle;
    CREATE TABLE login_failures (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL, ip TEXT, at TIMESTAMPTZ NOT NULL DEFAULT now());
    CREATE INDEX login_failures_email_idx ON login_failures(email, at);
  `);
};
