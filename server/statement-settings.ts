// The organisation's settings of the statement lifecycle: how the objection window is computed
// and which owners may approve their property's statements (managers change them; audited).
import { QueryTypes } from 'sequelize';
import { appendAudit } from '../db/audit';
import { COST_DEADLINE_MONTHS } from '../domain/contracts/cost-deadline';
import type { ObjectionDeadlineMode } from '../domain/statement-deadlines';
import { db } from './db';
import type { SessionUser } from './session';
import { objectionDeadlineMode } from './statement-lifecycle';

export function objectionWindowMode(organisationId: number): Promise<ObjectionDeadlineMode> {
  return objectionDeadlineMode(db(), organisationId);
}

export interface SettingsProperty {
  id: number;
  name: string;
  ownerId: number | null;
  ownerName: string | null;
  delegated: boolean;
}

/** The organisation's properties with their owner and whether that owner may approve statements. */
export function settingsProperties(organisationId: number): Promise<SettingsProperty[]> {
  return db().sequelize.query<SettingsProperty>(
    `SELECT p.id, p.name, p.owner_id AS "ownerId", o.name AS "ownerName",
            EXISTS (SELECT 1 FROM statement_approval_delegations d WHERE d.property_id = p.id AND d.user_id = p.owner_id) AS delegated
       FROM properties p
       LEFT JOIN users o ON o.id = p.owner_id
      WHERE p.organisation_id = :organisationId
      ORDER BY p.name, p.id`,
    { replacements: { organisationId }, type: QueryTypes.SELECT },
  );
}

export interface StatementSettingsChange {
  mode: ObjectionDeadlineMode;
  /** Months after a billing period by which its costs are due (validated by the caller, 1–9); unchanged when absent. */
  costDeadlineMonths?: number;
  /** Properties whose owner may approve; every other property's delegation is dropped. */
  delegatedPropertyIds: number[];
}

export async function saveStatementSettings(user: SessionUser, change: StatementSettingsChange, ip: string | null): Promise<void> {
  const database = db();
  const properties = (await settingsProperties(user.organisationId)).filter((p) => p.ownerId !== null);
  const delegated = properties.filter((p) => change.delegatedPropertyIds.includes(p.id)).map((p) => p.id);
  await database.sequelize.transaction(async (transaction) => {
    await database.sequelize.query(
      `INSERT INTO statement_lifecycle_settings (organisation_id, objection_deadline_mode, cost_deadline_months)
       VALUES (:organisationId, :mode, COALESCE(:months, :defaultMonths))
       ON CONFLICT (organisation_id) DO UPDATE SET objection_deadline_mode = EXCLUDED.objection_deadline_mode,
         cost_deadline_months = COALESCE(:months, statement_lifecycle_settings.cost_deadline_months)`,
      {
        replacements: {
          organisationId: user.organisationId,
          mode: change.mode,
          months: change.costDeadlineMonths ?? null,
          defaultMonths: COST_DEADLINE_MONTHS,
        },
        transaction,
      },
    );
    for (const property of properties) {
      if (delegated.includes(property.id)) {
        await database.sequelize.query(
          `INSERT INTO statement_approval_delegations (property_id, user_id, delegated_by) VALUES (:propertyId, :userId, :by)
           ON CONFLICT (property_id, user_id) DO NOTHING`,
          { replacements: { propertyId: property.id, userId: property.ownerId, by: user.id }, transaction },
        );
      } else {
        // Also drops a delegation left over from a previous owner of the property.
        await database.sequelize.query('DELETE FROM statement_approval_delegations WHERE property_id = :propertyId', {
          replacements: { propertyId: property.id },
          transaction,
        });
      }
    }
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: 'update',
        entity: 'statement-settings',
        entityId: user.organisationId,
        ip,
        details: {
          objectionDeadlineMode: change.mode,
          approvalDelegatedFor: delegated,
          ...(change.costDeadlineMonths === undefined ? {} : { costDeadlineMonths: change.costDeadlineMonths }),
        },
      },
      transaction,
    );
  });
}
