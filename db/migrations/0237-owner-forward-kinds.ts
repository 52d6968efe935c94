import type { Migration } from '../migrate';

// Issue 14 item 3: besides approved statements, a manager forwards a property's monthly-information
// summary (one month, HKVO §6a) and a register report (the register's filters for that property).
// `document_ref` tells these apart where `document_id` (then the property) is not enough: the month
// ('2025-10'), or the forwarding day and the register's filters ('2026-11-30?type=smoke'). Forwarding
// the same document again to the same owner keeps the first record, as before.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE owner_forwards DROP CONSTRAINT owner_forwards_document_kind_check;
    ALTER TABLE owner_forwards ADD CONSTRAINT owner_forwards_document_kind_check
      CHECK (document_kind IN ('statement', 'monthly-summary', 'register-report'));
    ALTER TABLE owner_forwards ADD COLUMN document_ref TEXT NOT NULL DEFAULT '';
    ALTER TABLE owner_forwards DROP CONSTRAINT owner_forwards_owner_id_document_kind_document_id_key;
    ALTER TABLE owner_forwards ADD CONSTRAINT owner_forwards_document_key UNIQUE (owner_id, document_kind, document_id, document_ref);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DELETE FROM owner_forwards WHERE document_kind <> 'statement';
    ALTER TABLE owner_forwards DROP CONSTRAINT owner_forwards_document_key;
    ALTER TABLE owner_forwards DROP COLUMN document_ref;
    ALTER TABLE owner_forwards ADD CONSTRAINT owner_forwards_owner_id_document_kind_document_id_key UNIQUE (owner_id, document_kind, document_id);
    ALTER TABLE owner_forwards DROP CONSTRAINT owner_forwards_document_kind_check;
    ALTER TABLE owner_forwards ADD CONSTRAINT owner_forwards_document_kind_check CHECK (document_kind IN ('statement'));
  `);
};
