// The read operations of the REST API v1 against the test run's PostgreSQL: scoped to the token's
// organisation (another customer's object is 404), cursor pagination, problems naming the field,
// and the OpenAPI document naming exactly the router's operations.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createDb } from '../../db/index';
import { createApiToken } from '../api-tokens';
import { createDeviceFixture, createOrgFixture, type OrgFixture } from '../../tests/support/fixtures';
import type { openApiDocument } from './openapi';
import { OPERATIONS, handleApiRequest } from './v1';

const db = createDb(inject('databaseUrl'));
let org: OrgFixture;
let other: OrgFixture;
let token: string;

beforeAll(async () => {
  org = await createOrgFixture(db);
  other = await createOrgFixture(db);
  ({ token } = await createApiToken(org.managers[0]!, { name: 'ERP', scopes: ['read'] }, { db }));
});

afterAll(async () => {
  await db.close();
});

async function get(path: string, bearer = token) {
  const response = await handleApiRequest(
    new Request(`http://portal.test/api/v1${path}`, { headers: { Authorization: `Bearer ${bearer}` } }),
    { db },
  );
  return { status: response.status, type: response.headers.get('Content-Type'), body: (await response.json()) as Record<string, unknown> };
}

describe('read operations', () => {
  test('properties, units and devices of the organisation only; another organisation’s are not found', async () => {
    const device = await createDeviceFixture(db, { property: org.property, unit: org.unit }, { type: 'HKV', calibratedYear: null });
    const foreign = await createDeviceFixture(db, { property: other.property, unit: other.unit });

    const properties = await get('/properties');
    expect(properties.body).toEqual({
      data: [
        {
          id: org.property.id,
          name: org.property.name,
          street: org.property.street,
          postalCode: '10115',
          city: 'Berlin',
          federalState: 'BE',
        },
      ],
      nextCursor: null,
    });
    expect((await get(`/properties/${other.property.id}`)).status).toBe(404);
    expect((await get(`/units?propertyId=${org.property.id}`)).body.data).toEqual([
      { id: org.unit.id, propertyId: org.property.id, label: 'Whg. 1.03', floor: '1. OG', areaM2: 64.5 },
    ]);
    const devices = await get('/devices');
    expect((devices.body.data as { id: number }[]).map((d) => d.id)).toEqual([device.id]);
    expect((await get(`/devices/${device.id}`)).body).toMatchObject({
      id: device.id,
      type: 'HKV',
      serial: device.serial,
      reportedStatus: null,
    });
    const missing = await get(`/devices/${foreign.id}`);
    expect(missing).toMatchObject({ status: 404, type: 'application/problem+json', body: { status: 404, errors: [{ field: 'path.id' }] } });
  });

  test('readings page by cursor, oldest first, without gaps or repeats', async () => {
    const device = await createDeviceFixture(db, { property: org.property, unit: org.unit }, { installedAt: '2020-01-01' });
    const times = Array.from({ length: 5 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i, 6)));
    for (const [i, readAt] of times.entries())
      await db.models.Reading.create({ deviceId: device.id, readAt, value: 10 + i, unit: 'm³', setDateValue: null, source: 'radio' });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(`/readings?deviceId=${device.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.data as { value: number }[]).map((r) => r.value));
      cursor = page.body.nextCursor as string | null;
      pages += 1;
    } while (cursor !== null);
    expect(seen).toEqual([10, 11, 12, 13, 14]);
    expect(pages).toBe(3);
  });

  test('a wrong parameter is a 400 problem naming it; a wrong method 405; no token 401', async () => {
    expect((await get('/devices?limit=0')).body).toMatchObject({ status: 400, errors: [{ field: 'query.limit' }] });
    expect((await get('/devices?cursor=nonsense')).body).toMatchObject({ status: 400, errors: [{ field: 'query.cursor' }] });
    expect((await get('/devices?propertyId=abc')).body).toMatchObject({ status: 400, errors: [{ field: 'query.propertyId' }] });
    expect((await get('/devices/0')).body).toMatchObject({ status: 400, errors: [{ field: 'path.id' }] });
    expect((await get('/nothing-here')).status).toBe(404);
    expect((await get('/devices', 'km_' + 'x'.repeat(43))).status).toBe(401);
    const post = await handleApiRequest(
      new Request('http://portal.test/api/v1/devices', { method: 'POST', headers: { Authorization: `Bearer ${token}` } }),
      { db },
    );
    expect(post.status).toBe(405);
    expect(post.headers.get('Allow')).toBe('GET');
  });

  test('a gateway token cannot read; a read token cannot push telegrams', async () => {
    const { token: gateway } = await createApiToken(org.managers[0]!, { name: 'Gateway', scopes: ['readings:write'] }, { db });
    expect((await get('/devices', gateway)).status).toBe(403);
    expect((await get('/token', gateway)).body).toMatchObject({ organisationId: org.organisation.id, scopes: ['readings:write'] });
  });
});

describe('the OpenAPI document', () => {
  test('is public and describes exactly the operations the router has', async () => {
    const response = await handleApiRequest(new Request('http://portal.test/api/v1/openapi.json'), { db });
    expect(response.status).toBe(200);
    const document = (await response.json()) as ReturnType<typeof openApiDocument> & { paths: Record<string, Record<string, unknown>> };
    expect(document).toMatchObject({ openapi: '3.1.0', servers: [{ url: 'http://portal.test/api/v1' }] });
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(OPERATIONS.map((o) => `${o.method} ${o.path}`).sort());

    const page = await handleApiRequest(new Request('http://portal.test/api/v1/docs'), { db });
    expect(page.headers.get('Content-Type')).toContain('text/html');
    const html = await page.text();
    for (const path of Object.keys(document.paths)) expect(html).toContain(path);
  });
});
