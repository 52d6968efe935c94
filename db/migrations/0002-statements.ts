import type { Migration } from '../migrate';

// Heating statements (HKVO) and their documents. A statement is one version of the billing of a
// property for a period; a correction is a new version, so every version stays readable. What was
// computed and what was sent must never change afterwards: triggers forbid UPDATE and DELETE of the
// computed content, and on statements allow only the status columns to change (the lifecycle of
// approval, delivery and objections moves the status, nothing else).
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    -- Document numbers DOC-YYYY-NNNNN run per calendar year of issue; the upsert hands out each
    -- number once even with concurrent writers (the row lock serialises them).
    CREATE TABLE document_number_counters (
      year INTEGER PRIMARY KEY,
      last_number INTEGER NOT NULL CHECK (last_number BETWEEN 1 AND 99999)
    );

    CREATE TABLE statements (
      id SERIAL PRIMARY KEY,
      property_id INTEGER NOT NULL REFERENCES properties(id),
      period_start DATE NOT NULL,
      period_end DATE NOT NULL,
      version INTEGER NOT NULL CHECK (version >= 1),
      status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','approved','delivered','final','superseded')),
      status_changed_at TIMESTAMPTZ,
      document_number TEXT NOT NULL UNIQUE CHECK (document_number ~ '^DOC-[0-9]{4}-[0-9]{5}$'),
      supersedes_id INTEGER REFERENCES statements(id),
      correction_reason TEXT,
      -- Entered parameters: §7/§8 consumption shares, cold water (BetrKV), §9 combined plant, CO2KostAufG.
      heating_consumption_share NUMERIC(4,3) NOT NULL,
      hot_water_consumption_share NUMERIC(4,3) NOT NULL,
      cold_water_cost NUMERIC(12,2) NOT NULL DEFAULT 0 CHECK (cold_water_cost >= 0),
      cold_water_consumption_share NUMERIC(4,3) NOT NULL DEFAULT 1,
      hot_water_temp_c NUMERIC(5,2),
      hot_water_kwh_measured NUMERIC(14,3),
      hot_water_m3_entered NUMERIC(14,3),
      district_heating BOOLEAN NOT NULL DEFAULT false,
      co2_kg NUMERIC(14,3),
      co2_cost NUMERIC(12,2),
      heated_area_m2 NUMERIC(10,2),
      -- The engine's exact input and its building-level result (methods, warnings, §9 split, CO2
      -- split, plant figures): a statement can be recomputed and checked against what was stored.
      engine_input JSONB NOT NULL,
      engine_input_sha256 TEXT NOT NULL,
      summary JSONB NOT NULL,
      created_by INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (property_id, period_start, period_end, version),
      CHECK (period_end >= period_start),
      CHECK ((version = 1) = (supersedes_id IS NULL))
    );
    CREATE INDEX statements_property_idx ON statements(property_id, period_start DESC, version DESC);

    -- Fuel deliveries and invoices (kind 'fuel', category = energy carrier) and the §7(2) operating
    -- cost items (kind 'operating', category = item); their sum is the plant's cost.
    CREATE TABLE statement_costs (
      id SERIAL PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      position INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('fuel','operating')),
      category TEXT NOT NULL,
      description TEXT,
      invoice_date DATE,
      amount NUMERIC(12,2) NOT NULL CHECK (amount >= 0),
      taxes_and_levies NUMERIC(12,2) CHECK (taxes_and_levies >= 0),
      kwh NUMERIC(14,3) CHECK (kwh >= 0),
      litres NUMERIC(14,3) CHECK (litres >= 0),
      UNIQUE (statement_id, position)
    );

    -- The keys per unit as billed: area and consumptions (with substitute values and how they were
    -- found), the readings behind them, the previous period for the comparison, §12 cuts. Label and
    -- area are copied, so a later change of the unit does not change an issued statement.
    CREATE TABLE statement_keys (
      id SERIAL PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      unit_id INTEGER NOT NULL REFERENCES units(id),
      position INTEGER NOT NULL,
      unit_label TEXT NOT NULL,
      unit_floor TEXT,
      area_m2 NUMERIC(8,2) NOT NULL CHECK (area_m2 > 0),
      heating NUMERIC(14,3) NOT NULL CHECK (heating >= 0),
      hot_water NUMERIC(14,3) NOT NULL CHECK (hot_water >= 0),
      cold_water NUMERIC(14,3) NOT NULL CHECK (cold_water >= 0),
      heating_unit TEXT NOT NULL,
      estimated TEXT[] NOT NULL DEFAULT '{}',
      substitutes JSONB NOT NULL DEFAULT '{}',
      cuts TEXT[] NOT NULL DEFAULT '{}',
      previous_consumption JSONB NOT NULL DEFAULT '{}',
      readings JSONB NOT NULL DEFAULT '[]',
      UNIQUE (statement_id, unit_id),
      UNIQUE (statement_id, position)
    );

    CREATE TABLE statement_unit_results (
      id SERIAL PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      unit_id INTEGER NOT NULL REFERENCES units(id),
      heating NUMERIC(12,2) NOT NULL,
      hot_water NUMERIC(12,2) NOT NULL,
      cold_water NUMERIC(12,2) NOT NULL,
      cut NUMERIC(12,2) NOT NULL,
      total NUMERIC(12,2) NOT NULL,
      co2_credit NUMERIC(12,2) NOT NULL DEFAULT 0,
      amount_due NUMERIC(12,2) NOT NULL,
      derivation JSONB NOT NULL,
      UNIQUE (statement_id, unit_id),
      CHECK (total = heating + hot_water + cold_water - cut),
      CHECK (amount_due = total - co2_credit)
    );

    -- Who used the unit when (a vacancy has no tenancy): every unit has at least one occupancy, the
    -- addressee of its statement; with a change of tenant (§9b) one per tenancy and vacancy.
    CREATE TABLE statement_occupancies (
      id SERIAL PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      unit_id INTEGER NOT NULL REFERENCES units(id),
      occupancy_key TEXT NOT NULL,
      position INTEGER NOT NULL,
      tenancy_id INTEGER REFERENCES tenancies(id),
      tenant_name TEXT,
      date_from DATE NOT NULL,
      date_to DATE NOT NULL,
      heating NUMERIC(14,3) NOT NULL,
      hot_water NUMERIC(14,3) NOT NULL,
      cold_water NUMERIC(14,3) NOT NULL,
      split_by_days TEXT[] NOT NULL DEFAULT '{}',
      heating_amount NUMERIC(12,2) NOT NULL,
      hot_water_amount NUMERIC(12,2) NOT NULL,
      cold_water_amount NUMERIC(12,2) NOT NULL,
      cut NUMERIC(12,2) NOT NULL,
      total NUMERIC(12,2) NOT NULL,
      co2_credit NUMERIC(12,2) NOT NULL DEFAULT 0,
      amount_due NUMERIC(12,2) NOT NULL,
      derivation JSONB,
      UNIQUE (statement_id, unit_id, occupancy_key),
      UNIQUE (statement_id, unit_id, position),
      CHECK (date_to >= date_from)
    );
    CREATE INDEX statement_occupancies_tenancy_idx ON statement_occupancies(tenancy_id);

    -- Stored documents, encrypted at rest (AES-256-GCM); sha256 is the plaintext's hash, what proofs
    -- refer to. Never overwritten: a new version is a new row.
    CREATE TABLE documents (
      id BIGSERIAL PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('statement')),
      statement_id INTEGER REFERENCES statements(id),
      unit_id INTEGER REFERENCES units(id),
      occupancy_key TEXT,
      version INTEGER NOT NULL CHECK (version >= 1),
      file_name TEXT NOT NULL,
      content_type TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      byte_size INTEGER NOT NULL CHECK (byte_size >= 0),
      ciphertext BYTEA NOT NULL,
      iv BYTEA NOT NULL,
      auth_tag BYTEA NOT NULL,
      created_by INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      CHECK (kind <> 'statement' OR (statement_id IS NOT NULL AND unit_id IS NOT NULL))
    );
    -- One statement document per addressee and version: concurrent first downloads store it once.
    CREATE UNIQUE INDEX documents_statement_unique ON documents(statement_id, unit_id, coalesce(occupancy_key, ''))
      WHERE kind = 'statement';

    CREATE FUNCTION statements_only_status_changes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'statements are immutable: statement % cannot be deleted (a correction is a new version)', OLD.id;
      END IF;
      IF (to_jsonb(NEW) - 'status' - 'status_changed_at') IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'status_changed_at') THEN
        RAISE EXCEPTION 'statements are immutable: only the status of statement % may change (a correction is a new version)', OLD.id;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER statements_immutable BEFORE UPDATE OR DELETE ON statements
      FOR EACH ROW EXECUTE FUNCTION statements_only_status_changes();

    CREATE TRIGGER statement_costs_immutable BEFORE UPDATE OR DELETE ON statement_costs
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER statement_keys_immutable BEFORE UPDATE OR DELETE ON statement_keys
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER statement_unit_results_immutable BEFORE UPDATE OR DELETE ON statement_unit_results
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER statement_occupancies_immutable BEFORE UPDATE OR DELETE ON statement_occupancies
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
    CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS documents, statement_occupancies, statement_unit_results, statement_keys,
      statement_costs, statements, document_number_counters CASCADE;
    DROP FUNCTION IF EXISTS statements_only_status_changes();
  `);
};
