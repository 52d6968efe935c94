import type { Migration } from '../migrate';

// One document number per statement, its versions under it ("v3 · DOC-2026-00847"): a correction
// keeps its predecessor's number, so the number is unique together with the version.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE statements DROP CONSTRAINT statements_document_number_key;
    ALTER TABLE statements ADD CONSTRAINT statements_document_number_version_key UNIQUE (document_number, version);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE statements DROP CONSTRAINT statements_document_number_version_key;
    ALTER TABLE statements ADD CONSTRAINT statements_document_number_key UNIQUE (document_number);
  `);
};
