import type { Migration } from '../migrate';

// The transactional outbox (issue 16): a user action that needs a workflow writes its rows and,
// in the same transaction, what Temporal must be told (a start, a signal, a device report). A relay
// delivers each entry with retries; until then the pages show "wird bearbeitet" from the entry.
// Entries of one workflow are delivered in id order; delivered ones are kept a week for tracing.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE workflow_outbox (
      id BIGSERIAL PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('start', 'signal', 'device-report', 'device-readings')),
      workflow_id TEXT NOT NULL,
      -- The task queue of the workers whose relays deliver it (one per deployment; tests have their own).
      task_queue TEXT NOT NULL,
      payload JSONB NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      last_error TEXT,
      sent_at TIMESTAMPTZ
    );
    -- The relay's queue and the pages' "pending" look-up see only undelivered entries.
    CREATE INDEX workflow_outbox_due_idx ON workflow_outbox (task_queue, next_attempt_at, id) WHERE sent_at IS NULL;
    CREATE INDEX workflow_outbox_pending_idx ON workflow_outbox (workflow_id, id) WHERE sent_at IS NULL;
    CREATE INDEX workflow_outbox_sent_idx ON workflow_outbox (sent_at) WHERE sent_at IS NOT NULL;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE workflow_outbox');
};
