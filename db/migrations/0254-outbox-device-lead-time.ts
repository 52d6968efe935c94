import type { Migration } from '../migrate';

// The outbox learns one more kind (issue 15 item 4): an organisation's changed lead time for the
// tenant's device exchange, told to a batch of its device workflows.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE workflow_outbox DROP CONSTRAINT workflow_outbox_kind_check;
    ALTER TABLE workflow_outbox ADD CONSTRAINT workflow_outbox_kind_check
      CHECK (kind IN ('start', 'signal', 'device-report', 'device-readings', 'device-lead-time'));
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DELETE FROM workflow_outbox WHERE kind = 'device-lead-time';
    ALTER TABLE workflow_outbox DROP CONSTRAINT workflow_outbox_kind_check;
    ALTER TABLE workflow_outbox ADD CONSTRAINT workflow_outbox_kind_check
      CHECK (kind IN ('start', 'signal', 'device-report', 'device-readings'));
  `);
};
