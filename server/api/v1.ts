// The operations of the REST API v1 and its request handler (mounted at /api/v1 by scripts/web.ts).
import { openApiDocument } from './openapi';
import { readingOperations } from './readings';
import { referencePage } from './reference';
import { resourceOperations } from './resources';
import { workOperations } from './work';
import { API_PREFIX, createApiHandler, json, type Operation } from './router';

/** GET /token: the calling token itself; also the trivial authenticated endpoint the ingest bench compares with. */
const tokenOperation: Operation = {
  method: 'GET',
  path: '/token',
  scope: 'token',
  handle: async ({ principal }) => json({ id: principal.tokenId, organisationId: principal.organisationId, scopes: principal.scopes }),
};

const openApiOperation: Operation = {
  method: 'GET',
  path: '/openapi.json',
  scope: null,
  handle: async ({ url }) => json(openApiDocument(`${url.origin}${API_PREFIX}`), 200, { 'Cache-Control': 'public, max-age=300' }),
};

const referenceOperation: Operation = {
  method: 'GET',
  path: '/docs',
  scope: null,
  handle: async ({ url }) =>
    new Response(referencePage(`${url.origin}${API_PREFIX}`), {
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
    }),
};

export const OPERATIONS: readonly Operation[] = [
  openApiOperation,
  referenceOperation,
  tokenOperation,
  ...resourceOperations,
  ...readingOperations,
  ...workOperations,
];

export const handleApiRequest = createApiHandler(OPERATIONS);
