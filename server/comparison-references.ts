// HKVO §6a reference values (domain/comparison-reference.ts): stored per organisation and per
// property, read by the monthly run, changed by managers on /einstellungen/vergleichswert (audited).
import { QueryTypes, type Transaction } from 'sequelize';
import { appendAudit } from '../db/audit';
import type { Db } from '../db';
import { effectiveReference, type StoredReference } from '../domain/comparison-reference';
import type { ReferenceConsumption } from '../domain/monthly';
import { ValidationError } from '../domain/validation';
import { db } from './db';
import type { SessionUser } from './session';

interface ReferenceRow {
  propertyId: number | null;
  heating: string;
  hotWater: string;
  source: string;
}

const toStored = (row: ReferenceRow): StoredReference => ({
  heatingKwhPerM2Year: Number(row.heating),
  hotWaterKwhPerM2Year: Number(row.hotWater),
  source: row.source,
});

async function rowsOf(database: Db, organisationId: number, propertyId?: number, transaction?: Transaction): Promise<ReferenceRow[]> {
  return database.sequelize.query<ReferenceRow>(
    `SELECT property_id AS "propertyId", heating_kwh_per_m2_year AS heating, hot_water_kwh_per_m2_year AS "hotWater", source
       FROM comparison_references
      WHERE organisation_id = :organisationId ${propertyId === undefined ? '' : 'AND (property_id IS NULL OR property_id = :propertyId)'}`,
    { replacements: { organisationId, propertyId: propertyId ?? null }, type: QueryTypes.SELECT, transaction },
  );
}

/** The reference the monthly information of a property uses: the property's, the organisation's or the default. */
export async function referenceForProperty(database: Db, organisationId: number, propertyId: number): Promise<ReferenceConsumption> {
  const rows = await rowsOf(database, organisationId, propertyId);
  const property = rows.find((row) => row.propertyId === propertyId);
  const organisation = rows.find((row) => row.propertyId === null);
  return effectiveReference({ property: property ? toStored(property) : null, organisation: organisation ? toStored(organisation) : null });
}

export interface ReferenceSettings {
  organisation: StoredReference | null;
  /** What applies where no own value is set. */
  effective: ReferenceConsumption;
  properties: Array<{ id: number; name: string; reference: StoredReference | null }>;
}

/** The organisation's value and every property's own value, for the settings page. */
export async function referenceSettings(organisationId: number): Promise<ReferenceSettings> {
  const database = db();
  const [rows, properties] = await Promise.all([
    rowsOf(database, organisationId),
    database.sequelize.query<{ id: number; name: string }>(
      'SELECT id, name FROM properties WHERE organisation_id = :organisationId ORDER BY name, id',
      { replacements: { organisationId }, type: QueryTypes.SELECT },
    ),
  ]);
  const byProperty = new Map(rows.map((row) => [row.propertyId, toStored(row)]));
  const organisation = byProperty.get(null) ?? null;
  return {
    organisation,
    effective: effectiveReference({ property: null, organisation }),
    properties: properties.map((p) => ({ id: p.id, name: p.name, reference: byProperty.get(p.id) ?? null })),
  };
}

/**
 * Sets (or with `reference` null removes) the organisation's value (`propertyId` null) or a
 * property's own. Months already published keep the comparison they were published with.
 */
export async function saveReference(
  user: SessionUser,
  propertyId: number | null,
  reference: StoredReference | null,
  ip: string | null,
): Promise<void> {
  const database = db();
  if (propertyId !== null) {
    const owned = await database.models.Property.count({ where: { id: propertyId, organisationId: user.organisationId } });
    if (owned === 0) throw new ValidationError('propertyId', 'Diese Liegenschaft gehört nicht zu Ihrer Verwaltung.');
  }
  await database.sequelize.transaction(async (transaction) => {
    const replacements = { organisationId: user.organisationId, propertyId };
    const where = propertyId === null ? 'property_id IS NULL' : 'property_id = :propertyId';
    await database.sequelize.query(`DELETE FROM comparison_references WHERE organisation_id = :organisationId AND ${where}`, {
      replacements,
      transaction,
    });
    if (reference) {
      await database.sequelize.query(
        `INSERT INTO comparison_references
           (organisation_id, property_id, heating_kwh_per_m2_year, hot_water_kwh_per_m2_year, source, updated_by)
         VALUES (:organisationId, :propertyId, :heating, :hotWater, :source, :userId)`,
        {
          replacements: {
            ...replacements,
            heating: reference.heatingKwhPerM2Year,
            hotWater: reference.hotWaterKwhPerM2Year,
            source: reference.source,
            userId: user.id,
          },
          transaction,
        },
      );
    }
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: reference ? 'update' : 'delete',
        entity: 'comparison-reference',
        entityId: propertyId ?? `organisation:${user.organisationId}`,
        ip,
        details: { propertyId, reference },
      },
      transaction,
    );
  });
}
