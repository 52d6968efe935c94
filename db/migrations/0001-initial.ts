import type { Migration } from '../migrate';

// One schema in plain SQL: constraints, indexes and the append-only triggers are clearer here than
// through the QueryInterface builder.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE organisations (
      id SERIAL PRIMARY KEY,
      name TEXT NOT NULL,
      reminder_days INTEGER[] NOT NULL DEFAULT '{90,30,7}',
      hkv_lifetime_years INTEGER NOT NULL DEFAULT 10 CHECK (hkv_lifetime_years BETWEEN 1 AND 20),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      email TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('manager','owner','tenant','technician','compliance')),
      password_hash TEXT NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      expires_at TIMESTAMPTZ NOT NULL,
      ip TEXT,
      user_agent TEXT,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX sessions_user_idx ON sessions(user_id);

    CREATE TABLE login_failures (
      id BIGSERIAL PRIMARY KEY,
      email TEXT NOT NULL,
      ip TEXT,
      at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX login_failures_email_idx ON login_failures(email, at);

    CREATE TABLE properties (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      name TEXT NOT NULL,
      street TEXT NOT NULL,
      postal_code TEXT NOT NULL,
      city TEXT NOT NULL,
      federal_state TEXT NOT NULL DEFAULT 'BE',
      owner_id INTEGER REFERENCES users(id),
      technician_id INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX properties_org_idx ON properties(organisation_id);

    CREATE TABLE units (
      id SERIAL PRIMARY KEY,
      property_id INTEGER NOT NULL REFERENCES properties(id),
      label TEXT NOT NULL,
      floor TEXT,
      area_m2 NUMERIC(8,2) NOT NULL CHECK (area_m2 > 0),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (property_id, label)
    );

    CREATE TABLE tenancies (
      id SERIAL PRIMARY KEY,
      unit_id INTEGER NOT NULL REFERENCES units(id),
      user_id INTEGER REFERENCES users(id),
      tenant_name TEXT NOT NULL,
      starts_on DATE NOT NULL,
      ends_on DATE,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      CHECK (ends_on IS NULL OR ends_on >= starts_on)
    );
    CREATE INDEX tenancies_user_idx ON tenancies(user_id);
    CREATE INDEX tenancies_unit_idx ON tenancies(unit_id);

    CREATE TABLE devices (
      id SERIAL PRIMARY KEY,
      property_id INTEGER NOT NULL REFERENCES properties(id),
      unit_id INTEGER REFERENCES units(id),
      type TEXT NOT NULL CHECK (type IN ('HKV','WZ-K','WZ-W','WMZ','GZ','RWM')),
      serial TEXT NOT NULL UNIQUE,
      location TEXT,
      installed_at DATE NOT NULL,
      calibrated_year INTEGER,
      last_inspection_at DATE,
      battery_percent INTEGER CHECK (battery_percent BETWEEN 0 AND 100),
      radio_status TEXT NOT NULL DEFAULT 'ok' CHECK (radio_status IN ('ok','weak','offline')),
      remote_readable BOOLEAN NOT NULL DEFAULT true,
      last_reading_at TIMESTAMPTZ,
      last_reading_value NUMERIC(14,3),
      predecessor_id INTEGER REFERENCES devices(id),
      successor_id INTEGER REFERENCES devices(id),
      removed_at DATE,
      deadline_kind TEXT,
      due_at DATE,
      light TEXT CHECK (light IN ('green','yellow','red')),
      light_changed_at TIMESTAMPTZ,
      last_reminder_days INTEGER,
      escalated_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX devices_property_idx ON devices(property_id, type, light);
    CREATE INDEX devices_unit_idx ON devices(unit_id);
    CREATE INDEX devices_due_idx ON devices(due_at);

    CREATE TABLE readings (
      id BIGSERIAL PRIMARY KEY,
      device_id INTEGER NOT NULL REFERENCES devices(id),
      read_at TIMESTAMPTZ NOT NULL,
      value NUMERIC(14,3) NOT NULL,
      unit TEXT NOT NULL,
      set_date_value NUMERIC(14,3),
      source TEXT NOT NULL DEFAULT 'radio' CHECK (source IN ('radio','manual','import','estimate')),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (device_id, read_at)
    );

    CREATE TABLE notifications (
      id BIGSERIAL PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      body TEXT NOT NULL,
      link TEXT,
      dedupe_key TEXT NOT NULL,
      read_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (user_id, dedupe_key)
    );
    CREATE INDEX notifications_unread_idx ON notifications(user_id) WHERE read_at IS NULL;

    -- Outgoing e-mail: the record of what was sent, and the development sink when no SMTP_URL is set.
    CREATE TABLE mails (
      id BIGSERIAL PRIMARY KEY,
      dedupe_key TEXT NOT NULL UNIQUE,
      to_address TEXT NOT NULL,
      subject TEXT NOT NULL,
      text_body TEXT NOT NULL,
      html_body TEXT,
      transport TEXT NOT NULL,
      sent_at TIMESTAMPTZ,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE audit_log (
      id BIGSERIAL PRIMARY KEY,
      at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
      organisation_id INTEGER,
      actor_id INTEGER,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      entity TEXT NOT NULL,
      entity_id TEXT,
      ip TEXT,
      details JSONB NOT NULL DEFAULT '{}',
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL UNIQUE
    );

    -- Append-only: the chain of hashes is only worth something if rows cannot be changed quietly.
    CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
    END $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION forbid_change();
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS audit_log, mails, notifications, readings, devices, tenancies, units,
      properties, login_failures, sessions, users, organisations CASCADE;
    DROP FUNCTION IF EXISTS forbid_change();
  `);
};
