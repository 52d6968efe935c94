// Who may do what (permissions granted by role, Epic Stack style) and which rows they may see.
// Every loader and action starts with requireUserWithPermission; every query is scoped by
// visibleScope, so a forbidden object is simply not found.
import { QueryTypes } from 'sequelize';
import { db } from './db';
import { calendarDate } from '../domain/calendar';
import { requireUser } from './auth';
import type { SessionUser } from './session';
import type { Role } from '../domain/roles';
import { hasPermission, type Permission } from '../domain/permissions';

export function forbidden(): Response {
  return new Response('Keine Berechtigung', { status: 403, statusText: 'Forbidden' });
}

export function notFound(): Response {
  return new Response('Nicht gefunden', { status: 404, statusText: 'Not Found' });
}

export async function requireUserWithPermission(request: Request, permission: Permission): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!hasPermission(user, permission)) throw forbidden();
  return user;
}

/**
 * What a user may see: these properties, and within them only these units (null: all units and
 * the building's own devices). Tenants see their unit only while their tenancy runs.
 */
export interface Scope {
  /** The visible properties, by name: also the options of property filters. */
  properties: Array<{ id: number; name: string }>;
  propertyIds: number[];
  unitIds: number[] | null;
}

export interface CurrentTenancy {
  tenancyId: number;
  tenantName: string;
  startsOn: string;
  endsOn: string | null;
  unitId: number;
  unitLabel: string;
  unitFloor: string | null;
  unitAreaM2: string;
  propertyId: number;
  propertyName: string;
  propertyStreet: string;
  propertyPostalCode: string;
  propertyCity: string;
}

/** The user's own tenancies running today, with their unit and property: a tenant's whole world. */
export async function currentTenancies(user: SessionUser, today = calendarDate(new Date())): Promise<CurrentTenancy[]> {
  return db().sequelize.query<CurrentTenancy>(
    `SELECT t.id AS "tenancyId", t.tenant_name AS "tenantName", t.starts_on AS "startsOn", t.ends_on AS "endsOn",
            u.id AS "unitId", u.label AS "unitLabel", u.floor AS "unitFloor", u.area_m2 AS "unitAreaM2",
            p.id AS "propertyId", p.name AS "propertyName", p.street AS "propertyStreet",
            p.postal_code AS "propertyPostalCode", p.city AS "propertyCity"
       FROM tenancies t
       JOIN units u ON u.id = t.unit_id
       JOIN properties p ON p.id = u.property_id
      WHERE t.user_id = :userId AND p.organisation_id = :organisationId
        AND t.starts_on <= :today AND (t.ends_on IS NULL OR t.ends_on >= :today)
      ORDER BY p.name, u.id`,
    { replacements: { userId: user.id, organisationId: user.organisationId, today }, type: QueryTypes.SELECT },
  );
}

/** Exactly the units of these tenancies. */
export function tenancyScope(tenancies: CurrentTenancy[]): Scope {
  const properties = new Map(tenancies.map((t) => [t.propertyId, { id: t.propertyId, name: t.propertyName }]));
  return {
    properties: [...properties.values()],
    propertyIds: [...properties.keys()],
    unitIds: [...new Set(tenancies.map((t) => t.unitId))],
  };
}

export async function visibleScope(user: SessionUser, today?: string): Promise<Scope> {
  if (user.role === 'tenant') return tenancyScope(await currentTenancies(user, today));
  const ownership: Partial<Record<Role, string>> = {
    owner: 'AND owner_id = :userId',
    technician: 'AND technician_id = :userId',
  };
  const properties = await db().sequelize.query<{ id: number; name: string }>(
    `SELECT id, name FROM properties WHERE organisation_id = :organisationId ${ownership[user.role] ?? ''} ORDER BY name, id`,
    { replacements: { organisationId: user.organisationId, userId: user.id }, type: QueryTypes.SELECT },
  );
  return { properties, propertyIds: properties.map((p) => p.id), unitIds: null };
}

export async function visiblePropertyIds(user: SessionUser): Promise<number[]> {
  return (await visibleScope(user)).propertyIds;
}

export function scopeIsEmpty(scope: Scope): boolean {
  return scope.propertyIds.length === 0 || (scope.unitIds !== null && scope.unitIds.length === 0);
}

/**
 * SQL condition restricting a devices alias to the scope. Callers check scopeIsEmpty first: an
 * empty IN () list is not valid SQL.
 */
export function deviceScopeSql(scope: Scope, alias = 'd'): { sql: string; replacements: Record<string, unknown> } {
  const parts = [`${alias}.property_id IN (:scopePropertyIds)`];
  const replacements: Record<string, unknown> = { scopePropertyIds: scope.propertyIds };
  if (scope.unitIds !== null) {
    parts.push(`${alias}.unit_id IN (:scopeUnitIds)`);
    replacements.scopeUnitIds = scope.unitIds;
  }
  return { sql: parts.join(' AND '), replacements };
}

/** Whether a live event (from NOTIFY) concerns something this scope may see. */
export function scopeCovers(scope: Scope, event: { propertyId?: unknown; unitId?: unknown }): boolean {
  if (typeof event.propertyId !== 'number' || !scope.propertyIds.includes(event.propertyId)) return false;
  if (scope.unitIds === null) return true;
  return typeof event.unitId === 'number' && scope.unitIds.includes(event.unitId);
}
