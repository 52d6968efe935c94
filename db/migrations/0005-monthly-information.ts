import type { Migration } from '../migrate';

// Monthly consumption information (HKVO §6a). One row per unit and month holds exactly what was
// published (content JSONB and its SHA-256), with its key figures as columns for the managers'
// overviews. Delivery events (provided, opened) are the proof: append-only and hash-chained like
// the audit log. A run of the monthly workflow keeps its progress per property, so pages show
// "n of N units" with one query.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    -- The kWh conversion per property; a property without a row uses the defaults in domain/monthly.ts.
    CREATE TABLE monthly_property_settings (
      property_id INTEGER PRIMARY KEY REFERENCES properties(id),
      hkv_kwh_per_unit NUMERIC(8,4) NOT NULL CHECK (hkv_kwh_per_unit > 0 AND hkv_kwh_per_unit <= 100),
      hot_water_temp_c NUMERIC(4,1) NOT NULL DEFAULT 60 CHECK (hot_water_temp_c > 10 AND hot_water_temp_c <= 95),
      district_heating BOOLEAN NOT NULL DEFAULT false,
      updated_by INTEGER REFERENCES users(id),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE monthly_runs (
      id SERIAL PRIMARY KEY,
      month DATE NOT NULL CHECK (EXTRACT(DAY FROM month) = 1),
      workflow_id TEXT NOT NULL UNIQUE,
      status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','completed','failed')),
      properties_total INTEGER NOT NULL DEFAULT 0,
      units_total INTEGER NOT NULL DEFAULT 0,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      finished_at TIMESTAMPTZ,
      summary JSONB NOT NULL DEFAULT '{}'
    );
    CREATE INDEX monthly_runs_month_idx ON monthly_runs(month, started_at DESC);

    -- units_done only grows (GREATEST), so a retried batch cannot count twice.
    CREATE TABLE monthly_run_properties (
      run_id INTEGER NOT NULL REFERENCES monthly_runs(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      units_total INTEGER NOT NULL CHECK (units_total >= 0),
      units_done INTEGER NOT NULL DEFAULT 0 CHECK (units_done >= 0),
      finished_at TIMESTAMPTZ,
      PRIMARY KEY (run_id, property_id)
    );
    CREATE INDEX monthly_run_properties_property_idx ON monthly_run_properties(property_id);

    CREATE TABLE monthly_information (
      id BIGSERIAL PRIMARY KEY,
      month DATE NOT NULL CHECK (EXTRACT(DAY FROM month) = 1),
      unit_id INTEGER NOT NULL REFERENCES units(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      -- Addressee: the tenancy of the month's last day and its portal user (none: no account yet).
      tenancy_id INTEGER REFERENCES tenancies(id),
      recipient_id INTEGER REFERENCES users(id),
      delivery TEXT NOT NULL CHECK (delivery IN ('portal','no-account','vacant','tenant-change')),
      total_kwh NUMERIC(14,2),
      heating_kwh NUMERIC(14,2),
      hot_water_kwh NUMERIC(14,2),
      change_previous_month NUMERIC(10,2),
      change_previous_year NUMERIC(10,2),
      change_peers NUMERIC(10,2),
      estimated BOOLEAN NOT NULL,
      devices_ok BOOLEAN NOT NULL,
      remote_readable BOOLEAN NOT NULL,
      content JSONB NOT NULL,
      content_sha256 TEXT NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
      run_id INTEGER REFERENCES monthly_runs(id),
      published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      -- Set when a later run published different content (late readings replaced a substitute).
      revised_at TIMESTAMPTZ,
      notified_at TIMESTAMPTZ,
      mailed_at TIMESTAMPTZ,
      opened_at TIMESTAMPTZ,
      UNIQUE (month, unit_id),
      CHECK ((delivery = 'portal') = (recipient_id IS NOT NULL))
    );
    CREATE INDEX monthly_information_property_idx ON monthly_information(property_id, month);
    CREATE INDEX monthly_information_tenancy_idx ON monthly_information(tenancy_id, month);

    -- Proof of provision and of opening: each row's hash covers its content and the previous row's.
    CREATE TABLE monthly_delivery_events (
      id BIGSERIAL PRIMARY KEY,
      information_id BIGINT NOT NULL REFERENCES monthly_information(id),
      kind TEXT NOT NULL CHECK (kind IN ('provided','opened')),
      user_id INTEGER REFERENCES users(id),
      content_sha256 TEXT NOT NULL,
      at TIMESTAMPTZ NOT NULL,
      details JSONB NOT NULL DEFAULT '{}',
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE
    );
    CREATE UNIQUE INDEX monthly_delivery_events_provided_unique
      ON monthly_delivery_events(information_id, content_sha256, coalesce(user_id, 0)) WHERE kind = 'provided';
    CREATE UNIQUE INDEX monthly_delivery_events_opened_unique
      ON monthly_delivery_events(information_id, user_id) WHERE kind = 'opened';
    CREATE TRIGGER monthly_delivery_events_append_only BEFORE UPDATE OR DELETE ON monthly_delivery_events
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS monthly_delivery_events, monthly_information, monthly_run_properties, monthly_runs,
      monthly_property_settings CASCADE;
  `);
};
