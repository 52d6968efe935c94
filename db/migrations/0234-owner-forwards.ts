import type { Migration } from '../migrate';

// Issue 14 item 3: documents a manager forwards to a property's owner, one row per owner and
// document, with its own delivery record (forwarded at/by, first opened at by the owner). Forwarding
// the same document again to the same owner keeps the first record (the unique key).
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE owner_forwards (
      id BIGSERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      owner_id INTEGER NOT NULL REFERENCES users(id),
      document_kind TEXT NOT NULL CHECK (document_kind IN ('statement')),
      document_id INTEGER NOT NULL,
      title TEXT NOT NULL,
      forwarded_by INTEGER NOT NULL REFERENCES users(id),
      forwarded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      opened_at TIMESTAMPTZ,
      UNIQUE (owner_id, document_kind, document_id)
    );
    CREATE INDEX owner_forwards_owner_idx ON owner_forwards (owner_id, forwarded_at DESC);
    CREATE INDEX owner_forwards_document_idx ON owner_forwards (document_kind, document_id);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP TABLE owner_forwards');
};
