// Device queries, always within a user's scope: the register (one page query + the counts per
// light), its CSV export, a device's detail and its exchange history.
import { QueryTypes } from 'sequelize';
import { db } from './db';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import { CALIBRATION_YEARS, isCalibratedType, type DeviceType, type Light } from '../domain/deadlines';
import { deadlineKindLabel, deviceTypeLabel, formatDate, lightLabel, radioLabel } from '../domain/format';
import { emptyLightCounts, type LightCounts } from '../domain/lights';
import { LiveCache } from './live-cache';
import { PAGE_SIZE, type RegisterFilters } from '../domain/register-filters';
import { deviceScopeSql, scopeIsEmpty, type Scope } from './permissions';
import type { SessionUser } from './session';

export interface DeviceRow {
  id: number;
  serial: string;
  type: DeviceType;
  location: string | null;
  propertyId: number;
  propertyName: string;
  unitId: number | null;
  unitLabel: string | null;
  installedAt: string;
  /** MessEV §34(2): year of calibration or first marking; null for a meter where it is not known. */
  calibratedYear: number | null;
  deadlineKind: string | null;
  dueAt: string | null;
  batteryPercent: number | null;
  radioStatus: string;
  light: Light | null;
}

const ROW_COLUMNS = `
  d.id, d.serial, d.type, d.location, d.property_id AS "propertyId", p.name AS "propertyName",
  d.unit_id AS "unitId", u.label AS "unitLabel", d.installed_at AS "installedAt", d.calibrated_year AS "calibratedYear",
  d.deadline_kind AS "deadlineKind", d.due_at AS "dueAt", d.battery_percent AS "batteryPercent",
  d.radio_status AS "radioStatus", d.light`;

const ROW_FROM = `
  FROM devices d
  JOIN properties p ON p.id = d.property_id
  LEFT JOIN units u ON u.id = d.unit_id`;

/** Register order: the most pressing deadline first; id keeps pages stable between equal dates. */
const ROW_ORDER = 'ORDER BY d.due_at ASC NULLS LAST, d.id ASC';

/** The meter types with a calibration validity (MessEV), as an SQL list of literals. */
const CALIBRATED_TYPES_SQL = `(${Object.keys(CALIBRATION_YEARS)
  .map((type) => `'${type}'`)
  .join(', ')})`;

