// Helpers for tests of the web app: users who can log in, requests carrying their real session
// cookie, and a fixture organisation with properties, units, a tenant and devices of every light.
import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { inject } from 'vitest';
import { type Db, type Device, type Property, type Unit, type User } from '../../db';
import { db } from '../../server/db';
import type { Light } from '../../domain/deadlines';
import type { Role } from '../../domain/roles';
import { closeLiveHub } from '../../server/live';
import { createSession, serializeSessionCookie } from '../../server/session';
import { createDeviceFixture, createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from './fixtures';

export const TEST_ORIGIN = 'http://klarmeter.test';
export const TEST_PASSWORD = 'richtig-geheim-123';

/** The app reads its configuration from the environment; tests use the run's database. */
export function useTestEnvironment(): void {
  process.env.DATABASE_URL = inject('databaseUrl');
  process.env.DATABASE_OWNER_URL = inject('ownerDatabaseUrl');
  process.env.PROOF_SIGNING_KEY ??= inject('proofSigningKey');
  process.env.TEMPORAL_ADDRESS = inject('temporalAddress');
  process.env.SESSION_SECRET ??= 'test-session-secret-0123456789';
  process.env.COOKIE_SECURE ??= 'auto';
  // Statement PDFs are stored encrypted, from approval on (the worker renders them).
  process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
}

/** The process-wide handle the app itself uses, so that test and app share one Sequelize. */
export function testDb(): Db {
  useTestEnvironment();
  return db();
}

/** What the app opened in this test process: its LISTEN connection and its database pool. */
export async function closeWebResources(): Promise<void> {
  await closeLiveHub();
  await db().close();
}

let passwordHash: Promise<string> | undefined;

export async function createLoginUser(database: Db, organisationId: number, role: Role): Promise<User> {
  passwordHash ??= hash(TEST_PASSWORD);
  const user = await createUserFixture(database, organisationId, role);
  await user.update({ passwordHash: await passwordHash });
  return user;
}

/** A real session row and the Cookie header a browser would send for it. */
export async function cookieFor(user: Pick<User, 'id'>): Promise<string> {
  const token = await createSession({ userId: user.id, ip: '203.0.113.7', userAgent: 'vitest' });
  const setCookie = await serializeSessionCookie(token, new Request(TEST_ORIGIN));
  return setCookie.split(';')[0]!;
}

export interface RequestOptions {
  cookie?: string;
  method?: 'GET' | 'POST';
  /** A list is sent as repeated fields (checkboxes). */
  form?: Record<string, string | string[]>;
  /** Origin header; defaults to the app's own for POST. Pass null to send none. */
  origin?: string | null;
  referer?: string;
}

export function makeRequest(path: string, options: RequestOptions = {}): Request {
  const method = options.method ?? (options.form ? 'POST' : 'GET');
  const headers = new Headers();
  if (options.cookie) headers.set('Cookie', options.cookie);
  const origin = options.origin === undefined ? (method === 'POST' ? TEST_ORIGIN : null) : options.origin;
  if (origin) headers.set('Origin', origin);
  if (options.referer) headers.set('Referer', options.referer);
  const body = options.form
    ? new URLSearchParams(
        Object.entries(options.form).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v])),
      )
    : undefined;
  if (body) headers.set('Content-Type', 'application/x-www-form-urlencoded');
  return new Request(new URL(path, TEST_ORIGIN), { method, headers, body });
}

type RouteFunction = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => unknown;

export type Outcome<T> = { kind: 'data'; data: T } | { kind: 'response'; status: number; response: Response };

/**
 * Runs a loader or action as Remix would and reports what came out: data, or a response
 * (returned or thrown: redirects, 403, 404).
 */
export async function run<F extends RouteFunction>(
  fn: F,
  request: Request,
  params: Record<string, string> = {},
  context: Record<string, unknown> = { clientIp: '203.0.113.7' },
): Promise<Outcome<Exclude<Awaited<ReturnType<F>>, Response>>> {
  try {
    const result = await fn({ request, params, context });
    if (result instanceof Response) return { kind: 'response', status: result.status, response: result };
    return { kind: 'data', data: result as Exclude<Awaited<ReturnType<F>>, Response> };
  } catch (thrown) {
    if (thrown instanceof Response) return { kind: 'response', status: thrown.status, response: thrown };
    throw thrown;
  }
}

