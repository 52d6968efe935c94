// Tenancies, obligations and tickets through the REST API v1, against the test run's PostgreSQL and
// Temporal dev server: organisation-scoped, every operation refused to every scope that lacks it,
// and acting with the permissions of the manager who created the token (a demoted creator's token
// loses what the pages would refuse that user).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiToken } from '../api-tokens';
import { eventually } from '../../tests/support/eventually';
import { createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../../tests/support/fixtures';
import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../../tests/support/temporal';
import { closeWebResources, testDb } from '../../tests/support/web';
import { handleApiRequest } from './v1';

const db = testDb();
const taskQueue = `api-work-${uniqueSuffix()}`;
let temporal: TestClient;
let worker: RunningWorker;
let org: OrgFixture;
let other: OrgFixture;
const tokens: Record<'read' | 'readings:write' | 'tickets:write' | 'all', string> = {
  read: '',
  'readings:write': '',
  'tickets:write': '',
  all: '',
};

beforeAll(async () => {
  temporal = await connectTestClient();
  worker = await startTestWorker({ taskQueue, db, workflowBundle: await bundleWorkflows() });
  org = await createOrgFixture(db);
  other = await createOrgFixture(db);
  for (const scope of ['read', 'readings:write', 'tickets:write'] as const)
    tokens[scope] = (await createApiToken(org.managers[0], { name: scope, scopes: [scope] }, { db })).token;
  tokens.all = (await createApiToken(org.managers[0], { name: 'ERP', scopes: ['read', 'tickets:write'] }, { db })).token;
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await closeWebResources();
});

async function call(method: 'GET' | 'POST', path: string, bearer: string, body?: unknown) {
  const headers: Record<string, string> = { Authorization: `Bearer ${bearer}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await handleApiRequest(
    new Request(`http://portal.test/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { db, temporal: { client: temporal.client, taskQueue } },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { data?: Array<Record<string, unknown>> } };
}

const newTicket = () => ({
  propertyId: org.property.id,
  unitId: org.unit.id,
  topic: 'heating',
  subject: 'Heizung kalt',
  body: 'Seit gestern kalt.',
});

describe('tenancies', () => {
  test('the organisation’s tenancies only, filtered by unit', async () => {
    const tenancy = await db.models.Tenancy.create({ unitId: org.unit.id, tenantName: 'Erika Muster', startsOn: '2024-02-01' });
    await db.models.Tenancy.create({ unitId: other.unit.id, tenantName: 'Fremd', startsOn: '2024-02-01' });
    const page = await call('GET', `/tenancies?unitId=${org.unit.id}`, tokens.read);
    expect(page.status).toBe(200);
    expect(page.body.data).toEqual([
      {
        id: tenancy.id,
        unitId: org.unit.id,
        propertyId: org.property.id,
        tenantName: 'Erika Muster',
        contactEmail: null,
        startsOn: '2024-02-01',
        endsOn: null,
        portalAccess: false,
      },
    ]);
    expect((await call('GET', `/tenancies?unitId=${other.unit.id}`, tokens.read)).body.data).toEqual([]);
  });
});

describe('tickets and obligations', () => {
  test('a ticket filed, read with its history, answered; its workflow listed among the obligations', async () => {
    const created = await call('POST', '/tickets', tokens.all, newTicket());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ propertyId: org.property.id, unitId: org.unit.id, topic: 'heating', status: 'open' });
    const id = created.body.id as number;

    const replied = await eventually(
      async () => {
        const answer = await call('POST', `/tickets/${id}/replies`, tokens['tickets:write'], { text: 'Der Techniker kommt morgen.' });
        expect(answer.status).toBe(200);
        return answer;
      },
      { timeoutMs: 30_000 },
    );
    expect(replied.body.timeline).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'replied', body: 'Der Techniker kommt morgen.', internal: false })]),
    );
    const listed = await call('GET', `/tickets?propertyId=${org.property.id}`, tokens.read);
    expect(listed.body.data?.map((t) => t.id)).toContain(id);
    expect((await call('GET', `/tickets/${id}`, tokens.read)).body).toMatchObject({ id, subject: 'Heizung kalt' });

    // Visibility is eventually consistent: the ticket's workflow shows up among the obligations soon.
    const obligations = await eventually(
      async () => {
        const page = await call('GET', `/obligations?kind=ticket&propertyId=${org.property.id}`, tokens.read);
        expect(page.status).toBe(200);
        expect(page.body.data?.map((o) => o.workflowId)).toContain(`ticket-${id}`);
        return page;
      },
      { timeoutMs: 30_000 },
    );
    expect(obligations.body.data?.find((o) => o.workflowId === `ticket-${id}`)).toMatchObject({ status: 'Running', overdue: false });

    // Pages of one by the cursor: both tickets' workflows, each once.
    const second = (await call('POST', '/tickets', tokens.all, { ...newTicket(), subject: 'Zweiter' })).body.id as number;
    await eventually(
      async () => {
        const seen: unknown[] = [];
        let cursor: string | null = null;
        do {
          const query = `/obligations?kind=ticket&propertyId=${org.property.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
          const page = await call('GET', query, tokens.read);
          expect(page.status).toBe(200);
          seen.push(...(page.body.data ?? []).map((o) => o.workflowId));
          cursor = page.body.nextCursor as string | null;
        } while (cursor !== null);
        expect(seen.sort()).toEqual([`ticket-${id}`, `ticket-${second}`].sort());
      },
      { timeoutMs: 30_000 },
    );
  }, 90_000);

  test('another organisation’s property or ticket is not found; bad input names the field', async () => {
    const foreign = await call('POST', '/tickets', tokens.all, { ...newTicket(), propertyId: other.property.id, unitId: null });
    expect(foreign).toMatchObject({ status: 404, body: { errors: [{ field: 'body.propertyId' }] } });
    const wrongUnit = await call('POST', '/tickets', tokens.all, { ...newTicket(), unitId: other.unit.id });
    expect(wrongUnit).toMatchObject({ status: 404, body: { errors: [{ field: 'body.unitId' }] } });
    expect((await call('POST', '/tickets', tokens.all, { ...newTicket(), topic: 'x' })).body).toMatchObject({
      status: 400,
      errors: [{ field: 'body.topic' }],
    });
    expect((await call('POST', '/tickets', tokens.all, { ...newTicket(), subject: '  ' })).body).toMatchObject({
      errors: [{ field: 'body.subject' }],
    });
    expect((await call('GET', `/obligations?propertyId=${other.property.id}`, tokens.read)).status).toBe(404);
    expect((await call('GET', '/obligations?state=nonsense', tokens.read)).body).toMatchObject({ errors: [{ field: 'query.state' }] });
    expect((await call('GET', '/obligations?overdue=yes', tokens.read)).body).toMatchObject({ errors: [{ field: 'query.overdue' }] });
    for (const cursor of ['AAAA', `AAAA.${'A'.repeat(22)}`])
      expect((await call('GET', `/obligations?cursor=${cursor}`, tokens.read)).body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
    expect((await call('POST', '/tickets/2147483647/replies', tokens.all, { text: 'Hallo' })).status).toBe(404);
  });
});

describe('permissions', () => {
  const operations: Array<{ method: 'GET' | 'POST'; path: string; scope: 'read' | 'tickets:write'; body?: unknown }> = [
    { method: 'GET', path: '/tenancies', scope: 'read' },
    { method: 'GET', path: '/obligations', scope: 'read' },
    { method: 'GET', path: '/tickets', scope: 'read' },
    { method: 'GET', path: '/tickets/1', scope: 'read' },
    { method: 'POST', path: '/tickets', scope: 'tickets:write', body: {} },
    { method: 'POST', path: '/tickets/1/replies', scope: 'tickets:write', body: {} },
  ];

  test('each operation is refused (403) to every scope but its own', async () => {
    for (const operation of operations)
      for (const scope of ['read', 'readings:write', 'tickets:write'] as const) {
        const { status } = await call(operation.method, operation.path, tokens[scope], operation.body);
        if (scope === operation.scope) expect(status, `${operation.method} ${operation.path} with ${scope}`).not.toBe(403);
        else expect(status, `${operation.method} ${operation.path} with ${scope}`).toBe(403);
      }
  });

  test('a token acts with its creator’s current role: a manager turned compliance officer reads tickets but may not answer', async () => {
    const manager = await createUserFixture(db, org.organisation.id, 'manager');
    const { token } = await createApiToken(manager, { name: 'ERP 2', scopes: ['read', 'tickets:write'] }, { db });
    expect((await call('GET', '/tenancies', token)).status).toBe(200);
    await manager.update({ role: 'compliance' });
    expect((await call('GET', '/tickets', token)).status).toBe(200);
    expect((await call('GET', '/obligations', token)).status).toBe(200);
    expect((await call('GET', '/tenancies', token)).body).toMatchObject({ status: 403, errors: [{ field: 'header.authorization' }] });
    expect((await call('POST', '/tickets', token, newTicket())).status).toBe(403);
  });
});
