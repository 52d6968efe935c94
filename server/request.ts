// Facts about the incoming request that security decisions depend on: client IP and origin.
import { config } from './config';

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** The client's IP as Express resolved it (honouring `trust proxy`); set by scripts/web.ts. */
    clientIp?: string;
  }
}

export interface RequestContext {
  clientIp?: string;
}

export function clientIp(context: RequestContext | undefined): string | null {
  return context?.clientIp ?? null;
}

export function userAgent(request: Request): string | null {
  return request.headers.get('User-Agent')?.slice(0, 512) ?? null;
}

/** The hosts a form may be posted from: the request's own, plus PUBLIC_URL's when a proxy rewrites Host. */
function allowedHosts(request: Request): Set<string> {
  const hosts = new Set([new URL(request.url).host]);
  const publicUrl = config().PUBLIC_URL;
  if (publicUrl) hosts.add(new URL(publicUrl).host);
  return hosts;
}

/**
 * CSRF defence for every state-changing request (besides SameSite=Lax on the session cookie):
 * browsers send Origin on POST; older ones at least a Referer (our Referrer-Policy keeps it
 * same-origin). A request with neither, or from another host, is refused.
 */
export function requireSameOrigin(request: Request): void {
  const origin = request.headers.get('Origin');
  const source = origin && origin !== 'null' ? origin : request.headers.get('Referer');
  let host: string | null = null;
  try {
    host = source ? new URL(source).host : null;
  } catch {
    host = null;
  }
  if (!host || !allowedHosts(request).has(host)) {
    throw new Response('Anfrage abgelehnt: Herkunft der Anfrage ungültig.', { status: 403, statusText: 'Forbidden' });
  }
}
