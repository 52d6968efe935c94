import type { Migration } from '../migrate';

// Issue 17: per-organisation API tokens (radio gateways, ERP systems), created and revoked by a
// manager. Only the SHA-256 of the secret is kept: a leaked table yields no usable token.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE api_tokens (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      prefix TEXT NOT NULL,
      secret_hash TEXT NOT NULL UNIQUE,
      scopes TEXT[] NOT NULL CHECK (cardinality(scopes) > 0),
      created_by INTEGER NOT NULL REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      last_used_at TIMESTAMPTZ,
      revoked_at TIMESTAMPTZ,
      revoked_by INTEGER REFERENCES users(id)
    );
    CREATE INDEX api_tokens_organisation_idx ON api_tokens (organisation_id, id);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE api_tokens');
};
