// The REST API over real HTTP, through the web process: gateways post without Origin or cookie
// (the API is before the door), bodies are capped, and the OpenAPI document is checked against the
// running server by schemathesis (PyPI; .ci/run installs it): no server errors, every response
// matching its schema, status code and content type.
import { execFile } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_RATE_LIMIT_MAX } from '../../domain/api-tokens';
import { API_BODY_LIMIT_BYTES } from '../../server/api';
import { createApiToken } from '../../server/api-tokens';
import { createDeviceFixture, createOrgFixture, uniqueSuffix, type OrgFixture } from '../support/fixtures';
import { rawRequest, startTestWebServer, type TestWebServer } from '../support/http';
import { bundleWorkflows, startTestWorker, type RunningWorker } from '../support/temporal';
import { closeWebResources, testDb } from '../support/web';

const database = testDb();
let web: TestWebServer;
let worker: RunningWorker;
let org: OrgFixture;
let token: string;

beforeAll(async () => {
  org = await createOrgFixture(database);
  await createDeviceFixture(
    database,
    { property: org.property, unit: org.unit },
    { type: 'HKV', serial: `H-API-${org.property.id}`, calibratedYear: null },
  );
  // The highest limit: schemathesis sends hundreds of requests a minute; the limit has its own test.
  ({ token } = await createApiToken(
    org.managers[0]!,
    { name: 'Tests', scopes: ['read', 'readings:write', 'tickets:write'], ratePerMinute: API_RATE_LIMIT_MAX },
    { db: database },
  ));
  // Tickets filed through the API start their workflows on TEMPORAL_TASK_QUEUE: a worker serves it,
  // so that replies (workflow updates) are answered as in production.
  process.env.TEMPORAL_TASK_QUEUE = `http-api-${uniqueSuffix()}`;
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE, db: database, workflowBundle: await bundleWorkflows() });
  web = await startTestWebServer();
}, 120_000);

afterAll(async () => {
  await web?.stop();
  await worker?.stop();
  await closeWebResources();
});

describe('the API over HTTP', () => {
  test('a gateway posts without Origin or cookie: answered by the API, not refused by the door', async () => {
    const response = await rawRequest(`${web.url}/api/v1/readings/wmbusmeters`, {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ media: 'heat cost allocation', id: `H-API-${org.property.id}`, current_consumption_hca: 7 }),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ received: 1, accepted: 1, errors: [] });
  });

  test('a body over the cap is refused as problem+json before it is read', async () => {
    const response = await rawRequest(`${web.url}/api/v1/readings/wmbusmeters`, {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: Buffer.alloc(API_BODY_LIMIT_BYTES + 1, 0x20),
      chunked: true,
    });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  test('schemathesis finds no server error and no response outside the OpenAPI document', async () => {
    const args = [
      'run',
      `${web.url}/api/v1/openapi.json`,
      '--header',
      `Authorization: Bearer ${token}`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--max-examples',
      '25',
      '--seed',
      '17',
      '--workers',
      '1',
      // A loaded machine answers slowly; slowness is not what this test is about.
      '--request-timeout',
      '60',
    ];
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      // Run outside the work tree: schemathesis keeps a cache directory where it runs.
      execFile('st', args, { cwd: os.tmpdir(), timeout: 480_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}\n${stderr}` }),
      );
    });
    // Every generated case passed, over every operation of the document.
    expect(result.output, result.output).toMatch(/(\d+) generated, \1 passed/);
    expect(result.output, result.output).toMatch(/Tested: (\d+)\s/);
    expect(result.code, result.output).toBe(0);
  }, 540_000);
});