/** Installed devices in scope matching the filters; the light filter is optional so counts can span all lights. */
function registerWhere(scope: Scope, filters: RegisterFilters, withLight: boolean) {
  const scoped = deviceScopeSql(scope);
  const conditions = ['d.removed_at IS NULL', scoped.sql];
  const replacements: Record<string, unknown> = { ...scoped.replacements };
  if (filters.propertyId) {
    conditions.push('d.property_id = :propertyId');
    replacements.propertyId = filters.propertyId;
  }
  if (filters.type) {
    conditions.push('d.type = :type');
    replacements.type = filters.type;
  }
  if (filters.calibrationYearUnknown) conditions.push(`d.calibrated_year IS NULL AND d.type IN ${CALIBRATED_TYPES_SQL}`);
  if (withLight && filters.light) {
    conditions.push('d.light = :light');
    replacements.light = filters.light;
  }
  if (filters.serial) {
    // Prefix match on the upper-cased serial (index devices_serial_prefix_idx); LIKE's wildcards are literal here.
    conditions.push(`upper(d.serial) LIKE :serialPrefix ESCAPE '\\'`);
    replacements.serialPrefix = `${filters.serial.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  return { sql: `WHERE ${conditions.join(' AND ')}`, replacements };
}

/**
 * Installed devices per light from device_light_counts (kept by triggers in the same transaction
 * as every device change): a few hundred rows instead of a scan of every device in scope.
 */
export async function aggregatedLightCounts(propertyIds: readonly number[], type: DeviceType | null = null): Promise<LightCounts> {
  const counts = emptyLightCounts();
  if (propertyIds.length === 0) return counts;
  const rows = await db().sequelize.query<{ light: Light | 'unknown'; n: number }>(
    `SELECT light, sum(devices)::int AS n FROM device_light_counts
      WHERE property_id = ANY($1::int[]) AND ($2::text IS NULL OR type = $2) GROUP BY light`,
    { bind: [propertyIds, type], type: QueryTypes.SELECT },
  );
  for (const { light, n } of rows) counts[light] += n;
  return counts;
}

interface RegisterCounts {
  counts: LightCounts;
  calibrationYearUnknown: number;
}

/** Light counts per scope and filter; see LiveCache for why they may be cached. */
const countsCache = new LiveCache<RegisterCounts>(10_000);

/** Per light, and the meters whose calibration year is unknown, in the same scan. */
async function lightCounts(scope: Scope, filters: RegisterFilters): Promise<RegisterCounts> {
  const where = registerWhere(scope, filters, false);
  const key = JSON.stringify([
    scope.propertyIds,
    scope.unitIds,
    filters.propertyId,
    filters.type,
    filters.calibrationYearUnknown === true,
    filters.serial,
  ]);
  return countsCache.get(key, async () => {
    if (scope.unitIds === null && !filters.serial && !filters.calibrationYearUnknown) return keptCounts(scope, filters);
    const grouped = await db().sequelize.query<{ light: Light | null; n: number; unknownYear: number }>(
      `SELECT d.light, count(*)::int AS n,
              count(*) FILTER (WHERE d.calibrated_year IS NULL AND d.type IN ${CALIBRATED_TYPES_SQL})::int AS "unknownYear"
         FROM devices d ${where.sql} GROUP BY d.light`,
      { replacements: where.replacements, type: QueryTypes.SELECT },
    );
    const counts = emptyLightCounts();
    let calibrationYearUnknown = 0;
    for (const { light, n, unknownYear } of grouped) {
      counts[light ?? 'unknown'] += n;
      calibrationYearUnknown += unknownYear;
    }
    return { counts, calibrationYearUnknown };
  });
}

/**
 * The same counts without a scan, for filters the kept counts can answer (whole properties, a type):
 * the lights from device_light_counts, the unknown calibration years from their partial index
 * (devices_unknown_calibration_year_idx).
 */
async function keptCounts(scope: Scope, filters: RegisterFilters): Promise<RegisterCounts> {
  const propertyIds = filters.propertyId ? scope.propertyIds.filter((id) => id === filters.propertyId) : scope.propertyIds;
  if (propertyIds.length === 0) return { counts: emptyLightCounts(), calibrationYearUnknown: 0 };
  const [counts, [unknown]] = await Promise.all([
    aggregatedLightCounts(propertyIds, filters.type),
    db().sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM devices d
        WHERE d.property_id = ANY($1::int[]) AND ($2::text IS NULL OR d.type = $2)
          AND d.removed_at IS NULL AND d.calibrated_year IS NULL AND d.type IN ${CALIBRATED_TYPES_SQL}`,
      { bind: [propertyIds, filters.type], type: QueryTypes.SELECT },
    ),
  ]);
  return { counts, calibrationYearUnknown: unknown?.n ?? 0 };
}

export interface RegisterPage {
  rows: DeviceRow[];
  /** Matching devices per light, ignoring the light filter (so the summary shows all three). */
  counts: LightCounts;
  /** Meters matching the filters (any light) whose calibration year the register does not know. */
  calibrationYearUnknown: number;
  total: number;
  page: number;
  pageCount: number;
}

