import type { Migration } from '../migrate';

// The evidence archive (/nachweise). A document is a logical record (what, where); its versions are
// the stored files, encrypted like statements (AES-256-GCM, SHA-256 of the plaintext) and never
// overwritten: a correction is a new version. Statements, delivery proofs and monthly information
// stay in their own tables and are only listed. A version leaves only at the end of its retention,
// never under a legal hold, and only together with its tombstone (kind, hash, dates, approver):
// the triggers make that the only way out, whatever code runs the DELETE.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE archive_documents (
      id BIGSERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      unit_id INTEGER REFERENCES units(id),
      device_id INTEGER REFERENCES devices(id),
      kind TEXT NOT NULL CHECK (kind IN ('smoke-alarm-protocol','legionella-report','calibration-certificate','other')),
      title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      created_by INTEGER REFERENCES users(id),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX archive_documents_scope_idx ON archive_documents(organisation_id, property_id, unit_id);
    CREATE TRIGGER archive_documents_append_only BEFORE UPDATE OR DELETE ON archive_documents
      FOR EACH ROW EXECUTE FUNCTION forbid_change();

    CREATE TABLE archive_versions (
      id BIGSERIAL PRIMARY KEY,
      document_id BIGINT NOT NULL REFERENCES archive_documents(id),
      version INTEGER NOT NULL CHECK (version >= 1),
      -- The date the document is about (inspection, sampling, issue); retention counts from its year.
      document_date DATE NOT NULL,
      retention_until DATE NOT NULL,
      file_name TEXT NOT NULL,
      content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf','image/png','image/jpeg')),
      sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      byte_size INTEGER NOT NULL CHECK (byte_size > 0),
      ciphertext BYTEA NOT NULL,
      iv BYTEA NOT NULL,
      auth_tag BYTEA NOT NULL,
      -- Who put it here: a user's upload, or the portal's generator (e.g. 'DIN 14676 protocol').
      uploaded_by INTEGER REFERENCES users(id),
      generated_by TEXT,
      note TEXT,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (document_id, version),
      CHECK ((uploaded_by IS NULL) <> (generated_by IS NULL))
    );
    CREATE INDEX archive_versions_retention_idx ON archive_versions(retention_until);

    -- A legal hold (dispute, audit) covers a property, or one unit of it; released, it stays as history.
    CREATE TABLE archive_legal_holds (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      unit_id INTEGER REFERENCES units(id),
      reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      placed_by INTEGER NOT NULL REFERENCES users(id),
      placed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      released_by INTEGER REFERENCES users(id),
      released_at TIMESTAMPTZ,
      CHECK ((released_by IS NULL) = (released_at IS NULL))
    );
    CREATE INDEX archive_legal_holds_active_idx ON archive_legal_holds(property_id) WHERE released_at IS NULL;

    -- What left the archive, so its completeness stays provable. Append-only.
    CREATE TABLE archive_tombstones (
      version_id BIGINT PRIMARY KEY,
      document_id BIGINT NOT NULL REFERENCES archive_documents(id),
      version INTEGER NOT NULL,
      kind TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      document_date DATE NOT NULL,
      stored_at TIMESTAMPTZ NOT NULL,
      retention_until DATE NOT NULL,
      deleted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      approved_by INTEGER NOT NULL REFERENCES users(id),
      CHECK (retention_until < deleted_at::date)
    );
    CREATE TRIGGER archive_tombstones_append_only BEFORE UPDATE OR DELETE ON archive_tombstones
      FOR EACH ROW EXECUTE FUNCTION forbid_change();

    CREATE FUNCTION archive_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'archive versions are never changed (a correction is a new version)';
      END IF;
      IF OLD.retention_until >= current_date THEN
        RAISE EXCEPTION 'archive version % is retained until %', OLD.id, OLD.retention_until;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM archive_tombstones t WHERE t.version_id = OLD.id) THEN
        RAISE EXCEPTION 'archive version % cannot be deleted without its tombstone', OLD.id;
      END IF;
      IF EXISTS (
        SELECT 1 FROM archive_legal_holds h JOIN archive_documents d ON d.id = OLD.document_id
         WHERE h.released_at IS NULL AND h.property_id = d.property_id AND (h.unit_id IS NULL OR h.unit_id = d.unit_id)
      ) THEN
        RAISE EXCEPTION 'archive version % is under a legal hold', OLD.id;
      END IF;
      RETURN OLD;
    END $$;
    CREATE TRIGGER archive_versions_guard BEFORE UPDATE OR DELETE ON archive_versions
      FOR EACH ROW EXECUTE FUNCTION archive_version_guard();

    ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_topic_check;
    ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_topic_check
      CHECK (topic IN ('ticket','ticket-escalation','appointment','device','statement','monthly-information','archive'));
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DELETE FROM notification_preferences WHERE topic = 'archive';
    ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_topic_check;
    ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_topic_check
      CHECK (topic IN ('ticket','ticket-escalation','appointment','device','statement','monthly-information'));
    DROP TABLE IF EXISTS archive_tombstones, archive_legal_holds, archive_versions, archive_documents CASCADE;
    DROP FUNCTION IF EXISTS archive_version_guard();
  `);
};
