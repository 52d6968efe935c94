import type { Migration } from '../migrate';

// Issue 17: what a device reports by radio (READINGS.md `status`).
// - devices.reported_status: "ok" or the status text of its newest reading (e.g. "ERROR_FLAGS_800");
//   null until it reports one. The device workflow gets it from the row with the reading's signal.
// - device_fault_tickets: one technician's ticket per smoke alarm and fault episode, keyed by the
//   device workflow's dedupe key, so a retried activity files no second ticket.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE devices
      ADD COLUMN reported_status TEXT,
      ADD COLUMN reported_status_at TIMESTAMPTZ;

    CREATE TABLE device_fault_tickets (
      dedupe_key TEXT PRIMARY KEY,
      device_id INTEGER NOT NULL REFERENCES devices(id),
      status TEXT NOT NULL,
      ticket_id INTEGER REFERENCES tickets(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE device_fault_tickets;
    ALTER TABLE devices DROP COLUMN reported_status, DROP COLUMN reported_status_at;
  `);
};
