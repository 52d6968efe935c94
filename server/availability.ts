// Which backing service an error says is away, and the page a request gets then: a German
// "vorübergehend nicht erreichbar" (503 with Retry-After) instead of a stack trace or a hang.
import { BaseError, ConnectionError, DatabaseError, TimeoutError } from 'sequelize';
import { encode } from 'turbo-stream';
import { temporalUnavailable } from './temporal';

export type UnavailableService = 'temporal' | 'database';

/**
 * PostgreSQL error codes that mean "the database cannot serve now", not "this statement is wrong":
 * statement timeout / cancel (57014), shutdown (57P01–57P03), lock timeout (55P03), too many
 * connections (53300), and the connection exceptions (08xxx).
 */
const DATABASE_AWAY = /^(57014|57P0[123]|55P03|53300|08...)$/;

function databaseUnavailable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    // ConnectionRefused, HostNotFound, ConnectionTimedOut, ConnectionAcquireTimeout, …
    if (cause instanceof ConnectionError || cause instanceof TimeoutError) return true;
    if (cause instanceof DatabaseError) {
      const code = (cause.original as { code?: unknown } | undefined)?.code;
      if (typeof code === 'string' && DATABASE_AWAY.test(code)) return true;
    }
    if (cause instanceof BaseError && /connection (terminated|refused)|not queryable/i.test(cause.message)) return true;
  }
  return false;
}

/** The service an error says is unreachable or overloaded, or null for any other error. */
export function unavailableService(error: unknown): UnavailableService | null {
  if (databaseUnavailable(error)) return 'database';
  if (temporalUnavailable(error)) return 'temporal';
  return null;
}

/** Seconds a client should wait before retrying; the outbox relay and pool heal within this. */
export const RETRY_AFTER_SECONDS = 30;

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** What the user reads, on the whole page and in the app's error boundary after a data request. */
export function unavailableText(service: UnavailableService): { title: string; text: string } {
  const part = service === 'temporal' ? 'Die Vorgangssteuerung' : 'Die Datenbank';
  return {
    title: 'Klarmeter ist vorübergehend nicht erreichbar',
    text: `${part} antwortet gerade nicht. Ihre bisherigen Eingaben sind gespeichert. Bitte laden Sie die Seite in etwa ${RETRY_AFTER_SECONDS} Sekunden erneut.`,
  };
}

const UNAVAILABLE_HEADERS = { 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' };

/** The whole page, without React: it must render when nothing else works. */
export function unavailableResponse(service: UnavailableService): Response {
  const { title, text } = unavailableText(service);
  const html = `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Vorübergehend nicht erreichbar – Klarmeter</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<p>Fehler 503</p>
<h1>${escape(title)}</h1>
<p>${escape(text)}</p>
<p><a href="/">Zur Startseite</a></p>
</body>
</html>
`;
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8', ...UNAVAILABLE_HEADERS } });
}

/** An error response as Remix's single fetch encodes a thrown `data(…, { status })`: the client throws it to the error boundary. */
class ThrownStatus {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly data: unknown,
  ) {}
}

/**
 * The answer to a Remix data request (client navigation, fetcher, form submission) whose loader or
 * action met the outage: 503 with the German text as an error response the app's error boundary
 * shows, instead of "Unexpected Server Error". Single fetch (`/path.data`) gets it encoded as
 * Remix's client decodes it (turbo-stream): for an action its one result, for loaders the root
 * route's (or each route a fetcher asked for with `_routes`), so the root boundary shows it.
 * Legacy `?_data=` requests get it as a caught response (JSON with X-Remix-Catch).
 */
export function unavailableDataResponse(service: UnavailableService, request: Request): Response {
  const message = unavailableText(service);
  const url = new URL(request.url);
  if (url.searchParams.has('_data')) {
    return Response.json(message, { status: 503, headers: { 'X-Remix-Catch': 'yes', ...UNAVAILABLE_HEADERS } });
  }
  const error = new ThrownStatus(503, 'Service Unavailable', message);
  const routes = url.searchParams.get('_routes')?.split(',').filter(Boolean) ?? ['root'];
  const result =
    request.method === 'GET' || request.method === 'HEAD' ? Object.fromEntries(routes.map((id) => [id, { error }])) : { error };
  const body = encode(result, {
    // The same tag Remix's server gives an ErrorResponse (@remix-run/server-runtime single-fetch.js).
    plugins: [(value) => (value instanceof ThrownStatus ? ['ErrorResponse', value.data, value.status, value.statusText] : undefined)],
  });
  return new Response(body, {
    status: 503,
    headers: { 'Content-Type': 'text/x-script', 'X-Remix-Response': 'yes', ...UNAVAILABLE_HEADERS },
  });
}