/** The data of an outcome, failing the test with the response status otherwise. */
export function dataOf<T>(outcome: Outcome<T>): T {
  if (outcome.kind !== 'data')
    throw new Error(`expected data, got a ${outcome.status} response (${outcome.response.headers.get('Location') ?? ''})`);
  return outcome.data;
}

export interface WebFixture extends OrgFixture {
  /** Owned by the fixture's owner, like `property`; `otherProperty` is not. */
  otherProperty: Property;
  otherUnit: Unit;
  manager: User;
  tenant: User;
  otherTenant: User;
  technician: User;
  /** In the tenant's unit: one of each light. */
  devices: Record<Light, Device>;
  /** In the other tenant's unit (same property). */
  neighbourDevice: Device;
  /** In the property the owner does not own. */
  foreignDevice: Device;
}

/**
 * An organisation whose manager, owner, technician and two tenants can log in; devices of all
 * three lights in the first tenant's unit, and devices elsewhere that some of them must not see.
 */
export async function createWebFixture(database: Db): Promise<WebFixture> {
  const org = await createOrgFixture(database);
  const { Property, Unit, Tenancy } = database.models;
  const loginUser = (role: 'manager' | 'tenant' | 'technician') => createLoginUser(database, org.organisation.id, role);
  const [manager, tenant, otherTenant, technician] = await Promise.all([
    loginUser('manager'),
    loginUser('tenant'),
    loginUser('tenant'),
    loginUser('technician'),
  ]);
  await Promise.all([
    org.owner.update({ passwordHash: await (passwordHash ??= hash(TEST_PASSWORD)) }),
    org.property.update({ technicianId: technician.id }),
  ]);
  const neighbourUnit = await Unit.create({ propertyId: org.property.id, label: 'Whg. 2.01', floor: '2. OG', areaM2: 71 });
  const suffix = uniqueSuffix();
  const otherProperty = await Property.create({
    organisationId: org.organisation.id,
    name: `Nebenstraße ${suffix}`,
    street: `Nebenstraße ${suffix}`,
    postalCode: '10117',
    city: 'Berlin',
    ownerId: null,
    technicianId: null,
  });
  const otherUnit = await Unit.create({ propertyId: otherProperty.id, label: 'Whg. 0.01', floor: 'EG', areaM2: 48 });
  await Tenancy.bulkCreate([
    { unitId: org.unit.id, userId: tenant.id, tenantName: tenant.name, startsOn: '2020-01-01', endsOn: null },
    { unitId: neighbourUnit.id, userId: otherTenant.id, tenantName: otherTenant.name, startsOn: '2020-01-01', endsOn: null },
  ]);
  const place = { property: org.property, unit: org.unit };
  const devices = {
    red: await createDeviceFixture(database, place, {
      type: 'WZ-W',
      light: 'red',
      deadlineKind: 'calibration',
      dueAt: '2024-12-31',
      location: 'Küche',
    }),
    yellow: await createDeviceFixture(database, place, {
      type: 'HKV',
      serial: `HKV-${suffix}`,
      light: 'yellow',
      deadlineKind: 'replacement',
      dueAt: '2030-03-01',
      batteryPercent: 20,
      location: 'Wohnzimmer',
    }),
    green: await createDeviceFixture(database, place, { light: 'green', deadlineKind: 'calibration', dueAt: '2031-12-31' }),
  };
  const neighbourDevice = await createDeviceFixture(
    database,
    { property: org.property, unit: neighbourUnit },
    { light: 'green', deadlineKind: 'calibration', dueAt: '2031-12-31' },
  );
  const foreignDevice = await createDeviceFixture(
    database,
    { property: otherProperty, unit: otherUnit },
    { light: 'red', deadlineKind: 'calibration', dueAt: '2025-12-31' },
  );
  return { ...org, otherProperty, otherUnit, manager, tenant, otherTenant, technician, devices, neighbourDevice, foreignDevice };
}
