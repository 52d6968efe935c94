// The recipients of a statement version (statement_recipients, one row per tenant delivered to) and
// the workflows their rows name (docs/decisions/0013): the one place that says which row is a
// tenant's own and which workflows a version's recipients have.
import { QueryTypes } from 'sequelize';
import type { Db } from './index';

export interface VersionRef {
  statementId: number;
  version: number;
}

/** A recipient's row: its occupancy and the workflow it names (null: none yet, or a version delivered before). */
export interface RecipientRow {
  occupancyId: number;
  workflowId: string | null;
}

/**
 * One recipient of the version: by its occupancy, or a tenant's own in a unit (delivered to its
 * account, or by letter to its tenancy; the latest occupancy if it has moved out and back in).
 */
export async function findRecipient(
  db: Db,
  ref: VersionRef,
  recipient: { occupancyId: number } | { unitId: number; userId: number },
): Promise<RecipientRow | null> {
  const [row] = await db.sequelize.query<RecipientRow>(
    'occupancyId' in recipient
      ? `SELECT occupancy_id AS "occupancyId", workflow_id AS "workflowId" FROM statement_recipients
          WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId`
      : `SELECT r.occupancy_id AS "occupancyId", r.workflow_id AS "workflowId" FROM statement_recipients r JOIN tenancies t ON t.id = r.tenancy_id
          WHERE r.statement_id = :statementId AND r.version = :version AND r.unit_id = :unitId AND (r.user_id = :userId OR t.user_id = :userId)
          ORDER BY r.occupancy_id DESC LIMIT 1`,
    { replacements: { statementId: ref.statementId, version: ref.version, ...recipient }, type: QueryTypes.SELECT },
  );
  return row ?? null;
}

/** The workflows the version's recipients' rows name, by occupancy. */
export async function recipientWorkflowIds(db: Db, ref: VersionRef): Promise<string[]> {
  const rows = await db.sequelize.query<{ workflowId: string }>(
    `SELECT workflow_id AS "workflowId" FROM statement_recipients
      WHERE statement_id = :statementId AND version = :version AND workflow_id IS NOT NULL ORDER BY occupancy_id`,
    { replacements: { statementId: ref.statementId, version: ref.version }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.workflowId);
}
