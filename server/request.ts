// Facts about the incoming request that security decisions depend on: client IP and origin.
import { config } from './config';

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** The client's IP as Express resolved it (honouring `trust proxy`); set by scripts/web.ts. */
    clientIp?: string;
    /** This response's CSP nonce (scripts/web.ts), for the inline scripts the page renders. */
    cspNonce?: string;
  }
}

export interface RequestContext {
  clientIp?: string;
}

export function clientIp(context: RequestContext | undefined): string | null {
  return context?.clientIp ?? null;
}

/** Whether the client is this machine (IPv4 127/8, IPv6 ::1, also IPv4-mapped): an operator on the host. */
export function isLoopback(ip: string | null): boolean {
  if (!ip) return false;
  const address = ip.replace(/^::ffff:/i, '');
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

export function userAgent(request: Request): string | null {
  return request.headers.get('User-Agent')?.slice(0, 512) ?? null;
}

/** The hosts a form may be posted from: the request's own, plus PUBLIC_URL's when a proxy rewrites Host. */
function allowedHosts(requestHost: string): Set<string> {
  const hosts = new Set([requestHost]);
  const publicUrl = config().PUBLIC_URL;
  if (publicUrl) hosts.add(new URL(publicUrl).host);
  return hosts;
}

/**
 * Whether a state-changing request comes from one of our pages: browsers send Origin on POST; older
 * ones at least a Referer (our Referrer-Policy keeps it same-origin). Neither, or another host: no.
 * Shared by the web server's door (scripts/web.ts) and requireSameOrigin.
 */
export function isSameOrigin(requestHost: string, headers: { get(name: string): string | null }): boolean {
  const origin = headers.get('Origin');
  const source = origin && origin !== 'null' ? origin : headers.get('Referer');
  let host: string | null = null;
  try {
    host = source ? new URL(source).host : null;
  } catch {
    host = null;
  }
  return host !== null && allowedHosts(requestHost).has(host);
}

/**
 * CSRF defence for every state-changing request (besides SameSite=Lax on the session cookie). The
 * web server refuses cross-site requests before Remix sees them; actions check again, so that a
 * route called another way (tests, a future adapter) is just as safe.
 */
export function requireSameOrigin(request: Request): void {
  if (!isSameOrigin(new URL(request.url).host, request.headers)) {
    throw new Response('Anfrage abgelehnt: Herkunft der Anfrage ungültig.', { status: 403, statusText: 'Forbidden' });
  }
}
