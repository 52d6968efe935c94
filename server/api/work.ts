// Tenancies, obligations and tickets in the REST API v1. A token has no person behind it, so these
// act in the name of the manager who created the token (as the device workflows file their tickets
// in a manager's name): the page's permission is checked against that user's current role, and
// the obligations and tickets come from the same server modules as /pruefung and /vorgaenge. A
// token whose creator is no longer allowed gets 403, never more than the pages would give.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { allStates, OBLIGATION_KINDS } from '../../domain/compliance/obligation-kinds';
import { parseObligationFilters, type FilterField } from '../../domain/compliance/obligation-search';
import { hasPermission, type Permission } from '../../domain/permissions';
import { isTicketTopic } from '../../domain/ticket-triage';
import { TEXT_LIMITS, normaliseText } from '../../domain/text-limits';
import { searchObligations } from '../compliance';
import { requireConfig } from '../config';
import type { SessionUser } from '../session';
import { actorOf, findTicket, openTicket, updateTicket } from '../tickets';
import { ProblemError, invalidField } from './problem';
import { limitOf, notFound, optionalId, pageOf, pageResponse, pathId, positiveInt } from './resources';
import { json, type ApiContext, type Operation } from './router';

export const OBLIGATION_KIND_KEYS = OBLIGATION_KINDS.map((kind) => kind.key);
export const OBLIGATION_STATE_VALUES = [...new Set(allStates().map((state) => state.value))];

/** The token's creator as the pages know them, if the role still holds the permission; else 403. */
async function actingUser({ db, principal }: ApiContext, permission: Permission): Promise<SessionUser> {
  const [user] = await db.sequelize.query<SessionUser>(
    `SELECT u.id, u.organisation_id AS "organisationId", o.name AS "organisationName", u.email, u.name, u.role
       FROM api_tokens t JOIN users u ON u.id = t.created_by AND u.organisation_id = t.organisation_id
       JOIN organisations o ON o.id = u.organisation_id
      WHERE t.id = $1 AND t.organisation_id = $2`,
    { bind: [principal.tokenId, principal.organisationId], type: QueryTypes.SELECT },
  );
  if (!user || !hasPermission(user, permission))
    throw new ProblemError(403, `the manager who created this token no longer holds the permission "${permission}"`, [
      { field: 'header.authorization', detail: 'the token acts with its creator’s permissions, which no longer allow this' },
    ]);
  return user;
}

// ---- tenancies ----

interface TenancyRow {
  id: number;
  unitId: number;
  propertyId: number;
  tenantName: string;
  contactEmail: string | null;
  startsOn: string;
  endsOn: string | null;
  portalAccess: boolean;
}

async function listTenancies(context: ApiContext): Promise<Response> {
  await actingUser(context, 'read:tenancy:any');
  const { db, url, principal } = context;
  const page = pageOf(url);
  const unitId = optionalId(url, 'unitId');
  const propertyId = optionalId(url, 'propertyId');
  const rows = await db.sequelize.query<TenancyRow>(
    `SELECT t.id, t.unit_id AS "unitId", u.property_id AS "propertyId", t.tenant_name AS "tenantName",
            t.contact_email AS "contactEmail", t.starts_on AS "startsOn", t.ends_on AS "endsOn", t.user_id IS NOT NULL AS "portalAccess"
       FROM tenancies t JOIN units u ON u.id = t.unit_id JOIN properties p ON p.id = u.property_id
      WHERE p.organisation_id = $1 AND t.id > $2 AND ($4::int IS NULL OR t.unit_id = $4) AND ($5::int IS NULL OR u.property_id = $5)
      ORDER BY t.id LIMIT $3`,
    { bind: [principal.organisationId, page.after, page.limit + 1, unitId, propertyId], type: QueryTypes.SELECT },
  );
  return pageResponse(rows, page);
}

// ---- obligations ----

/** The API's query names for the page's filter fields. */
const OBLIGATION_FIELDS: Readonly<Record<FilterField, string>> = {
  kind: 'query.kind',
  propertyId: 'query.propertyId',
  unit: 'query.unit',
  number: 'query.number',
  state: 'query.state',
  dueFrom: 'query.dueFrom',
  dueTo: 'query.dueTo',
  overdue: 'query.overdue',
  late: 'query.late',
  page: 'query.cursor',
};

function booleanParam(url: URL, name: string): boolean {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  throw invalidField(`query.${name}`, `expected true or false, got ${JSON.stringify(raw)}`);
}

