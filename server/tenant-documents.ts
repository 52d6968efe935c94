// "Meine Dokumente": what was delivered to a tenant, per tenancy, also after the tenancy ended.
// Live data of the unit (devices, current consumption, tickets) ends with the tenancy
// (permissions.currentTenancies); the delivered statements and monthly information stay readable
// for the retention period (domain/accounts.ts).
import { QueryTypes } from 'sequelize';
import { retainedUntil } from '../domain/accounts';
import { calendarDate } from '../domain/calendar';
import type { MonthlyInformationContent } from '../domain/monthly';
import { db } from './db';
import type { SessionUser } from './session';
import { tenantStatements, type TenantStatementRow } from './statements';

export interface TenancyDocuments {
  tenancyId: number;
  unitId: number;
  unitLabel: string;
  propertyName: string;
  address: string;
  startsOn: string;
  endsOn: string | null;
  ended: boolean;
  statements: TenantStatementRow[];
  months: Array<{ id: number; month: string; totalKwh: number | null; estimated: boolean; retainedUntil: string }>;
}

interface TenancyRow {
  tenancyId: number;
  unitId: number;
  unitLabel: string;
  propertyName: string;
  address: string;
  startsOn: string;
  endsOn: string | null;
}

async function ownTenancies(user: SessionUser): Promise<TenancyRow[]> {
  return db().sequelize.query<TenancyRow>(
    `SELECT t.id AS "tenancyId", u.id AS "unitId", u.label AS "unitLabel", p.name AS "propertyName",
            p.street || ', ' || p.postal_code || ' ' || p.city AS address, t.starts_on AS "startsOn", t.ends_on AS "endsOn"
       FROM tenancies t JOIN units u ON u.id = t.unit_id JOIN properties p ON p.id = u.property_id
      WHERE t.user_id = :userId AND p.organisation_id = :organisationId
      ORDER BY t.starts_on DESC, t.id DESC`,
    { replacements: { userId: user.id, organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
}

/** Monthly information addressed to the tenancy alone (never a month shared with a previous tenant). */
const OWN_DELIVERIES = ['portal', 'no-account'];

/** All tenancies of the user with what was delivered for them and is still within the retention period. */
export async function tenantDocuments(user: SessionUser, today = calendarDate(new Date())): Promise<TenancyDocuments[]> {
  const tenancies = await ownTenancies(user);
  if (tenancies.length === 0) return [];
  const statements = (await tenantStatements(user)).filter((s) => retainedUntil(s.periodEnd) >= today);
  const months = await db().sequelize.query<{ id: number; tenancyId: number; month: string; totalKwh: string | null; estimated: boolean }>(
    `SELECT id, tenancy_id AS "tenancyId", month::text AS month, total_kwh AS "totalKwh", estimated
       FROM monthly_information
      WHERE tenancy_id IN (:ids) AND delivery IN (:deliveries)
      ORDER BY month DESC`,
    { replacements: { ids: tenancies.map((t) => t.tenancyId), deliveries: OWN_DELIVERIES }, type: QueryTypes.SELECT },
  );
  const occupancyTenancy = await statementTenancies(statements);
  return tenancies.map((t) => ({
    ...t,
    ended: t.endsOn !== null && t.endsOn < today,
    statements: statements.filter((s) => occupancyTenancy.get(`${s.id}:${s.unitId}`)?.includes(t.tenancyId)),
    months: months
      .filter((m) => m.tenancyId === t.tenancyId && retainedUntil(m.month) >= today)
      .map((m) => ({
        id: m.id,
        month: m.month.slice(0, 7),
        totalKwh: m.totalKwh === null ? null : Number(m.totalKwh),
        estimated: m.estimated,
        retainedUntil: retainedUntil(m.month),
      })),
  }));
}

/** Which of the user's tenancies each (statement, unit) row was addressed to. */
async function statementTenancies(rows: TenantStatementRow[]): Promise<Map<string, number[]>> {
  const map = new Map<string, number[]>();
  if (rows.length === 0) return map;
  const occupancies = await db().models.StatementOccupancy.findAll({
    where: { statementId: [...new Set(rows.map((r) => r.id))] },
    attributes: ['statementId', 'unitId', 'tenancyId'],
    raw: true,
  });
  for (const o of occupancies) {
    if (o.tenancyId === null) continue;
    const key = `${o.statementId}:${o.unitId}`;
    map.set(key, [...(map.get(key) ?? []), o.tenancyId]);
  }
  return map;
}

export interface ArchivedMonth {
  id: number;
  month: string;
  propertyName: string;
  unitLabel: string;
  tenancyEnded: string;
  publishedAt: Date;
  content: MonthlyInformationContent;
}

/**
 * One delivered monthly information of an ended tenancy of the user (running tenancies read theirs
 * on /verbrauch, which records the opening), within the retention period; null otherwise.
 */
export async function archivedMonth(user: SessionUser, id: number, today = calendarDate(new Date())): Promise<ArchivedMonth | null> {
  const [row] = await db().sequelize.query<Omit<ArchivedMonth, 'content'> & { content: MonthlyInformationContent }>(
    `SELECT mi.id, mi.month::text AS month, p.name AS "propertyName", u.label AS "unitLabel", t.ends_on AS "tenancyEnded",
            mi.published_at AS "publishedAt", mi.content
       FROM monthly_information mi
       JOIN tenancies t ON t.id = mi.tenancy_id
       JOIN units u ON u.id = mi.unit_id
       JOIN properties p ON p.id = u.property_id
      WHERE mi.id = :id AND t.user_id = :userId AND p.organisation_id = :organisationId
        AND mi.delivery IN (:deliveries) AND t.ends_on IS NOT NULL AND t.ends_on < :today`,
    {
      replacements: { id, userId: user.id, organisationId: user.organisationId, deliveries: OWN_DELIVERIES, today },
      type: QueryTypes.SELECT,
    },
  );
  if (!row || retainedUntil(row.month) < today) return null;
  return { ...row, month: row.month.slice(0, 7) };
}
