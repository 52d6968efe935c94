// Which backing service an error says is away, and the page a request gets then: a German
// "vorübergehend nicht erreichbar" (503 with Retry-After) instead of a stack trace or a hang.
import { BaseError, ConnectionError, DatabaseError, TimeoutError } from 'sequelize';
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

/** The whole page, without React: it must render when nothing else works. */
export function unavailableResponse(service: UnavailableService): Response {
  const part = service === 'temporal' ? 'Die Vorgangssteuerung' : 'Die Datenbank';
  const html = `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Vorübergehend nicht erreichbar – Klarmeter</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<p>Fehler 503</p>
<h1>Klarmeter ist vorübergehend nicht erreichbar</h1>
<p>${escape(part)} antwortet gerade nicht. Ihre bisherigen Eingaben sind gespeichert. Bitte laden Sie die Seite in etwa ${RETRY_AFTER_SECONDS} Sekunden erneut.</p>
<p><a href="/">Zur Startseite</a></p>
</body>
</html>
`;
  return new Response(html, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Retry-After': String(RETRY_AFTER_SECONDS),
      'Cache-Control': 'no-store',
    },
  });
}
