import type { Migration } from '../migrate';

// The account lifecycle: one-time secrets (invitation links, letter codes, set-up, reset and
// verification links) kept only as SHA-256 hashes; attempt counters for rate limits; the second
// factor (TOTP secret sealed with DOCUMENT_KEY, recovery codes as hashes) and the login challenge
// between password and second factor; the operator role; a contact e-mail per tenancy.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check
      CHECK (role IN ('manager','owner','tenant','technician','compliance','operator'));
    -- A staff account a manager created has no password until its holder sets one.
    ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
    ALTER TABLE users
      ADD COLUMN email_verified_at TIMESTAMPTZ,
      ADD COLUMN password_changed_at TIMESTAMPTZ,
      ADD COLUMN totp_secret TEXT,
      ADD COLUMN totp_pending_secret TEXT,
      ADD COLUMN totp_enabled_at TIMESTAMPTZ,
      ADD COLUMN totp_last_step BIGINT;
    -- Accounts that existed before were set up by hand with their addresses: count them as verified.
    UPDATE users SET email_verified_at = created_at WHERE email_verified_at IS NULL;
    CREATE UNIQUE INDEX users_email_lower_idx ON users (lower(email));

    ALTER TABLE tenancies ADD COLUMN contact_email TEXT;

    CREATE TABLE account_tokens (
      id BIGSERIAL PRIMARY KEY,
      purpose TEXT NOT NULL CHECK (purpose IN ('invitation','letter-code','setup','reset-password','verify-email')),
      secret_hash TEXT NOT NULL UNIQUE,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
      tenancy_id INTEGER REFERENCES tenancies(id),
      email TEXT,
      created_by INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      expires_at TIMESTAMPTZ NOT NULL,
      used_at TIMESTAMPTZ,
      revoked_at TIMESTAMPTZ,
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      CHECK (purpose NOT IN ('invitation','letter-code') OR tenancy_id IS NOT NULL),
      CHECK (purpose NOT IN ('setup','reset-password','verify-email') OR user_id IS NOT NULL)
    );
    CREATE INDEX account_tokens_tenancy_idx ON account_tokens (tenancy_id, purpose) WHERE used_at IS NULL AND revoked_at IS NULL;
    CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

    CREATE TABLE account_attempts (
      id BIGSERIAL PRIMARY KEY,
      bucket TEXT NOT NULL,
      at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX account_attempts_bucket_idx ON account_attempts (bucket, at);

    CREATE TABLE login_challenges (
      id TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      ip TEXT,
      user_agent TEXT,
      failed_attempts INTEGER NOT NULL DEFAULT 0,
      expires_at TIMESTAMPTZ NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX login_challenges_user_idx ON login_challenges (user_id);

    CREATE TABLE recovery_codes (
      id BIGSERIAL PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash TEXT NOT NULL,
      used_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (user_id, code_hash)
    );
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS recovery_codes, login_challenges, account_attempts, account_tokens;
    ALTER TABLE tenancies DROP COLUMN IF EXISTS contact_email;
    DROP INDEX IF EXISTS users_email_lower_idx;
    ALTER TABLE users
      DROP COLUMN IF EXISTS email_verified_at,
      DROP COLUMN IF EXISTS password_changed_at,
      DROP COLUMN IF EXISTS totp_secret,
      DROP COLUMN IF EXISTS totp_pending_secret,
      DROP COLUMN IF EXISTS totp_enabled_at,
      DROP COLUMN IF EXISTS totp_last_step;
    -- Refuses while operator accounts exist; password_hash stays nullable (accounts without one may exist).
    ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('manager','owner','tenant','technician','compliance'));
  `);
};
