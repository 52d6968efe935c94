import type { Migration } from '../migrate';

// Issue 15 item 6: the deadlines device work resolved. A recalibration or inspection moves a device's
// deadline (devices.due_at then holds the new one), so without this table the coverage report cannot
// tell whether the old deadline was met or resolved late. One row per device and deadline, written in
// the transaction that records the work (server/device-work.ts); append-only like other evidence.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE device_deadline_resolutions (
      id SERIAL PRIMARY KEY,
      device_id INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      kind TEXT NOT NULL CHECK (kind IN ('calibration', 'replacement', 'inspection')),
      due_at DATE NOT NULL,
      resolved_on DATE NOT NULL,
      how TEXT NOT NULL CHECK (how IN ('recalibrated', 'inspected', 'replaced')),
      recorded_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
      recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (device_id, kind, due_at)
    );
    CREATE INDEX device_deadline_resolutions_due_at ON device_deadline_resolutions (due_at);
    CREATE TRIGGER device_deadline_resolutions_append_only BEFORE UPDATE ON device_deadline_resolutions
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`DROP TABLE IF EXISTS device_deadline_resolutions`);
};
