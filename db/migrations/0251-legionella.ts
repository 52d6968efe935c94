import type { Migration } from '../migrate';

// Drinking-water systems per property (TrinkwV §31) and their lab results. A large system has a
// sampling workflow (`legionella-<id>`) whose current round (phase, deadline) is projected here for
// the pages. A finding's follow-up records when the health office was notified and whom of the
// tenants the portal informed (`portal`) or who needs a letter (`brief`): once per tenancy and finding.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE water_systems (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      large BOOLEAN NOT NULL,
      last_sampled_at DATE,
      phase TEXT CHECK (phase IN ('routine','finding')),
      due_at DATE,
      finding_result_id INTEGER,
      created_by INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX water_systems_property_idx ON water_systems(organisation_id, property_id);

    CREATE TABLE legionella_results (
      id SERIAL PRIMARY KEY,
      water_system_id INTEGER NOT NULL REFERENCES water_systems(id),
      sampled_at DATE NOT NULL,
      cfu_per_100ml INTEGER NOT NULL CHECK (cfu_per_100ml >= 0),
      lab TEXT NOT NULL CHECK (length(lab) BETWEEN 1 AND 200),
      archive_version_id BIGINT REFERENCES archive_versions(id),
      health_office_notified_at DATE,
      recorded_by INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX legionella_results_system_idx ON legionella_results(water_system_id, sampled_at);

    CREATE TABLE legionella_tenant_notices (
      result_id INTEGER NOT NULL REFERENCES legionella_results(id),
      tenancy_id INTEGER NOT NULL REFERENCES tenancies(id),
      channel TEXT NOT NULL CHECK (channel IN ('portal','brief')),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (result_id, tenancy_id)
    );
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`DROP TABLE IF EXISTS legionella_tenant_notices, legionella_results, water_systems`);
};
