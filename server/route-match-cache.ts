// Remix and React Router match a page's URL against every route up to four times per document
// request (server runtime, router, rendering, the lazily discovered manifest), and each time they
// flatten and rank all ~120 routes and compile their patterns anew: about a sixth of the CPU of a
// signed-in page. The answer depends only on the route tree and the path, so it is remembered by
// those; each call still gets fresh match objects pointing at the route objects it passed in
// (React's side builds a new tree per request). Decision 0014.
import { createRequire } from 'node:module';
import type { AgnosticRouteMatch, AgnosticRouteObject } from '@remix-run/router';

type MatchRoutes = (
  routes: AgnosticRouteObject[],
  location: string | { pathname?: string },
  basename?: string,
) => AgnosticRouteMatch[] | null;

interface RouteIndex {
  /** Which shape the tree has (ids, paths, index and case flags, nesting): equal trees, equal numbers. */
  shape: number;
  byId: Map<string, AgnosticRouteObject>;
}

/** A remembered match: route ids instead of the route objects of the tree it was computed on. */
interface RememberedMatch {
  routeId: string;
  pathname: string;
  pathnameBase: string;
}
type Remembered = { params: Record<string, string | undefined>; matches: RememberedMatch[] } | null;

/** Distinct paths remembered (ids in paths make them unbounded); the oldest are forgotten first. */
export const REMEMBERED_PATHS = 2_000;

const indexes = new WeakMap<AgnosticRouteObject[], RouteIndex | null>();
const shapes = new Map<string, number>();

/** The tree's shape and its routes by id; null when a route has no id (not a Remix tree: not cached). */
function routeIndex(routes: AgnosticRouteObject[]): RouteIndex | null {
  const known = indexes.get(routes);
  if (known !== undefined) return known;
  const byId = new Map<string, AgnosticRouteObject>();
  let shape = '';
  const walk = (level: AgnosticRouteObject[]): boolean => {
    shape += '[';
    for (const route of level) {
      if (typeof route.id !== 'string' || byId.has(route.id)) return false;
      byId.set(route.id, route);
      shape += JSON.stringify([route.id, route.path ?? null, route.index === true, route.caseSensitive === true]);
      if (route.children && !walk(route.children)) return false;
    }
    shape += ']';
    return true;
  };
  let index: RouteIndex | null = null;
  if (walk(routes)) {
    if (!shapes.has(shape)) shapes.set(shape, shapes.size);
    index = { shape: shapes.get(shape)!, byId };
  }
  indexes.set(routes, index);
  return index;
}

export function cachedMatchRoutes(matchRoutes: MatchRoutes, remembered = new Map<string, Remembered>()): MatchRoutes {
  return (routes, location, basename) => {
    const index = routeIndex(routes);
    const pathname = typeof location === 'string' ? location : location.pathname;
    if (!index || pathname === undefined) return matchRoutes(routes, location, basename);
    const key = `${basename ?? '/'}\u0000${pathname}\u0000${index.shape}`;
    let known = remembered.get(key);
    if (known === undefined) {
      const matches = matchRoutes(routes, location, basename);
      known = matches && {
        params: matches.at(-1)?.params ?? {},
        matches: matches.map((match) => ({ routeId: match.route.id!, pathname: match.pathname, pathnameBase: match.pathnameBase })),
      };
      if (remembered.size >= REMEMBERED_PATHS) remembered.delete(remembered.keys().next().value!);
      remembered.set(key, known);
    }
    if (!known) return null;
    // One params object shared by the matches, as React Router returns them.
    const params = { ...known.params };
    return known.matches.map(({ routeId, pathname: matched, pathnameBase }) => ({
      params,
      pathname: matched,
      pathnameBase,
      route: index.byId.get(routeId)!,
    }));
  };
}

let installed = false;

/** Puts the cache in front of the one `matchRoutes` that Remix's server runtime and React Router call. */
export function installRouteMatchCache(): void {
  if (installed) return;
  installed = true;
  const router = createRequire(import.meta.url)('@remix-run/router') as { matchRoutes: MatchRoutes };
  router.matchRoutes = cachedMatchRoutes(router.matchRoutes);
}
