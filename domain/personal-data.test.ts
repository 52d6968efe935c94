import { describe, expect, test } from 'vitest';
import { PERSONAL_DATA, PROCESSING_ACTIVITIES, TENANT_PLACEHOLDER, maySee, pseudonymiseStatement, reachOf, ruleOf } from './personal-data';
import { ROLES } from './roles';

describe('the policy table', () => {
  test('every category states a reach and a reason for every role', () => {
    for (const rule of PERSONAL_DATA) {
      for (const role of ROLES) {
        expect(rule.access[role].why.length, `${rule.category}/${role}`).toBeGreaterThan(5);
      }
    }
    for (const activity of PROCESSING_ACTIVITIES) for (const category of activity.categories) expect(ruleOf(category)).toBeDefined();
  });

  test('owners and compliance never see who a tenant is; managers do; tenants only themselves', () => {
    expect(reachOf('owner', 'tenant-identity')).toBe('none');
    expect(reachOf('compliance', 'tenant-contact')).toBe('none');
    expect(maySee({ role: 'manager' }, 'tenant-identity', { own: false, assigned: false })).toBe(true);
    expect(maySee({ role: 'owner' }, 'tenant-identity', { own: false, assigned: true })).toBe(false);
    expect(maySee({ role: 'tenant' }, 'tenant-contact', { own: true, assigned: false })).toBe(true);
    expect(maySee({ role: 'tenant' }, 'tenant-contact', { own: false, assigned: true })).toBe(false);
    expect(maySee({ role: 'technician' }, 'tenant-identity', { own: false, assigned: true })).toBe(true);
    expect(maySee({ role: 'technician' }, 'tenant-identity', { own: false, assigned: false })).toBe(false);
  });
});

test('pseudonymising a statement replaces names, keeps vacancies and everything else', () => {
  const statement = {
    id: 1,
    units: [
      { unitId: 1, occupancies: [{ key: 'T1', tenantName: 'Anna', amount: 10 }] },
      { unitId: 2, occupancies: [{ key: 'L1', tenantName: null, amount: 5 }] },
    ],
  };
  expect(pseudonymiseStatement(statement)).toEqual({
    id: 1,
    units: [
      { unitId: 1, occupancies: [{ key: 'T1', tenantName: TENANT_PLACEHOLDER, amount: 10 }] },
      { unitId: 2, occupancies: [{ key: 'L1', tenantName: null, amount: 5 }] },
    ],
  });
  expect(statement.units[0]!.occupancies[0]!.tenantName).toBe('Anna');
});
