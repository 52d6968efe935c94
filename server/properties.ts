// Property overview and detail: counts per light and the next deadline, aggregated in SQL.
import { QueryTypes } from 'sequelize';
import { db } from './db';
import type { Light } from '../domain/deadlines';
import { worstLight, type LightCounts } from '../domain/lights';
import { LiveCache } from './live-cache';
import { scopeIsEmpty, type Scope } from './permissions';
import { calendarDate } from '../domain/calendar';

export interface NextAction {
  deviceId: number;
  serial: string;
  deadlineKind: string | null;
  dueAt: string;
  light: Light | null;
}

/** A property's address and size, as lists show it. */
interface PropertyFacts {
  id: number;
  name: string;
  street: string;
  postalCode: string;
  city: string;
  unitCount: number;
  deviceCount: number;
}

export interface PropertySummary extends PropertyFacts {
  counts: LightCounts;
  /** Worst light of its devices: any red → red, any yellow → yellow; null without devices. */
  status: Light | null;
  nextAction: NextAction | null;
}

interface SummaryRow extends PropertyFacts {
  red: number;
  yellow: number;
  green: number;
  unknown: number;
  nextDeviceId: number | null;
  nextSerial: string | null;
  nextKind: string | null;
  nextDueAt: string | null;
  nextLight: Light | null;
}

function toSummary(row: SummaryRow): PropertySummary {
  const counts: LightCounts = { red: row.red, yellow: row.yellow, green: row.green, unknown: row.unknown };
  return {
    id: row.id,
    name: row.name,
    street: row.street,
    postalCode: row.postalCode,
    city: row.city,
    unitCount: row.unitCount,
    deviceCount: row.deviceCount,
    counts,
    status: worstLight(counts),
    nextAction:
      row.nextDeviceId && row.nextSerial && row.nextDueAt
        ? { deviceId: row.nextDeviceId, serial: row.nextSerial, deadlineKind: row.nextKind, dueAt: row.nextDueAt, light: row.nextLight }
        : null,
  };
}

/** Summaries change with devices' lights and deadlines: see LiveCache. */
const summariesCache = new LiveCache<PropertySummary[]>(10_000);

/** Property summaries in scope, in one query: counts grouped per property, the next deadline by index. */
export async function propertySummaries(scope: Scope, onlyPropertyId?: number): Promise<PropertySummary[]> {
  const ids = onlyPropertyId === undefined ? scope.propertyIds : scope.propertyIds.filter((id) => id === onlyPropertyId);
  if (ids.length === 0) return [];
  return summariesCache.get(JSON.stringify(ids), () => querySummaries(ids));
}

async function querySummaries(ids: number[]): Promise<PropertySummary[]> {
  const rows = await db().sequelize.query<SummaryRow>(
    `SELECT p.id, p.name, p.street, p.postal_code AS "postalCode", p.city,
            (SELECT count(*)::int FROM units u WHERE u.property_id = p.id) AS "unitCount",
            coalesce(c.total, 0) AS "deviceCount", coalesce(c.red, 0) AS red, coalesce(c.yellow, 0) AS yellow,
            coalesce(c.green, 0) AS green, coalesce(c.unknown, 0) AS unknown,
            na.id AS "nextDeviceId", na.serial AS "nextSerial", na.deadline_kind AS "nextKind",
            na.due_at AS "nextDueAt", na.light AS "nextLight"
       FROM properties p
       LEFT JOIN (
         -- The kept counts (device_light_counts, written with every device change), not a scan.
         SELECT property_id,
                sum(devices)::int AS total,
                (sum(devices) FILTER (WHERE light = 'red'))::int AS red,
                (sum(devices) FILTER (WHERE light = 'yellow'))::int AS yellow,
                (sum(devices) FILTER (WHERE light = 'green'))::int AS green,
                (sum(devices) FILTER (WHERE light = 'unknown'))::int AS unknown
           FROM device_light_counts
          WHERE property_id IN (:ids)
          GROUP BY property_id
       ) c ON c.property_id = p.id
       LEFT JOIN LATERAL (
         SELECT d.id, d.serial, d.deadline_kind, d.due_at, d.light
           FROM devices d
          WHERE d.property_id = p.id AND d.removed_at IS NULL AND d.due_at IS NOT NULL
          ORDER BY d.due_at, d.id
          LIMIT 1
       ) na ON true
      WHERE p.id IN (:ids)
      ORDER BY p.name, p.id`,
    { replacements: { ids }, type: QueryTypes.SELECT },
  );
  return rows.map(toSummary);
}

export interface UnitSummary {
  id: number;
  label: string;
  floor: string | null;
  areaM2: string;
  deviceCount: number;
  worst: Light | null;
  /** Only for users allowed to read tenancies; otherwise undefined. */
  tenantName?: string | null;
}

const SEVERITY_SQL = `max(CASE d.light WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 WHEN 'green' THEN 1 END)`;
const LIGHT_BY_SEVERITY: Record<number, Light> = { 1: 'green', 2: 'yellow', 3: 'red' };

/** The units of a property (which the caller has checked is in scope) with their devices' worst light. */
export async function unitSummaries(scope: Scope, propertyId: number, options: { withTenants: boolean }): Promise<UnitSummary[]> {
  if (scopeIsEmpty(scope) || !scope.propertyIds.includes(propertyId)) return [];
  const unitFilter = scope.unitIds === null ? '' : 'AND u.id IN (:unitIds)';
  const tenantColumn = options.withTenants
    ? `, (SELECT t.tenant_name FROM tenancies t
           WHERE t.unit_id = u.id AND t.starts_on <= :today AND (t.ends_on IS NULL OR t.ends_on >= :today)
           ORDER BY t.starts_on DESC LIMIT 1) AS "tenantName"`
    : '';
  const rows = await db().sequelize.query<Omit<UnitSummary, 'worst'> & { severity: number | null }>(
    `SELECT u.id, u.label, u.floor, u.area_m2 AS "areaM2", count(d.id)::int AS "deviceCount", ${SEVERITY_SQL} AS severity
            ${tenantColumn}
       FROM units u
       LEFT JOIN devices d ON d.unit_id = u.id AND d.removed_at IS NULL
      WHERE u.property_id = :propertyId ${unitFilter}
      GROUP BY u.id
      ORDER BY u.id`,
    { replacements: { propertyId, unitIds: scope.unitIds, today: calendarDate(new Date()) }, type: QueryTypes.SELECT },
  );
  return rows.map(({ severity, ...unit }) => ({ ...unit, worst: severity ? (LIGHT_BY_SEVERITY[severity] ?? null) : null }));
}

/** Devices of the building itself (no unit: central meters, stairwell smoke alarms). */
export async function buildingDeviceCount(propertyId: number): Promise<number> {
  const [row] = await db().sequelize.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM devices WHERE property_id = :propertyId AND unit_id IS NULL AND removed_at IS NULL',
    { replacements: { propertyId }, type: QueryTypes.SELECT },
  );
  return row?.n ?? 0;
}
