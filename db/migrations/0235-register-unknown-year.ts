import type { Migration } from '../migrate';

// The register's summary counts the meters whose calibration year is unknown (MessEV §34(2)) on
// every request; with the light counts kept in device_light_counts (0230) that count was the last
// reason to scan every installed device in scope. This partial index holds only those meters (a
// handful in a well-kept register), so the count reads a few index entries. The type list is the
// calibrated meter types of domain/deadlines.ts CALIBRATION_YEARS.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE INDEX devices_unknown_calibration_year_idx ON devices (property_id, type)
     WHERE removed_at IS NULL AND calibrated_year IS NULL AND type IN ('WZ-K', 'WZ-W', 'WMZ', 'GZ');
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP INDEX devices_unknown_calibration_year_idx');
};
