// Read operations of the REST API v1 (scope `read`): properties, units, devices with their deadline
// and light, readings, statements. Every query is scoped by the token's organisation, so another
// customer's object is simply not found (404), as on the pages. Lists use cursor pagination over
// ids: `limit` (1–200, default 50) and the opaque `cursor` of the previous page's `nextCursor`.
import { QueryTypes } from 'sequelize';
import { ProblemError, invalidField } from './problem';
import { json, type ApiContext, type Operation } from './router';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
const MAX_ID = 2_147_483_647;

export function positiveInt(raw: string, field: string): number {
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > MAX_ID)
    throw invalidField(field, `expected a positive integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function optionalId(url: URL, name: string): number | null {
  const raw = url.searchParams.get(name);
  return raw === null ? null : positiveInt(raw, `query.${name}`);
}

export function pathId(context: ApiContext): number {
  return positiveInt(context.params.id ?? '', 'path.id');
}

export interface Page {
  limit: number;
  after: number;
}

/** The `limit` parameter: 1–MAX_LIMIT, DEFAULT_LIMIT when absent. */
export function limitOf(url: URL): number {
  const rawLimit = url.searchParams.get('limit');
  if (rawLimit === null) return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT)
    throw invalidField('query.limit', `expected an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(rawLimit)}`);
  return Number(rawLimit);
}

export function pageOf(url: URL): Page {
  const limit = limitOf(url);
  const cursor = url.searchParams.get('cursor');
  if (cursor === null) return { limit, after: 0 };
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^id:(\d{1,10})$/.exec(decoded);
  if (!match?.[1] || Number(match[1]) > MAX_ID) throw invalidField('query.cursor', 'not a cursor this API returned');
  return { limit, after: Number(match[1]) };
}

export function pageResponse<T extends { id: number }>(rows: T[], page: Page): Response {
  const more = rows.length > page.limit;
  const data = more ? rows.slice(0, page.limit) : rows;
  const last = data.at(-1);
  return json({ data, nextCursor: more && last ? Buffer.from(`id:${last.id}`).toString('base64url') : null });
}

export function notFound(what: string, id: number): ProblemError {
  return new ProblemError(404, `${what} ${id} not found`, [{ field: 'path.id', detail: 'no such object in your organisation' }]);
}

const num = (value: string | number | null) => (value === null ? null : Number(value));
const isoDay = (value: string | null) => value;

// ---- properties ----

const PROPERTY_COLUMNS = `p.id, p.name, p.street, p.postal_code AS "postalCode", p.city, p.federal_state AS "federalState"`;

async function listProperties({ db, url, principal }: ApiContext): Promise<Response> {
  const page = pageOf(url);
  const rows = await db.sequelize.query<{ id: number }>(
    `SELECT ${PROPERTY_COLUMNS} FROM properties p WHERE p.organisation_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3`,
    { bind: [principal.organisationId, page.after, page.limit + 1], type: QueryTypes.SELECT },
  );
  return pageResponse(rows, page);
}

async function getProperty(context: ApiContext): Promise<Response> {
  const id = pathId(context);
  const [row] = await context.db.sequelize.query(
    `SELECT ${PROPERTY_COLUMNS} FROM properties p WHERE p.organisation_id = $1 AND p.id = $2`,
    {
      bind: [context.principal.organisationId, id],
      type: QueryTypes.SELECT,
    },
  );
  if (!row) throw notFound('property', id);
  return json(row);
}

// ---- units ----

interface UnitRow {
  id: number;
  propertyId: number;
  label: string;
  floor: string | null;
  areaM2: string;
}

const unitOut = (u: UnitRow) => ({ ...u, areaM2: Number(u.areaM2) });

async function listUnits({ db, url, principal }: ApiContext): Promise<Response> {
  const page = pageOf(url);
  const propertyId = optionalId(url, 'propertyId');
  const rows = await db.sequelize.query<UnitRow>(
    `SELECT u.id, u.property_id AS "propertyId", u.label, u.floor, u.area_m2 AS "areaM2"
       FROM units u JOIN properties p ON p.id = u.property_id
      WHERE p.organisation_id = $1 AND u.id > $2 AND ($4::int IS NULL OR u.property_id = $4)
      ORDER BY u.id LIMIT $3`,
    { bind: [principal.organisationId, page.after, page.limit + 1, propertyId], type: QueryTypes.SELECT },
  );
  return pageResponse(rows.map(unitOut), page);
}

// ---- devices ----

interface DeviceRow {
  id: number;
  propertyId: number;
  unitId: number | null;
  type: string;
  serial: string;
  location: string | null;
  installedAt: string;
  calibratedYear: number | null;
  removedAt: string | null;
  deadlineKind: string | null;
  dueAt: string | null;
  light: string | null;
  lastReadingAt: Date | null;
  lastReadingValue: string | null;
  reportedStatus: string | null;
}

const DEVICE_COLUMNS = `d.id, d.property_id AS "propertyId", d.unit_id AS "unitId", d.type, d.serial, d.location,
  d.installed_at AS "installedAt", d.calibrated_year AS "calibratedYear", d.removed_at AS "removedAt",
  d.deadline_kind AS "deadlineKind", d.due_at AS "dueAt", d.light, d.last_reading_at AS "lastReadingAt",
  d.last_reading_value AS "lastReadingValue", d.reported_status AS "reportedStatus"`;

const deviceOut = (d: DeviceRow) => ({
  ...d,
  installedAt: isoDay(d.installedAt),
  lastReadingAt: d.lastReadingAt === null ? null : new Date(d.lastReadingAt).toISOString(),
  lastReadingValue: num(d.lastReadingValue),
});

async function listDevices({ db, url, principal }: ApiContext): Promise<Response> {
  const page = pageOf(url);
  const propertyId = optionalId(url, 'propertyId');
  const unitId = optionalId(url, 'unitId');
  const rows = await db.sequelize.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} FROM devices d JOIN properties p ON p.id = d.property_id
      WHERE p.organisation_id = $1 AND d.id > $2 AND ($4::int IS NULL OR d.property_id = $4) AND ($5::int IS NULL OR d.unit_id = $5)
      ORDER BY d.id LIMIT $3`,
    { bind: [principal.organisationId, page.after, page.limit + 1, propertyId, unitId], type: QueryTypes.SELECT },
  );
  return pageResponse(rows.map(deviceOut), page);
}

