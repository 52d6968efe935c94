// Who may do what (permissions granted by role, Epic Stack style) and which rows they may see.
// Every loader and action starts with requireUserWithPermission; every query is scoped by
// visibleScope, so a forbidden object is simply not found.
import { QueryTypes } from 'sequelize';
import { db } from '../db';
import type { Role } from '../domain/roles';
import { calendarDate } from '../domain/calendar';
import { requireUser } from './auth';
import type { SessionUser } from './session';

type Action = 'read' | 'create' | 'update' | 'export' | 'deliver' | 'file' | 'handle' | 'request';
type Entity =
  | 'property'
  | 'unit'
  | 'tenancy'
  | 'device'
  | 'register'
  | 'notification'
  | 'statement'
  | 'statement-settings'
  | 'ticket'
  | 'appointment'
  | 'monthly-information'
  | 'reading';
/**
 * `own`: rows in the user's scope (its properties, its unit; a tenant's own tickets and appointment
 * requests, a technician's properties' appointments); `any`: all rows of its organisation.
 */
type Access = 'own' | 'any';
export type Permission = `${Action}:${Entity}:${Access}`;

const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  manager: [
    'read:property:any',
    'read:unit:any',
    'read:tenancy:any',
    'read:device:any',
    'read:register:any',
    'export:device:any',
    'read:notification:own',
    'update:notification:own',
    'update:device:any',
    'read:statement:any',
    'create:statement:any',
    'deliver:statement:any',
    'read:ticket:any',
    'handle:ticket:any',
    'read:appointment:any',
    'handle:appointment:any',
    // Running the monthly information, its conversion factors and entering readings are the
    // managers' job; compliance only reads.
    'read:monthly-information:any',
    'update:monthly-information:any',
    'create:reading:any',
    // The organisation's objection-window mode and the owners' approval delegation.
    'update:statement-settings:any',
  ],
  compliance: [
    'read:property:any',
    'read:unit:any',
    'read:device:any',
    'read:register:any',
    'export:device:any',
    'read:notification:own',
    'update:notification:own',
    'read:statement:any',
    'read:ticket:any',
    'read:appointment:any',
    'read:monthly-information:any',
  ],
  owner: [
    'read:property:own',
    'read:unit:own',
    'read:device:own',
    'read:register:own',
    'export:device:own',
    'read:notification:own',
    'update:notification:own',
    // Tickets and appointments carry tenants' personal matters; owners are not party to them.
    'read:statement:own',
  ],
  technician: [
    'read:device:own',
    'read:register:own',
    'export:device:own',
    'read:notification:own',
    'update:notification:own',
    // Device work on the properties the technician is assigned to (its scope).
    'update:device:own',
    'read:appointment:own',
    'handle:appointment:own',
  ],
  tenant: [
    'read:tenancy:own',
    'read:unit:own',
    'read:device:own',
    'read:notification:own',
    'update:notification:own',
    // Tenants read their own statements through their tenancies (meine-abrechnungen, read:tenancy:own),
    // not through the statement pages.
    'file:ticket:own',
    'read:ticket:own',
    'request:appointment:own',
    'read:appointment:own',
  ],
};

/** `any` implies `own`. */
export function hasPermission(user: Pick<SessionUser, 'role'>, permission: Permission): boolean {
  const granted = ROLE_PERMISSIONS[user.role] ?? [];
  if (granted.includes(permission)) return true;
  const [action, entity, access] = permission.split(':');
  return access === 'own' && granted.includes(`${action}:${entity}:any` as Permission);
}

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
