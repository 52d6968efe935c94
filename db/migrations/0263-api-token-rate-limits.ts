import type { Migration } from '../migrate';

// Issue 17: rate limits per API token. `rate_limit_per_minute` overrides the configured default
// (API_RATE_LIMIT_PER_MINUTE) for one token; `rate_tat` is the token bucket's state as GCRA keeps
// it (the theoretical arrival time of the next request), so every web process shares one bucket.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE api_tokens
      ADD COLUMN rate_limit_per_minute INTEGER CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000),
      ADD COLUMN rate_tat TIMESTAMPTZ;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('ALTER TABLE api_tokens DROP COLUMN rate_limit_per_minute, DROP COLUMN rate_tat');
};
