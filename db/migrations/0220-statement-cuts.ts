import type { Migration } from '../migrate';

// Statements bill by the extended HKVO contract (issue 13): the §9(2) method for the hot-water
// energy (a heating-only building has none), gross calorific value, §10 agreements and the manager's
// own §12 cuts; every cut is stored with its explanation per unit and per occupancy. The occupancies'
// "split by days" becomes "fixed keys only" (§9b(3): degree days for heating, days for water).
// Existing statements keep their meaning: measured Q where one was entered, else the volume.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE statements
      ADD COLUMN heating_agreed BOOLEAN NOT NULL DEFAULT false,
      ADD COLUMN hot_water_agreed BOOLEAN NOT NULL DEFAULT false,
      ADD COLUMN hot_water_method TEXT NOT NULL DEFAULT 'volume'
        CHECK (hot_water_method IN ('volume', 'area', 'measured', 'none')),
      ADD COLUMN gross_calorific BOOLEAN NOT NULL DEFAULT false,
      ADD COLUMN manual_cuts JSONB NOT NULL DEFAULT '[]';
    UPDATE statements SET hot_water_method = 'measured' WHERE hot_water_kwh_measured IS NOT NULL;
    ALTER TABLE statement_keys ADD COLUMN cut_details JSONB NOT NULL DEFAULT '[]';
    ALTER TABLE statement_occupancies ADD COLUMN cut_details JSONB NOT NULL DEFAULT '[]';
    ALTER TABLE statement_occupancies RENAME COLUMN split_by_days TO fixed_keys_only;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE statement_occupancies RENAME COLUMN fixed_keys_only TO split_by_days;
    ALTER TABLE statement_occupancies DROP COLUMN cut_details;
    ALTER TABLE statement_keys DROP COLUMN cut_details;
    ALTER TABLE statements
      DROP COLUMN heating_agreed, DROP COLUMN hot_water_agreed, DROP COLUMN hot_water_method,
      DROP COLUMN gross_calorific, DROP COLUMN manual_cuts;
  `);
};
