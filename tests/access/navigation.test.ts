// The header's links per role lead only to pages the role may open: each link's route module has a
// rule (route-rules.ts) whose loader the role passes, so no role sees a link that answers 403/404.
import { describe, expect, test } from 'vitest';
import { NAVIGATION } from '~/utils/navigation';
import { hasPermission } from '../../domain/permissions';
import { ROLES } from '../../domain/roles';
import { ROUTE_RULES, type FunctionRule } from './route-rules';

/** The route module a path without params opens: `/a/b` is `a.b` or its index `a.b._index`. */
function loaderRule(to: string): FunctionRule | undefined {
  const name = to.slice(1).replace(/\//g, '.');
  return (ROUTE_RULES[name] ?? ROUTE_RULES[`${name}._index`])?.loader;
}

describe('navigation', () => {
  for (const role of ROLES) {
    test(`${role}: every header link opens for the role`, () => {
      for (const item of NAVIGATION[role]) {
        const rule = loaderRule(item.to);
        expect(rule, `${item.to} has a route rule`).toBeDefined();
        const passes = rule!.access === 'public' || rule!.access === 'user' || hasPermission({ role }, rule!.access);
        expect(passes && (!rule!.onlyRoles || rule!.onlyRoles.includes(role)), `${role} may open ${item.to}`).toBe(true);
      }
    });
  }

  test('owners find what their managers forwarded to them', () => {
    expect(NAVIGATION.owner.map((item) => item.to)).toContain('/weiterleitungen');
  });
});
