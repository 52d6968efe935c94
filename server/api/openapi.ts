// The OpenAPI 3.1 document of the REST API v1, served at /api/v1/openapi.json. Written out by hand
// beside the operations; a test fails when an operation of the router is missing here or the
// other way round, and schemathesis checks the running server against it.
import { API_SCOPES } from '../../domain/api-tokens';
import { MAX_TELEGRAMS_PER_BATCH } from '../gateway-ingest';
import { TICKET_STATUSES } from '../../domain/contracts/ticket';
import { TICKET_CATEGORIES, TICKET_PRIORITIES } from '../../domain/sla';
import { TICKET_TOPICS } from '../../domain/ticket-triage';
import { TEXT_LIMITS } from '../../domain/text-limits';
import { DEFAULT_LIMIT, MAX_LIMIT } from './resources';
import { OBLIGATION_KIND_KEYS, OBLIGATION_STATE_VALUES } from './work';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string, extra: Json = {}) => ({ type: [type, 'null'], ...extra });
const DATE = { type: 'string', format: 'date' };
const DATE_TIME = { type: 'string', format: 'date-time' };
const ID = { type: 'integer', minimum: 1 };

function object(properties: Record<string, unknown>, required = Object.keys(properties)): Json {
  return { type: 'object', properties, required, additionalProperties: false };
}

function page(item: string): Json {
  return object({ data: { type: 'array', items: ref(item) }, nextCursor: nullable('string') });
}

/** What a ticket's summary and its full view share. */
const ticketFields = {
  id: ID,
  propertyId: ID,
  unitId: nullable('integer'),
  topic: { enum: Object.keys(TICKET_TOPICS) },
  category: { enum: [...TICKET_CATEGORIES] },
  priority: { enum: [...TICKET_PRIORITIES] },
  status: { enum: [...TICKET_STATUSES] },
  subject: { type: 'string' },
};

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });

const TOO_MANY_REQUESTS = {
  ...problemResponse("The token's rate limit is used up"),
  headers: { 'Retry-After': { description: 'Seconds until the next request is allowed', schema: { type: 'integer', minimum: 1 } } },
};

const STANDARD_ERRORS = {
  '400': problemResponse('A parameter is invalid; `errors` names it'),
  '401': problemResponse('No valid API token'),
  '403': problemResponse('The token lacks the scope'),
  '429': TOO_MANY_REQUESTS,
};

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 2147483647 } };
const filter = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
});
const pageParameters = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
  { name: 'cursor', in: 'query', required: false, description: 'The `nextCursor` of the previous page', schema: { type: 'string' } },
];

function list(summary: string, item: string, filters: Json[] = [], extraResponses: Json = {}): Json {
  return {
    get: {
      summary,
      security: [{ bearer: ['read'] }],
      parameters: [...filters, ...pageParameters],
      responses: {
        '200': { description: 'One page', content: { 'application/json': { schema: page(item) } } },
        ...STANDARD_ERRORS,
        ...extraResponses,
      },
    },
  };
}

const jsonBody = (schema: Json) => ({ required: true, content: { 'application/json': { schema } } });

/** A POST about tickets: acts in the name of the token's creator (scope tickets:write). */
function ticketWrite(summary: string, status: '200' | '201', body: Json, parameters: Json[] = []): Json {
  return {
    post: {
      summary,
      description: 'Acts in the name of the manager who created the token; 403 when that manager may no longer handle tickets.',
      security: [{ bearer: ['tickets:write'] }],
      parameters,
      requestBody: jsonBody(body),
      responses: {
        [status]: { description: 'The ticket with its history', content: { 'application/json': { schema: ref('Ticket') } } },
        ...STANDARD_ERRORS,
        '404': problemResponse('Not found in your organisation'),
        '409': problemResponse('The ticket refuses the change (e.g. closed); `detail` says why'),
        '503': problemResponse('The workflow engine is unavailable; retry later'),
      },
    },
  };
}

function single(summary: string, item: string): Json {
  return {
    get: {
      summary,
      security: [{ bearer: ['read'] }],
      parameters: [idParameter],
      responses: {
        '200': { description: summary, content: { 'application/json': { schema: ref(item) } } },
        ...STANDARD_ERRORS,
        '404': problemResponse('Not found in your organisation'),
      },
    },
  };
}

const problem = (field: boolean) => ({
  index: { type: 'integer', minimum: 0 },
  ...(field ? { serial: { type: 'string' }, field: { type: 'string' } } : {}),
  reason: { type: 'string' },
});