export async function registerPage(scope: Scope, filters: RegisterFilters): Promise<RegisterPage> {
  if (scopeIsEmpty(scope)) return { rows: [], counts: emptyLightCounts(), calibrationYearUnknown: 0, total: 0, page: 1, pageCount: 1 };
  const rowsWhere = registerWhere(scope, filters, true);
  const [rows, { counts, calibrationYearUnknown }] = await Promise.all([
    db().sequelize.query<DeviceRow>(`SELECT ${ROW_COLUMNS} ${ROW_FROM} ${rowsWhere.sql} ${ROW_ORDER} LIMIT :limit OFFSET :offset`, {
      replacements: { ...rowsWhere.replacements, limit: PAGE_SIZE, offset: (filters.page - 1) * PAGE_SIZE },
      type: QueryTypes.SELECT,
    }),
    lightCounts(scope, filters),
  ]);
  const total = filters.light ? counts[filters.light] : counts.red + counts.yellow + counts.green + counts.unknown;
  return { rows, counts, calibrationYearUnknown, total, page: filters.page, pageCount: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}

// ---- CSV export ----

const CSV_HEADER = [
  'Seriennummer',
  'Gerätetyp',
  'Liegenschaft',
  'Wohneinheit',
  'Einbauort',
  'Eingebaut am',
  'Eichjahr',
  'Frist',
  'Fällig am',
  'Batterie (%)',
  'Funk',
  'Ampel',
];

/**
 * One CSV field for German Excel: quoted when needed, and a leading = + - @ neutralised so that
 * a serial number from an import cannot become a formula.
 */
function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function devicesToCsv(rows: DeviceRow[]): string {
  const lines = [
    CSV_HEADER,
    ...rows.map((row) => [
      row.serial,
      deviceTypeLabel(row.type),
      row.propertyName,
      row.unitLabel ?? 'Gebäude',
      row.location,
      formatDate(row.installedAt),
      isCalibratedType(row.type) ? (row.calibratedYear ?? 'unbekannt') : null,
      deadlineKindLabel(row.deadlineKind),
      formatDate(row.dueAt),
      row.batteryPercent,
      radioLabel(row.radioStatus),
      lightLabel(row.light),
    ]),
  ];
  // UTF-8 BOM and semicolons: what Excel in a German locale opens correctly by double-click.
  return `\uFEFF${lines.map((line) => line.map(csvField).join(';')).join('\r\n')}\r\n`;
}

/** All devices matching the filters (no paging), in register order. */
export async function registerRows(scope: Scope, filters: RegisterFilters): Promise<DeviceRow[]> {
  if (scopeIsEmpty(scope)) return [];
  const where = registerWhere(scope, filters, true);
  return db().sequelize.query<DeviceRow>(`SELECT ${ROW_COLUMNS} ${ROW_FROM} ${where.sql} ${ROW_ORDER}`, {
    replacements: where.replacements,
    type: QueryTypes.SELECT,
  });
}

export interface ReportRow extends DeviceRow {
  calibratedYear: number | null;
  lastInspectionAt: string | null;
}

/**
 * The register's devices for its printed report, in register order (by property for the report's
 * sections): at most `limit` + 1 rows, so the caller can tell that the filter matched too many.
 */
export async function registerReportRows(scope: Scope, filters: RegisterFilters, limit: number): Promise<ReportRow[]> {
  if (scopeIsEmpty(scope)) return [];
  const where = registerWhere(scope, filters, true);
  return db().sequelize.query<ReportRow>(
    `SELECT ${ROW_COLUMNS}, d.calibrated_year AS "calibratedYear", d.last_inspection_at AS "lastInspectionAt"
       ${ROW_FROM} ${where.sql}
      ORDER BY p.name, p.id, d.due_at ASC NULLS LAST, d.id ASC
      LIMIT :limit`,
    { replacements: { ...where.replacements, limit: limit + 1 }, type: QueryTypes.SELECT },
  );
}

// ---- One device ----

export interface DeviceDetail extends DeviceRow {
  propertyStreet: string;
  propertyPostalCode: string;
  propertyCity: string;
  unitFloor: string | null;
  lastInspectionAt: string | null;
  remoteReadable: boolean;
  lastReadingAt: Date | null;
  lastReadingValue: string | null;
  lightChangedAt: Date | null;
  removedAt: string | null;
  predecessorId: number | null;
  successorId: number | null;
}

/** The device if the scope covers it, else null (the caller answers 404). */
export async function findDevice(scope: Scope, id: number): Promise<DeviceDetail | null> {
  if (scopeIsEmpty(scope)) return null;
  const scoped = deviceScopeSql(scope);
  const [row] = await db().sequelize.query<DeviceDetail>(
    `SELECT ${ROW_COLUMNS},
            p.street AS "propertyStreet", p.postal_code AS "propertyPostalCode", p.city AS "propertyCity",
            u.floor AS "unitFloor", d.last_inspection_at AS "lastInspectionAt",
            d.remote_readable AS "remoteReadable", d.last_reading_at AS "lastReadingAt",
            d.last_reading_value AS "lastReadingValue",
            -- A light written with the row (seed, import) has held since the row was written.
            CASE WHEN d.light IS NULL THEN NULL ELSE coalesce(d.light_changed_at, d.created_at) END AS "lightChangedAt",
            d.removed_at AS "removedAt", d.predecessor_id AS "predecessorId", d.successor_id AS "successorId"
       ${ROW_FROM}
      WHERE d.id = :id AND ${scoped.sql}`,
    { replacements: { ...scoped.replacements, id }, type: QueryTypes.SELECT },
  );
  return row ?? null;
}

export interface ExchangeStep {
  id: number;
  serial: string;
  type: DeviceType;
  installedAt: string;
  removedAt: string | null;
  calibratedYear: number | null;
  /** Negative: predecessors (older), 0: this device, positive: successors. */
  position: number;
}

/** Longer chains than this are a data error; the walk stops instead of looping. */
const MAX_CHAIN = 50;

/** The exchange chain through a device: predecessors and successors, oldest first, within scope. */
export async function exchangeHistory(scope: Scope, id: number): Promise<ExchangeStep[]> {
  if (scopeIsEmpty(scope)) return [];
  const scoped = deviceScopeSql(scope);
  return db().sequelize.query<ExchangeStep>(
    `WITH RECURSIVE
       older(id, next_id, position) AS (
         SELECT id, predecessor_id, 0 FROM devices WHERE id = :id
         UNION ALL
         SELECT d.id, d.predecessor_id, o.position - 1 FROM devices d JOIN older o ON d.id = o.next_id WHERE o.position > :minPosition
       ),
       newer(id, next_id, position) AS (
         SELECT id, successor_id, 0 FROM devices WHERE id = :id
         UNION ALL
         SELECT d.id, d.successor_id, n.position + 1 FROM devices d JOIN newer n ON d.id = n.next_id WHERE n.position < :maxChain
       ),
       chain AS (SELECT id, position FROM older UNION SELECT id, position FROM newer)
     SELECT d.id, d.serial, d.type, d.installed_at AS "installedAt", d.removed_at AS "removedAt",
            d.calibrated_year AS "calibratedYear", chain.position
       FROM chain JOIN devices d ON d.id = chain.id
      WHERE ${scoped.sql}
      ORDER BY chain.position`,
    { replacements: { ...scoped.replacements, id, maxChain: MAX_CHAIN, minPosition: -MAX_CHAIN }, type: QueryTypes.SELECT },
  );
}

/** The installed devices of the given units (the tenant's page). */
export async function unitDevices(scope: Scope): Promise<DeviceRow[]> {
  if (scopeIsEmpty(scope)) return [];
  const scoped = deviceScopeSql(scope);
  return db().sequelize.query<DeviceRow>(
    `SELECT ${ROW_COLUMNS} ${ROW_FROM} WHERE d.removed_at IS NULL AND d.unit_id IS NOT NULL AND ${scoped.sql}
      ORDER BY d.unit_id, d.type, d.location, d.id`,
    { replacements: scoped.replacements, type: QueryTypes.SELECT },
  );
}

/** The CSV download of the register (both /geraete.csv and /geraete?format=csv lead here); exports are audited. */
export async function registerCsvResponse(input: {
  user: SessionUser;
  scope: Scope;
  filters: RegisterFilters;
  ip: string | null;
}): Promise<Response> {
  const rows = await registerRows(input.scope, input.filters);
  await appendAudit(db(), {
    organisationId: input.user.organisationId,
    actorId: input.user.id,
    actor: input.user.email,
    action: 'export',
    entity: 'device',
    ip: input.ip,
    details: { format: 'csv', rows: rows.length, filters: { ...input.filters, page: undefined } },
  });
  return new Response(devicesToCsv(rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="geraeteregister-${calendarDate(new Date())}.csv"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