// Temporal's page tokens are opaque and a forged one makes it fail with an internal error, so the
// cursor carries a MAC of the organisation and the token: anything else is refused before Temporal.
function cursorMac(organisationId: number, pageToken: string): Buffer {
  const key = requireConfig('SESSION_SECRET').SESSION_SECRET;
  return createHmac('sha256', key).update(`obligations:${organisationId}:${pageToken}`).digest().subarray(0, 16);
}

function obligationCursor(organisationId: number, pageToken: string): string {
  return `${pageToken}.${cursorMac(organisationId, pageToken).toString('base64url')}`;
}

/** The Temporal page token inside a cursor this API issued to the organisation; else 400. */
function pageTokenOf(organisationId: number, cursor: string | null): string | null {
  if (cursor === null) return null;
  const match = /^([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
  const mac = match?.[2] === undefined ? null : Buffer.from(match[2], 'base64url');
  if (!match?.[1] || !mac || mac.length !== 16 || !timingSafeEqual(mac, cursorMac(organisationId, match[1])))
    throw invalidField('query.cursor', 'not a cursor this API returned');
  return match[1];
}

async function listObligations(context: ApiContext): Promise<Response> {
  const user = await actingUser(context, 'read:compliance:any');
  const { url, temporal } = context;
  const limit = limitOf(url);
  const params = new URLSearchParams();
  for (const name of ['kind', 'unit', 'number', 'state', 'dueFrom', 'dueTo'])
    if (url.searchParams.has(name)) params.set(name, url.searchParams.get(name)!);
  const propertyId = optionalId(url, 'propertyId');
  if (propertyId !== null) params.set('property', String(propertyId));
  if (booleanParam(url, 'overdue')) params.set('overdue', '1');
  if (booleanParam(url, 'late')) params.set('late', '1');
  const pageToken = pageTokenOf(context.principal.organisationId, url.searchParams.get('cursor'));
  const parsed = parseObligationFilters(params);
  if (!parsed.ok) {
    const errors = Object.entries(parsed.errors).map(([field, detail]) => ({
      field: OBLIGATION_FIELDS[field as FilterField],
      detail: detail ?? '',
    }));
    throw new ProblemError(400, errors.map((e) => `${e.field}: ${e.detail}`).join(' '), errors);
  }
  const result = await searchObligations(user, parsed.filters, pageToken, { client: temporal?.client, pageSize: limit, count: false });
  if (!result)
    throw new ProblemError(404, `property ${propertyId} not found`, [
      { field: 'query.propertyId', detail: 'no such property in your organisation' },
    ]);
  return json({
    data: result.rows.map((row) => ({
      workflowId: row.workflowId,
      kind: row.kind,
      state: row.state,
      status: row.status,
      dueAt: row.dueAt,
      overdue: row.overdue,
      late: row.late,
      property: row.property,
      unit: row.unit,
      device: row.device,
      startedAt: row.startedAt,
      closedAt: row.closedAt,
    })),
    nextCursor: result.next === null ? null : obligationCursor(context.principal.organisationId, result.next),
  });
}

// ---- tickets ----

interface TicketListRow {
  id: number;
  propertyId: number;
  unitId: number | null;
  topic: string;
  category: string;
  priority: string;
  status: string;
  subject: string;
  createdAt: Date;
}

async function listTickets(context: ApiContext): Promise<Response> {
  await actingUser(context, 'read:ticket:any');
  const { db, url, principal } = context;
  const page = pageOf(url);
  const propertyId = optionalId(url, 'propertyId');
  const rows = await db.sequelize.query<TicketListRow>(
    `SELECT t.id, t.property_id AS "propertyId", t.unit_id AS "unitId", t.topic, t.category, t.priority, t.status, t.subject,
            t.created_at AS "createdAt"
       FROM tickets t WHERE t.organisation_id = $1 AND t.id > $2 AND ($4::int IS NULL OR t.property_id = $4)
      ORDER BY t.id LIMIT $3`,
    { bind: [principal.organisationId, page.after, page.limit + 1, propertyId], type: QueryTypes.SELECT },
  );
  return pageResponse(
    rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() })),
    page,
  );
}

async function ticketOf(user: SessionUser, id: number) {
  const ticket = await findTicket(user, id);
  if (!ticket) throw notFound('ticket', id);
  return {
    id: ticket.id,
    propertyId: ticket.propertyId,
    unitId: ticket.unitId,
    topic: ticket.topic,
    category: ticket.category,
    priority: ticket.priority,
    status: ticket.status,
    subject: ticket.subject,
    body: ticket.body,
    createdAt: ticket.createdAt,
    assigneeName: ticket.assigneeName,
    reactionDueAt: ticket.reactionDueAt,
    resolutionDueAt: ticket.resolutionDueAt,
    breached: ticket.sla.breached,
    timeline: ticket.timeline.map((entry) => ({
      seq: entry.seq,
      kind: entry.kind,
      at: entry.at,
      actorName: entry.actorName,
      actorRole: entry.actorRole,
      body: entry.body,
      internal: entry.internal,
    })),
  };
}

