import { matchRoutes, type AgnosticRouteMatch, type AgnosticRouteObject } from '@remix-run/router';
import { describe, expect, it } from 'vitest';
import { REMEMBERED_PATHS, cachedMatchRoutes } from './route-match-cache';

// A tree shaped as Remix builds it from app/routes: a root layout, index routes, params, a splat,
// an optional segment, pathless layouts and nested layouts; fresh objects on every call, as
// RemixServer builds them per request.
function remixTree(extra: AgnosticRouteObject[] = []): AgnosticRouteObject[] {
  return [
    {
      id: 'root',
      path: '',
      children: [
        { id: 'routes/_index', index: true },
        { id: 'routes/dashboard', path: 'dashboard' },
        {
          id: 'routes/geraete',
          path: 'geraete',
          children: [
            { id: 'routes/geraete._index', index: true },
            { id: 'routes/geraete.$id', path: ':id' },
            { id: 'routes/geraete.bericht[.pdf]', path: 'bericht.pdf' },
          ],
        },
        { id: 'routes/abrechnungen.$id.nachweis.$occupancyId', path: 'abrechnungen/:id/nachweis/:occupancyId' },
        { id: 'routes/($lang).hilfe', path: ':lang?/hilfe' },
        { id: 'routes/_auth', children: [{ id: 'routes/_auth.login', path: 'login' }] },
        { id: 'routes/Gross', path: 'Gross', caseSensitive: true },
        { id: 'routes/$', path: '*' },
        ...extra,
      ],
    },
  ];
}

const PATHS = [
  '/',
  '/dashboard',
  '/dashboard/',
  '/geraete',
  '/geraete/17',
  '/geraete/bericht.pdf',
  '/geraete/a%20b',
  '/abrechnungen/3/nachweis/12',
  '/hilfe',
  '/en/hilfe',
  '/login',
  '/Gross',
  '/gross',
  '/gibt/es/nicht',
];

type Comparable = { ids: string[]; params: Record<string, string | undefined>; pathnames: string[][] } | null;

function comparable(matches: AgnosticRouteMatch[] | null): Comparable {
  if (!matches) return null;
  return {
    ids: matches.map((m) => m.route.id!),
    params: { ...matches.at(-1)!.params },
    pathnames: matches.map((m) => [m.pathname, m.pathnameBase]),
  };
}

function countingMatchRoutes() {
  let calls = 0;
  const counted: typeof matchRoutes = (routes, location, basename) => {
    calls++;
    return matchRoutes(routes, location, basename);
  };
  return { counted, calls: () => calls };
}

describe('cached route matching', () => {
  it('answers every kind of path as React Router does, the second time from memory', () => {
    const { counted, calls } = countingMatchRoutes();
    const cached = cachedMatchRoutes(counted);
    for (const path of PATHS) {
      const expected = comparable(matchRoutes(remixTree(), path));
      expect(comparable(cached(remixTree(), path)), path).toEqual(expected);
      expect(comparable(cached(remixTree(), path)), `${path} again`).toEqual(expected);
      expect(comparable(cached(remixTree(), { pathname: path }, '/')), `${path} as a location`).toEqual(expected);
    }
    expect(calls()).toBe(PATHS.length);
  });

  it("points at the routes of the tree it is given, and shares one params object among a call's matches", () => {
    const cached = cachedMatchRoutes(matchRoutes);
    const first = cached(remixTree(), '/geraete/17')!;
    (first[2]!.params as Record<string, string>).id = 'vom ersten verändert';
    const tree = remixTree();
    const matches = cached(tree, '/geraete/17')!;
    const geraete = tree[0]!.children![2]!;
    expect(matches.map((m) => m.route)).toEqual([tree[0], geraete, geraete.children![1]]);
    expect(matches[0]!.route).toBe(tree[0]);
    expect(matches[2]!.route).toBe(geraete.children![1]);
    expect(matches[0]!.params).toBe(matches[2]!.params);
    // A caller changing its params does not change what the next caller gets.
    (matches[0]!.params as Record<string, string>).id = 'verändert';
    expect(cached(remixTree(), '/geraete/17')![2]!.params).toEqual({ id: '17' });
  });

  it('does not answer a tree of another shape from the memory of the first', () => {
    const cached = cachedMatchRoutes(matchRoutes);
    expect(comparable(cached(remixTree(), '/neu'))!.ids).toEqual(['root', 'routes/$']);
    const grown = remixTree([{ id: 'routes/neu', path: 'neu' }]);
    expect(comparable(cached(grown, '/neu'))!.ids).toEqual(['root', 'routes/neu']);
    const renamed = remixTree();
    renamed[0]!.children![1]!.path = 'uebersicht';
    expect(cached(renamed, '/dashboard')![1]!.route.id).toBe('routes/$');
    expect(cached(renamed, '/uebersicht')![1]!.route.id).toBe('routes/dashboard');
  });

  it('leaves trees without route ids and the basename to React Router', () => {
    const { counted, calls } = countingMatchRoutes();
    const cached = cachedMatchRoutes(counted);
    const anonymous: AgnosticRouteObject[] = [{ path: '/a' }, { path: '/b/:x' }];
    expect(cached(anonymous, '/b/1')![0]!.params).toEqual({ x: '1' });
    expect(cached(anonymous, '/b/1')![0]!.params).toEqual({ x: '1' });
    expect(calls()).toBe(2);
    expect(comparable(cached(remixTree(), '/app/dashboard', '/app'))).toEqual(
      comparable(matchRoutes(remixTree(), '/app/dashboard', '/app')),
    );
    expect(cached(remixTree(), '/anderswo/dashboard', '/app')).toBeNull();
  });

  it('remembers at most REMEMBERED_PATHS paths, forgetting the oldest', () => {
    const remembered = new Map();
    const cached = cachedMatchRoutes(matchRoutes, remembered);
    for (let id = 0; id < REMEMBERED_PATHS + 50; id++) cached(remixTree(), `/geraete/${id}`);
    expect(remembered.size).toBe(REMEMBERED_PATHS);
    expect([...remembered.keys()].some((key: string) => key.includes('/geraete/0\u0000'))).toBe(false);
    expect(cached(remixTree(), '/geraete/0')![2]!.params).toEqual({ id: '0' });
  });
});