export function openApiDocument(serverUrl = '/api/v1'): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Klarmeter API',
      version: '1.0.0',
      description:
        'Properties, units, devices with their deadlines and lights, readings and statements of one organisation, and the endpoint radio gateways push wmbusmeters telegrams to. Authenticate with `Authorization: Bearer km_…` (a token a manager creates under Einstellungen → API-Schlüssel). Errors are RFC 9457 problem details naming the field. Each token may make a number of requests per minute (a token bucket; the installation’s default unless the token sets its own): beyond it the answer is 429 with `Retry-After` in seconds.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: `Scopes: ${Object.keys(API_SCOPES).join(', ')}` },
      },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: object({ field: { type: 'string' }, detail: { type: 'string' } }) },
          },
          required: ['type', 'title', 'status'],
        },
        Token: object({ id: ID, organisationId: ID, scopes: { type: 'array', items: { enum: Object.keys(API_SCOPES) } } }),
        Property: object({
          id: ID,
          name: { type: 'string' },
          street: { type: 'string' },
          postalCode: { type: 'string' },
          city: { type: 'string' },
          federalState: { type: 'string' },
        }),
        Unit: object({ id: ID, propertyId: ID, label: { type: 'string' }, floor: nullable('string'), areaM2: { type: 'number' } }),
        Device: object({
          id: ID,
          propertyId: ID,
          unitId: nullable('integer'),
          type: { enum: ['HKV', 'WZ-K', 'WZ-W', 'WMZ', 'GZ', 'RWM'] },
          serial: { type: 'string' },
          location: nullable('string'),
          installedAt: DATE,
          calibratedYear: nullable('integer'),
          removedAt: nullable('string', { format: 'date' }),
          deadlineKind: nullable('string'),
          dueAt: nullable('string', { format: 'date' }),
          light: { enum: ['green', 'yellow', 'red', null] },
          lastReadingAt: nullable('string', { format: 'date-time' }),
          lastReadingValue: nullable('number'),
          reportedStatus: nullable('string', { description: '"ok" or the status the device last reported by radio' }),
        }),
        Reading: object({
          id: ID,
          deviceId: ID,
          readAt: DATE_TIME,
          value: { type: 'number' },
          unit: { type: 'string' },
          setDateValue: nullable('number'),
          source: { enum: ['radio', 'manual', 'import', 'estimate'] },
        }),
        Statement: object({
          id: ID,
          propertyId: ID,
          periodStart: DATE,
          periodEnd: DATE,
          version: { type: 'integer', minimum: 1 },
          status: { enum: ['draft', 'approved', 'delivered', 'final', 'superseded'] },
          documentNumber: { type: 'string' },
          statusChangedAt: nullable('string', { format: 'date-time' }),
        }),
        Tenancy: object({
          id: ID,
          unitId: ID,
          propertyId: ID,
          tenantName: { type: 'string' },
          contactEmail: nullable('string'),
          startsOn: DATE,
          endsOn: nullable('string', { format: 'date' }),
          portalAccess: { type: 'boolean', description: 'The tenant has a portal account' },
        }),
        Obligation: object({
          workflowId: { type: 'string' },
          kind: { type: 'string', description: 'German label, as on the compliance desk' },
          state: { type: 'string', description: 'German label of the obligation’s state' },
          status: { type: 'string', description: 'The workflow’s status: Running, Completed, …' },
          dueAt: nullable('string'),
          overdue: { type: 'boolean' },
          late: { type: 'boolean', description: 'Done, but after its deadline' },
          property: { type: 'string' },
          unit: nullable('string'),
          device: nullable('string'),
          startedAt: nullable('string', { format: 'date-time' }),
          closedAt: nullable('string', { format: 'date-time' }),
        }),
        TicketSummary: object({ ...ticketFields, createdAt: DATE_TIME }),
        Ticket: object({
          ...ticketFields,
          body: { type: 'string' },
          createdAt: DATE_TIME,
          assigneeName: nullable('string'),
          reactionDueAt: nullable('string', { format: 'date-time' }),
          resolutionDueAt: nullable('string', { format: 'date-time' }),
          breached: { type: 'boolean' },
          timeline: {
            type: 'array',
            items: object({
              seq: { type: 'integer', minimum: 1 },
              kind: { type: 'string' },
              at: DATE_TIME,
              actorName: { type: 'string' },
              actorRole: { type: 'string' },
              body: nullable('string'),
              internal: { type: 'boolean' },
            }),
          },
        }),
        Telegram: {
          type: 'object',
          description: 'One telegram as wmbusmeters prints it (format=json); mapped as shared/READINGS.md describes',
          properties: {
            media: { type: 'string' },
            id: { type: ['string', 'number'] },
            timestamp: { type: 'string' },
            status: { type: 'string' },
          },
          additionalProperties: true,
        },
        IngestReport: object({
          received: { type: 'integer', minimum: 0 },
          accepted: { type: 'integer', minimum: 0 },
          duplicates: { type: 'integer', minimum: 0 },
          skipped: { type: 'array', items: object(problem(false)) },
          errors: { type: 'array', items: object(problem(true), ['index', 'reason']) },
          workflows: object({ signalled: { type: 'integer' }, ended: { type: 'integer' }, unsent: { type: 'integer' } }),
        }),
      },
    },
    paths: {
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/docs': {
        get: {
          summary: 'This document as a readable page',
          security: [],
          responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
      '/token': {
        get: {
          summary: 'The calling token',
          security: [{ bearer: [] }],
          responses: {
            '200': { description: 'The token', content: { 'application/json': { schema: ref('Token') } } },
            '401': STANDARD_ERRORS['401'],
            '429': TOO_MANY_REQUESTS,
          },
        },
      },
      '/properties': list('Properties', 'Property'),
      '/properties/{id}': single('A property', 'Property'),
      '/units': list('Units', 'Unit', [filter('propertyId', 'Only units of this property')]),
      '/devices': list('Devices with their deadline and light', 'Device', [
        filter('propertyId', 'Only this property'),
        filter('unitId', 'Only this unit'),
      ]),
      '/devices/{id}': single('A device', 'Device'),
      '/readings': list('Readings, oldest stored first', 'Reading', [filter('deviceId', 'Only this device')]),
      '/statements': list('Statements (all versions)', 'Statement', [filter('propertyId', 'Only this property')]),
      '/statements/{id}': single('A statement', 'Statement'),
      '/tenancies': list('Tenancies (Mietverhältnisse), running and ended', 'Tenancy', [
        filter('propertyId', 'Only this property'),
        filter('unitId', 'Only this unit'),
      ]),
      '/obligations': {
        get: {
          summary: 'Obligations and their states, as the compliance desk (/pruefung) lists them; newest start first',
          security: [{ bearer: ['read'] }],
          parameters: [
            { name: 'kind', in: 'query', required: false, schema: { enum: OBLIGATION_KIND_KEYS } },
            { name: 'state', in: 'query', required: false, schema: { enum: OBLIGATION_STATE_VALUES } },
            filter('propertyId', 'Only this property'),
            { name: 'unit', in: 'query', required: false, description: 'A unit label or part of it', schema: { type: 'string' } },
            {
              name: 'number',
              in: 'query',
              required: false,
              description: 'A device serial, document number or workflow id',
              schema: { type: 'string' },
            },
            { name: 'dueFrom', in: 'query', required: false, schema: DATE },
            { name: 'dueTo', in: 'query', required: false, schema: DATE },
            { name: 'overdue', in: 'query', required: false, schema: { type: 'boolean' } },
            { name: 'late', in: 'query', required: false, schema: { type: 'boolean' } },
            ...pageParameters,
          ],
          responses: {
            '200': { description: 'One page', content: { 'application/json': { schema: page('Obligation') } } },
            ...STANDARD_ERRORS,
            '404': problemResponse('The property is not in your organisation'),
          },
        },
      },
      '/tickets': {
        ...list('Tickets (Vorgänge), oldest first', 'TicketSummary', [filter('propertyId', 'Only this property')]),
        ...ticketWrite(
          'File a ticket',
          '201',
          object(
            {
              propertyId: ID,
              unitId: nullable('integer', { minimum: 1 }),
              topic: { enum: Object.keys(TICKET_TOPICS) },
              subject: { type: 'string', minLength: 1, maxLength: TEXT_LIMITS.ticketSubject },
              body: { type: 'string', minLength: 1, maxLength: TEXT_LIMITS.ticketBody },
            },
            ['propertyId', 'topic', 'subject', 'body'],
          ),
        ),
      },
      '/tickets/{id}': single('A ticket with its history', 'Ticket'),
      '/tickets/{id}/replies': ticketWrite(
        'Reply to a ticket (a public answer the tenant sees)',
        '200',
        object({ text: { type: 'string', minLength: 1, maxLength: TEXT_LIMITS.ticketMessage } }),
        [idParameter],
      ),
      '/readings/wmbusmeters': {
        post: {
          summary: 'Telegrams from a radio gateway',
          description: `One telegram, an array, or JSON lines; at most ${MAX_TELEGRAMS_PER_BATCH}. Each is stored or refused on its own; sent again, nothing is stored twice.`,
          security: [{ bearer: ['readings:write'] }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [ref('Telegram'), { type: 'array', items: ref('Telegram'), maxItems: MAX_TELEGRAMS_PER_BATCH }] },
              },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          },
          responses: {
            '200': { description: 'What became of each telegram', content: { 'application/json': { schema: ref('IngestReport') } } },
            ...STANDARD_ERRORS,
            '413': problemResponse('Too many telegrams or too large a body'),
          },
        },
      },
    },
  };
}