async function getTicket(context: ApiContext): Promise<Response> {
  const user = await actingUser(context, 'read:ticket:any');
  return json(await ticketOf(user, pathId(context)));
}

/** The JSON object of a request body; anything else is a 400 naming the body. */
async function bodyObject(request: Request): Promise<Record<string, unknown>> {
  let data: unknown;
  try {
    data = JSON.parse(await request.text());
  } catch {
    throw invalidField('body', 'expected a JSON object');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalidField('body', 'expected a JSON object');
  return data as Record<string, unknown>;
}

function textField(body: Record<string, unknown>, name: string, max: number): string {
  const value = body[name];
  if (typeof value !== 'string') throw invalidField(`body.${name}`, 'expected a string');
  const text = normaliseText(value).trim();
  if (text === '') throw invalidField(`body.${name}`, 'must not be empty');
  if (text.length > max) throw invalidField(`body.${name}`, `at most ${max} characters, got ${text.length}`);
  return text;
}

function idField(body: Record<string, unknown>, name: string, required: boolean): number | null {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw invalidField(`body.${name}`, 'required');
    return null;
  }
  if (typeof value !== 'number') throw invalidField(`body.${name}`, 'expected a positive integer');
  return positiveInt(String(value), `body.${name}`);
}

async function createTicket(context: ApiContext): Promise<Response> {
  const user = await actingUser(context, 'handle:ticket:any');
  const { db, temporal, principal } = context;
  const body = await bodyObject(context.request);
  const propertyId = idField(body, 'propertyId', true)!;
  const unitId = idField(body, 'unitId', false);
  const topic = body.topic;
  if (!isTicketTopic(topic)) throw invalidField('body.topic', `unknown topic ${JSON.stringify(topic)}`);
  const subject = textField(body, 'subject', TEXT_LIMITS.ticketSubject);
  const text = textField(body, 'body', TEXT_LIMITS.ticketBody);
  const [place] = await db.sequelize.query<{ unitId: number | null }>(
    `SELECT u.id AS "unitId" FROM properties p LEFT JOIN units u ON u.property_id = p.id AND u.id = $3
      WHERE p.organisation_id = $1 AND p.id = $2`,
    { bind: [principal.organisationId, propertyId, unitId], type: QueryTypes.SELECT },
  );
  if (!place)
    throw new ProblemError(404, `property ${propertyId} not found`, [
      { field: 'body.propertyId', detail: 'no such property in your organisation' },
    ]);
  if (unitId !== null && place.unitId === null)
    throw new ProblemError(404, `unit ${unitId} not found in property ${propertyId}`, [
      { field: 'body.unitId', detail: 'no such unit in this property' },
    ]);
  const { ticketId } = await openTicket(
    { organisationId: principal.organisationId, propertyId, unitId, createdBy: user.id, topic, subject, body: text },
    { db, client: temporal?.client, taskQueue: temporal?.taskQueue },
  );
  return json(await ticketOf(user, ticketId), 201, { Location: `/api/v1/tickets/${ticketId}` });
}

async function replyTicket(context: ApiContext): Promise<Response> {
  const user = await actingUser(context, 'handle:ticket:any');
  const id = pathId(context);
  const text = textField(await bodyObject(context.request), 'text', TEXT_LIMITS.ticketMessage);
  if (!(await findTicket(user, id))) throw notFound('ticket', id);
  const outcome = await updateTicket(
    id,
    'reply',
    { actor: actorOf(user), text },
    { db: context.db, client: context.temporal?.client, taskQueue: context.temporal?.taskQueue },
  );
  if (!outcome.ok) throw new ProblemError(409, outcome.message);
  return json(await ticketOf(user, id));
}

export const workOperations: Operation[] = [
  { method: 'GET', path: '/tenancies', scope: 'read', handle: listTenancies },
  { method: 'GET', path: '/obligations', scope: 'read', handle: listObligations },
  { method: 'GET', path: '/tickets', scope: 'read', handle: listTickets },
  { method: 'GET', path: '/tickets/{id}', scope: 'read', handle: getTicket },
  { method: 'POST', path: '/tickets', scope: 'tickets:write', handle: createTicket },
  { method: 'POST', path: '/tickets/{id}/replies', scope: 'tickets:write', handle: replyTicket },
];
