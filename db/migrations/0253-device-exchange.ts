import type { Migration } from '../migrate';

// Device exchange coordinated with the tenant (issue 15 item 4): the organisation's lead time (days
// before a calibration or replacement deadline the tenant is offered the technician's slots), and one
// row per offer so a retried activity offers nothing twice and the managers see how it went out.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE organisations
      ADD COLUMN device_exchange_lead_days INTEGER NOT NULL DEFAULT 60 CHECK (device_exchange_lead_days BETWEEN 14 AND 365);
    CREATE TABLE device_exchange_offers (
      workflow_id TEXT PRIMARY KEY,
      device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      due_at DATE NOT NULL,
      tenancy_id INTEGER REFERENCES tenancies (id) ON DELETE SET NULL,
      channel TEXT NOT NULL CHECK (channel IN ('portal', 'letter', 'none')),
      appointment_id INTEGER REFERENCES appointment_requests (id) ON DELETE SET NULL,
      letter_document_id BIGINT REFERENCES archive_documents (id) ON DELETE SET NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX device_exchange_offers_device ON device_exchange_offers (device_id);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS device_exchange_offers;
    ALTER TABLE organisations DROP COLUMN IF EXISTS device_exchange_lead_days;
  `);
};
