// The record of processing activities: managers and compliance read it, rendered from the same
// table the server decides with; everybody else is refused.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PERSONAL_DATA, REACH_LABELS, reachOf } from '../../domain/personal-data';
import type { ROLES } from '../../domain/roles';
import { closeWebResources, cookieFor, createLoginUser, createWebFixture, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import type { User } from '../../db';
import { loader } from './datenschutz.verzeichnis';

const database = testDb();
const users = {} as Record<(typeof ROLES)[number], User>;

beforeAll(async () => {
  const f = await createWebFixture(database);
  Object.assign(users, {
    manager: f.manager,
    owner: f.owner,
    tenant: f.tenant,
    technician: f.technician,
    compliance: await createLoginUser(database, f.organisation.id, 'compliance'),
  });
});

afterAll(closeWebResources);

test.each(['manager', 'compliance'] as const)('the %s reads the Verzeichnis, cell by cell the policy the server applies', async (role) => {
  const data = dataOf(await run(loader, makeRequest('/datenschutz/verzeichnis', { cookie: await cookieFor(users[role]) })));
  expect(data.rules.map((r) => r.category)).toEqual(PERSONAL_DATA.map((r) => r.category));
  for (const rule of data.rules) {
    for (const cell of rule.access) expect(cell.reach).toBe(REACH_LABELS[reachOf(cell.role, rule.category)]);
  }
  expect(data.activities.map((a) => a.name)).toContain('Heizkostenabrechnung');
});

test.each(['owner', 'tenant', 'technician'] as const)('the %s is refused', async (role) => {
  const outcome = await run(loader, makeRequest('/datenschutz/verzeichnis', { cookie: await cookieFor(users[role]) }));
  expect(outcome.kind === 'response' && outcome.status).toBe(403);
});
