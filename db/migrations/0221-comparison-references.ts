import type { Migration } from '../migrate';

// HKVO §6a: the documented reference value for the average user of a small building (issue 13),
// per organisation (property_id NULL) and per property; absent rows mean the portal's default.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE comparison_references (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      property_id INTEGER REFERENCES properties(id) ON DELETE CASCADE,
      heating_kwh_per_m2_year NUMERIC(6, 2) NOT NULL CHECK (heating_kwh_per_m2_year > 0),
      hot_water_kwh_per_m2_year NUMERIC(6, 2) NOT NULL CHECK (hot_water_kwh_per_m2_year > 0),
      source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
      updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX comparison_references_organisation ON comparison_references (organisation_id) WHERE property_id IS NULL;
    CREATE UNIQUE INDEX comparison_references_property ON comparison_references (property_id) WHERE property_id IS NOT NULL;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE comparison_references');
};
