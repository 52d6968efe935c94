// Server rendering as Remix's default, plus the CSP nonce: scripts/web.ts puts a fresh nonce in the
// load context and into the Content-Security-Policy header; every inline script React or Remix
// renders carries it (RemixServer's streamed data, <Scripts>, <ScrollRestoration> via NonceContext).
import { PassThrough } from 'node:stream';
import type { AppLoadContext, EntryContext, HandleDataRequestFunction, HandleErrorFunction } from '@remix-run/node';
import { createReadableStreamFromReadable } from '@remix-run/node';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';
import { NonceContext } from '~/utils/nonce';
import { unavailableDataResponse, unavailableResponse, unavailableService, type UnavailableService } from '../server/availability';

// Requests whose loader or action failed because PostgreSQL or Temporal is away. handleError sees
// the original error (the document handler only gets it sanitized in production) and marks the
// request; handleRequest then answers with the German 503 page instead of the error boundary, and
// handleDataRequest a data request with a 503 the app's error boundary shows in German.
const unavailable = new WeakMap<Request, UnavailableService>();

/** How long deferred data may stream before the render gives up (Remix single fetch reads this). */
export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const service = unavailable.get(request);
  if (service) return unavailableResponse(service);
  const nonce = loadContext.cspNonce;
  // Crawlers and the SPA mode get the whole document at once; browsers get the shell first.
  const waitForAll = isbot(request.headers.get('User-Agent') ?? '') || remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    // Aborts a render still streaming deferred data after streamTimeout; cleared once all is written,
    // so finished renders are not aborted (which made React build an error per request).
    const timeout = setTimeout(() => abort(), streamTimeout + 1_000);
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set('Content-Type', 'text/html; charset=utf-8');
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        ...(waitForAll
          ? { onAllReady: () => (clearTimeout(timeout), ready()) }
          : { onShellReady: ready, onAllReady: () => clearTimeout(timeout) }),
        onShellError(error: unknown) {
          clearTimeout(timeout);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell reject and are logged by Remix; later ones only here.
          if (shellRendered) console.error(error);
        },
      },
    );
  });
}

/** Remix's default, which stays silent for requests the client abandoned; marks outages (above). */
export const handleError: HandleErrorFunction = (error, { request }) => {
  const service = unavailableService(error);
  if (service) unavailable.set(request, service);
  if (!request.signal.aborted) console.error(error);
};

/** Data requests (client navigations, fetchers, form submissions) that met an outage: 503 in German (above). */
export const handleDataRequest: HandleDataRequestFunction = async (response, { request }) => {
  const service = unavailable.get(request);
  if (!service) return response;
  await response.body?.cancel().catch(() => undefined);
  return unavailableDataResponse(service, request);
};
