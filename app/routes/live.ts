import type { LoaderFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '../../server/auth';
import { liveEventFor, liveHub } from '../../server/live';
import { visibleScope, type Scope } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';
import { sessionToken, userForToken } from '../../server/session';

const HEARTBEAT_MS = 25_000;

/**
 * GET /live: server-sent events for the signed-in user, only what its permissions and scope cover. Each
 * heartbeat re-checks the session (a revoked or expired one ends the stream) and refreshes the
 * scope (a tenancy may have ended).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  // An EventSource cannot follow a log-in redirect; 401 makes it stop retrying.
  if (!user) return new Response('Nicht angemeldet', { status: 401 });
  if (!hasPermission(user, 'read:device:own')) return new Response('Keine Berechtigung', { status: 403 });
  const token = await sessionToken(request);
  let scope: Scope = await visibleScope(user);
  const encoder = new TextEncoder();
  let stop = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const unsubscribe = liveHub().subscribe((event) => {
        if (event.type === 'shutdown') return stop();
        // The same permissions and scope as the pages (server/live.ts): owners and technicians never hear of tickets.
        const visible = liveEventFor(user, scope, event);
        if (visible) send(`data: ${JSON.stringify(visible)}\n\n`);
      });
      const beat = async () => {
        const current = token ? await userForToken(token).catch(() => undefined) : null;
        if (current === null) return stop();
        if (current) scope = await visibleScope(current).catch(() => scope);
        send(': ping\n\n');
      };
      const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);
      stop = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      request.signal.addEventListener('abort', () => stop(), { once: true });
      // Reconnect after 5 s if the connection drops; the comment flushes headers through proxies.
      send('retry: 5000\n: verbunden\n\n');
    },
    cancel() {
      stop();
    },
  });

  return new Response(stream, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // nginx buffers responses by default; SSE must pass through at once.
      'X-Accel-Buffering': 'no',
    },
  });
}