async function getDevice(context: ApiContext): Promise<Response> {
  const id = pathId(context);
  const [row] = await context.db.sequelize.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} FROM devices d JOIN properties p ON p.id = d.property_id WHERE p.organisation_id = $1 AND d.id = $2`,
    { bind: [context.principal.organisationId, id], type: QueryTypes.SELECT },
  );
  if (!row) throw notFound('device', id);
  return json(deviceOut(row));
}

// ---- readings ----

interface ReadingRow {
  id: number;
  deviceId: number;
  readAt: Date;
  value: string;
  unit: string;
  setDateValue: string | null;
  source: string;
}

async function listReadings({ db, url, principal }: ApiContext): Promise<Response> {
  const page = pageOf(url);
  const deviceId = optionalId(url, 'deviceId');
  const rows = await db.sequelize.query<ReadingRow>(
    `SELECT r.id::int AS id, r.device_id AS "deviceId", r.read_at AS "readAt", r.value, r.unit, r.set_date_value AS "setDateValue", r.source
       FROM readings r JOIN devices d ON d.id = r.device_id JOIN properties p ON p.id = d.property_id
      WHERE p.organisation_id = $1 AND r.id > $2 AND ($4::int IS NULL OR r.device_id = $4)
      ORDER BY r.id LIMIT $3`,
    { bind: [principal.organisationId, page.after, page.limit + 1, deviceId], type: QueryTypes.SELECT },
  );
  return pageResponse(
    rows.map((r) => ({ ...r, readAt: new Date(r.readAt).toISOString(), value: Number(r.value), setDateValue: num(r.setDateValue) })),
    page,
  );
}

// ---- statements ----

const STATEMENT_COLUMNS = `s.id, s.property_id AS "propertyId", s.period_start AS "periodStart", s.period_end AS "periodEnd",
  s.version, s.status, s.document_number AS "documentNumber", s.status_changed_at AS "statusChangedAt"`;

interface StatementRow {
  id: number;
  statusChangedAt: Date | null;
}

const statementOut = (s: StatementRow) => ({
  ...s,
  statusChangedAt: s.statusChangedAt === null ? null : new Date(s.statusChangedAt).toISOString(),
});

async function listStatements({ db, url, principal }: ApiContext): Promise<Response> {
  const page = pageOf(url);
  const propertyId = optionalId(url, 'propertyId');
  const rows = await db.sequelize.query<StatementRow>(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN properties p ON p.id = s.property_id
      WHERE p.organisation_id = $1 AND s.id > $2 AND ($4::int IS NULL OR s.property_id = $4)
      ORDER BY s.id LIMIT $3`,
    { bind: [principal.organisationId, page.after, page.limit + 1, propertyId], type: QueryTypes.SELECT },
  );
  return pageResponse(rows.map(statementOut), page);
}

async function getStatement(context: ApiContext): Promise<Response> {
  const id = pathId(context);
  const [row] = await context.db.sequelize.query<StatementRow>(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN properties p ON p.id = s.property_id WHERE p.organisation_id = $1 AND s.id = $2`,
    { bind: [context.principal.organisationId, id], type: QueryTypes.SELECT },
  );
  if (!row) throw notFound('statement', id);
  return json(statementOut(row));
}

export const resourceOperations: Operation[] = [
  { method: 'GET', path: '/properties', scope: 'read', handle: listProperties },
  { method: 'GET', path: '/properties/{id}', scope: 'read', handle: getProperty },
  { method: 'GET', path: '/units', scope: 'read', handle: listUnits },
  { method: 'GET', path: '/devices', scope: 'read', handle: listDevices },
  { method: 'GET', path: '/devices/{id}', scope: 'read', handle: getDevice },
  { method: 'GET', path: '/readings', scope: 'read', handle: listReadings },
  { method: 'GET', path: '/statements', scope: 'read', handle: listStatements },
  { method: 'GET', path: '/statements/{id}', scope: 'read', handle: getStatement },
];
