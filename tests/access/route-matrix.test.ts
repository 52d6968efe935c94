// The route × role × object matrix (issue 12, item 6): every loader and action of every route
// module, called as every role (and without a session) for objects in the role's scope, outside it
// and in another organisation, must answer what the permission table (domain/permissions.ts) and
// the route's rule (route-rules.ts) say: the login redirect, 403 without the permission, 404 for an
// object the role does not see, else past the door. A route module without a rule fails.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasPermission } from '../../domain/permissions';
import { ROLES, type Role } from '../../domain/roles';
import { createMatrixFixture, PLACES, type MatrixFixture, type ObjectRef, type Place } from '../support/access-matrix';
import { uniqueSuffix } from '../support/fixtures';
import { closeWebResources, cookieFor, makeRequest, run, testDb, type Outcome } from '../support/web';
import { ROUTE_RULES, type Expect, type FunctionRule } from './route-rules';

const ROUTES_DIR = path.resolve(import.meta.dirname, '../../app/routes');
const routeFiles = readdirSync(ROUTES_DIR)
  .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file))
  .map((file) => ({ route: file.replace(/\.tsx?$/, ''), file }));

const database = testDb();
let fixture: MatrixFixture;

beforeAll(async () => {
  // Workflows the fixture's filings start go to a queue nobody serves: no side effects elsewhere.
  process.env.TEMPORAL_TASK_QUEUE = `route-matrix-${uniqueSuffix()}`;
  fixture = await createMatrixFixture(database);
}, 120_000);

afterAll(closeWebResources);

/** Remix's flat route file name as a URL: `.` separates segments, `$x` is a param, `[…]` literal text, `_index` the index, a trailing `_` no nesting. */
function urlOf(route: string, params: Record<string, string>): string {
  const segments = route
    .split(/\.(?![^[]*\])/)
    .map((segment) => segment.replace(/\[([^\]]*)\]/g, '$1'))
    .filter((segment) => segment !== '_index')
    .map((segment) => segment.replace(/_$/, ''))
    .map((segment) => segment.replace(/^\$(\w+)/, (_, name: string) => params[name] ?? `missing-${name}`));
  return `/${segments.join('/')}`;
}

type Who = Role | 'anonymous';
const WHO: readonly Who[] = ['anonymous', ...ROLES];
/** Who sees an object in each place unless the rule is stricter: its scope's roles, the whole organisation's, nobody. */
const DEFAULT_SEES: Record<Place, readonly Role[]> = {
  'in-scope': ROLES,
  outside: ['manager', 'compliance'],
  foreign: [],
};

function expected(rule: FunctionRule, who: Who, place: Place | null): Expect {
  if (rule.access === 'public') return 'open';
  if (who === 'anonymous') return rule.anonymous ?? 'login';
  if (rule.access !== 'user' && !hasPermission({ role: who }, rule.access)) return 403;
  if (rule.onlyRoles && !rule.onlyRoles.includes(who)) return 404;
  if (place === null) return 'allowed';
  return (rule.sees?.[place] ?? DEFAULT_SEES[place]).includes(who) ? 'allowed' : 404;
}

function classify(outcome: Outcome<unknown>): Expect {
  if (outcome.kind === 'data') return 'allowed';
  const { status, response } = outcome;
  if (status >= 300 && status < 400) return (response.headers.get('Location') ?? '').startsWith('/login') ? 'login' : 'allowed';
  if (status === 401 || status === 403 || status === 404) return status;
  // A page, a file, or a refusal of the input (400): past the door either way.
  return 'allowed';
}

type RouteFunction = Parameters<typeof run>[0];

async function call(fn: RouteFunction, kind: 'loader' | 'action', route: string, who: Who, rule: FunctionRule, ref: ObjectRef | null) {
  const params = { ...ROUTE_RULES[route]!.params, ...ref?.params };
  const query = ref?.query ? `?${new URLSearchParams(ref.query).toString()}` : '';
  const cookie = who === 'anonymous' ? undefined : await cookieFor(fixture.users[who]);
  const request =
    kind === 'loader'
      ? makeRequest(`${urlOf(route, params)}${query}`, { cookie })
      : makeRequest(`${urlOf(route, params)}${query}`, { cookie, form: { ...rule.form, ...ref?.form } });
  try {
    const outcome = await run(fn, request, params);
    // An event stream stays open until cancelled.
    if (outcome.kind === 'response') await outcome.response.body?.cancel().catch(() => undefined);
    return classify(outcome);
  } catch (error) {
    return `error: ${(error as Error).message.split('\n')[0]}`;
  }
}

describe('every route module has a rule', () => {
  test('the rules name exactly the route modules in app/routes', () => {
    expect(Object.keys(ROUTE_RULES).sort()).toEqual(routeFiles.map((r) => r.route).sort());
  });

  test.each(routeFiles)('$route: a rule for each of its loader and action, and none for what it lacks', async ({ route, file }) => {
    const module = (await import(pathToFileURL(path.join(ROUTES_DIR, file)).href)) as { loader?: unknown; action?: unknown };
    const rule = ROUTE_RULES[route];
    expect({ loader: typeof module.loader === 'function', action: typeof module.action === 'function' }).toEqual({
      loader: Boolean(rule?.loader),
      action: Boolean(rule?.action),
    });
  });
});

describe('route × role × object', () => {
  test.each(routeFiles)(
    '$route',
    async ({ route, file }) => {
      const module = (await import(pathToFileURL(path.join(ROUTES_DIR, file)).href)) as Record<string, RouteFunction | undefined>;
      const rule = ROUTE_RULES[route]!;
      const actual: Record<string, string> = {};
      const wanted: Record<string, string> = {};
      for (const kind of ['loader', 'action'] as const) {
        const fnRule = rule[kind];
        const fn = module[kind];
        if (!fnRule || !fn) continue;
        const places: Array<Place | null> = fnRule.object ? [...PLACES] : [null];
        for (const place of places) {
          const ref = fnRule.object && place ? fixture.objects[fnRule.object][place] : null;
          for (const who of WHO) {
            const key = `${kind} ${who}${place ? ` ${place}` : ''}`;
            const want = expected(fnRule, who, place);
            const got = await call(fn, kind, route, who, fnRule, ref);
            // 'open': a public page may also send to the login (a second step without its first).
            wanted[key] = String(want);
            actual[key] = want === 'open' && (got === 'allowed' || got === 'login') ? 'open' : String(got);
          }
        }
      }
      expect(actual).toEqual(wanted);
    },
    120_000,
  );
});
