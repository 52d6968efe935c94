// The REST API v1 (issue 17): a small router over the Fetch API's Request and Response, mounted by
// the web process under /api/v1 before Remix and its door (scripts/web.ts). The API authenticates
// by bearer token only, never by the session cookie, so cross-site requests carry no authority and
// the door's same-origin check does not apply. Every operation is in the OpenAPI document.
import type { Db } from '../../db/index';
import type { ApiScope } from '../../domain/api-tokens';
import { authenticateApiToken, type ApiPrincipal } from '../api-tokens';
import { RETRY_AFTER_SECONDS, unavailableService } from '../availability';
import { db as sharedDb } from '../db';
import type { ImportOptions } from '../readings';
import { ProblemError, problemResponse } from './problem';

export const API_PREFIX = '/api/v1';

export interface ApiContext {
  db: Db;
  temporal?: ImportOptions['temporal'];
  request: Request;
  url: URL;
  params: Record<string, string>;
  principal: ApiPrincipal;
}

export interface Operation {
  method: 'GET' | 'POST';
  /** OpenAPI path template under /api/v1, e.g. `/devices/{id}`. */
  path: string;
  /** The scope a token needs; `token`: any valid token; null: public (the OpenAPI document). */
  scope: ApiScope | 'token' | null;
  handle(context: ApiContext): Promise<Response>;
}

export interface ApiDeps {
  db?: Db;
  temporal?: ImportOptions['temporal'];
}

function matcher(template: string): RegExp {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
  });
}

/** Builds the request handler for a list of operations. */
export function createApiHandler(operations: readonly Operation[]) {
  const routes = operations.map((operation) => ({ operation, pattern: matcher(operation.path) }));
  return async function handleApiRequest(request: Request, deps: ApiDeps = {}): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || '/' : url.pathname;
    const matching = routes.map((route) => ({ ...route, match: route.pattern.exec(path) })).filter((route) => route.match !== null);
    if (matching.length === 0) return problemResponse(404, `no operation at ${url.pathname}`);
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = matching.find((r) => r.operation.method === method);
    if (!route) {
      const allow = [...new Set(matching.map((r) => r.operation.method))].join(', ');
      return problemResponse(405, `${request.method} is not allowed here; allowed: ${allow}`, [], { Allow: allow });
    }
    const database = deps.db ?? sharedDb();
    try {
      let principal: ApiPrincipal = { tokenId: 0, organisationId: 0, scopes: [] };
      if (route.operation.scope !== null) {
        const authenticated = await authenticateApiToken(request.headers.get('Authorization'), { db: database });
        if (!authenticated)
          return problemResponse(
            401,
            'a valid API token is required: Authorization: Bearer km_…',
            [{ field: 'header.authorization', detail: 'missing, unknown or revoked token' }],
            {
              'WWW-Authenticate': 'Bearer realm="klarmeter"',
            },
          );
        if (authenticated.retryAfterSeconds !== null)
          return problemResponse(
            429,
            `this token's rate limit of ${authenticated.limit} requests per minute is used up; retry in ${authenticated.retryAfterSeconds} s`,
            [{ field: 'header.authorization', detail: `at most ${authenticated.limit} requests per minute with this token` }],
            { 'Retry-After': String(authenticated.retryAfterSeconds) },
          );
        const scope = route.operation.scope;
        if (scope !== 'token' && !authenticated.principal.scopes.includes(scope))
          return problemResponse(403, `this token lacks the scope "${scope}"`, [
            { field: 'header.authorization', detail: `scope "${scope}" required` },
          ]);
        principal = authenticated.principal;
      }
      const params = Object.fromEntries(Object.entries(route.match?.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      return await route.operation.handle({ db: database, temporal: deps.temporal, request, url, params, principal });
    } catch (error) {
      if (error instanceof ProblemError) return problemResponse(error.status, error.message, error.errors, error.headers);
      const unavailable = unavailableService(error);
      if (unavailable)
        return problemResponse(503, `${unavailable} is unavailable; retry later`, [], { 'Retry-After': String(RETRY_AFTER_SECONDS) });
      console.error(`[api] ${request.method} ${url.pathname} failed`, error);
      return problemResponse(500, 'internal error; please retry later');
    }
  };
}
