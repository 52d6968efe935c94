// The web process: Express serving the Remix app. Production serves build/ (from `remix vite:build`);
// `--dev` or NODE_ENV=development runs Vite in middleware mode with hot reload (Remix "custom server").
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { createRequestHandler, writeReadableStreamToWritable, type ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express, {
  type ErrorRequestHandler,
  type Request as ExpressRequest,
  type RequestHandler,
  type Response as ExpressResponse,
} from 'express';
import type { InlineConfig, ViteDevServer } from 'vite';
import { config, requireConfig } from '../server/config';
import {
  PERMISSIONS_POLICY,
  bodyLimitFor,
  contentSecurityPolicy,
  createNonce,
  crossSiteRefusal,
  tooLargeRefusal,
  type RefusalPage,
} from '../server/http-policy';
import { closeLiveHub } from '../server/live';
import { API_BODY_LIMIT_BYTES, API_PREFIX, handleApiRequest } from '../server/api';
import { isSameOrigin } from '../server/request';
import { statementStyleHashes } from '../server/statement-documents';
import { db } from '../server/db';
import { requireLeastPrivilege } from '../server/database-role';
import { installRouteMatchCache } from '../server/route-match-cache';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface WebServerOptions {
  /** Vite middleware mode (hot reload) instead of the production build. */
  dev?: boolean;
  port?: number;
  host?: string;
  /** Directory of `remix vite:build`'s output (default build/). */
  buildDirectory?: string;
  /** Hot module reload over the HTTP server's socket; off for tests. Default: on in dev. */
  hmr?: boolean;
  /** Extra Vite settings in dev mode (tests use their own cacheDir and a quieter log). */
  vite?: InlineConfig;
}

export interface WebServer {
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/**
 * Which proxies may tell us the client's IP and protocol (X-Forwarded-For/-Proto). Default: none, so
 * the socket's address is the client's and a forged X-Forwarded-For from anywhere (also from the
 * local network) is ignored. TRUST_PROXY names the proxies in Express's forms: a list of addresses
 * or subnets (`10.0.0.5, 10.1.0.0/16`), a name (`loopback`, `uniquelocal`), a hop count, or `true`.
 */
export function trustProxySetting(value: string | undefined = config().TRUST_PROXY): boolean | number | string {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

const SERVER_ONLY_PACKAGES = [
  '@node-rs/argon2',
  '@remix-run/node',
  'sequelize',
  'pg',
  'pg-hstore',
  'zod',
  'puppeteer-core',
  'nodemailer',
  'handlebars',
  '@temporalio/client',
  '@temporalio/common',
  '@temporalio/workflow',
  '@temporalio/activity',
  '@temporalio/worker',
  // TOTP set-up's QR code (server/totp.ts): found late, it made Vite re-optimise and reload open pages.
  '@paulmillr/qr',
];

/** Headers of every answer; the CSP carries a fresh nonce that the page's inline scripts repeat. */
function securityHeaders(dev: boolean): RequestHandler {
  const styleHashes = statementStyleHashes();
  return (req, res, next) => {
    const nonce = createNonce();
    res.locals.cspNonce = nonce;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', contentSecurityPolicy({ nonce, dev, styleHashes }));
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

function refuse(res: ExpressResponse, refusal: RefusalPage, options: { close?: boolean } = {}): void {
  // A refused upload may still be arriving: close the connection instead of reading the rest.
  if (options.close) {
    res.setHeader('Connection', 'close');
    res.once('finish', () => res.socket?.destroy());
  }
  res.status(refusal.status).type('text/html; charset=utf-8').setHeader('Cache-Control', 'no-store');
  res.send(refusal.html);
}

/** The host part of the URL Remix will see, as @remix-run/express builds it (honouring `trust proxy`). */
function requestHost(req: ExpressRequest): string {
  const port = (req.get('X-Forwarded-Host') ?? req.get('Host'))?.split(':')[1];
  return `${req.hostname}${port ? `:${port}` : ''}`;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads a request body with a hard cap, whatever Content-Length says (chunked uploads have none):
 * bytes are counted as they arrive and reading stops at the first byte over the cap. Null: too large.
 */
function readCappedBody(req: ExpressRequest, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: () => void) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(() => resolve(null));
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks, size)));
    const onError = (error: Error) => finish(() => reject(error));
    const onClose = () => finish(() => reject(new Error('client closed the connection during the upload')));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

const BODY = Symbol('klarmeter.body');
type GuardedRequest = ExpressRequest & { [BODY]?: Buffer };

/**
 * The door every request to the app passes: a state-changing request from another site gets 403,
 * a body over its route's limit 413 (declared or counted), both as German pages, before Remix or
 * any route reads anything.
 */
const guardRequests: RequestHandler = (req: GuardedRequest, res, next) => {
  if (UNSAFE_METHODS.has(req.method) && !isSameOrigin(requestHost(req), { get: (name) => req.get(name) ?? null })) {
    return refuse(res, crossSiteRefusal());
  }
  const limit = bodyLimitFor(req.path);
  const declared = Number(req.get('Content-Length') ?? 0);
  const hasBody = declared > 0 || req.get('Transfer-Encoding') !== undefined;
  if (!hasBody) return next();
  if (declared > limit) return refuse(res, tooLargeRefusal(limit), { close: true });
  readCappedBody(req, limit).then(
    (body) => {
      if (body === null) return refuse(res, tooLargeRefusal(limit), { close: true });
      req[BODY] = body;
      next();
    },
    () => res.destroy(),
  );
};

/**
 * The REST API (server/api): bearer tokens only, never the session cookie, so no same-origin check;
 * its body is capped like any other, answered as problem+json instead of a German page.
 */
const apiRequests: RequestHandler = (req: GuardedRequest, res, next) => {
  const tooLarge = () => {
    res.setHeader('Connection', 'close');
    res.once('finish', () => res.socket?.destroy());
    res.status(413).type('application/problem+json');
    res.send(
      JSON.stringify({ type: 'about:blank', title: 'Content Too Large', status: 413, detail: `body over ${API_BODY_LIMIT_BYTES} bytes` }),
    );
  };
  // Methods the Fetch API cannot represent (TRACE, CONNECT): no operation has them.
  if (!API_METHODS.has(req.method)) {
    res.status(405).setHeader('Allow', 'GET, HEAD, POST').type('application/problem+json');
    res.send(JSON.stringify({ type: 'about:blank', title: 'Method Not Allowed', status: 405, detail: `${req.method} is not supported` }));
    return;
  }
  if (Number(req.get('Content-Length') ?? 0) > API_BODY_LIMIT_BYTES) return tooLarge();
  readCappedBody(req, API_BODY_LIMIT_BYTES)
    .then(
      async (body) => {
        if (body === null) return tooLarge();
        req[BODY] = body;
        await sendResponse(res, await handleApiRequest(remixRequest(req, res)));
      },
      () => res.destroy(),
    )
    .catch(next);
};

const API_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** @remix-run/express's request, but with the body the door has read (never the raw stream). */
function remixRequest(req: GuardedRequest, res: ExpressResponse): Request {
  const url = new URL(`${req.protocol}://${requestHost(req)}${req.originalUrl}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  let controller: AbortController | null = new AbortController();
  const init: RequestInit = { method: req.method, headers, signal: controller.signal };
  if (req.method !== 'GET' && req.method !== 'HEAD') init.body = new Uint8Array(req[BODY] ?? Buffer.alloc(0));
  // Abort loaders and actions once no answer can be written (`close` without `finish`).
  res.on('finish', () => (controller = null));
  res.on('close', () => controller?.abort());
  return new Request(url.href, init);
}

/** Writes Remix's answer as @remix-run/express does; event streams are flushed at once. */
async function sendResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  const eventStream = /text\/event-stream/i.test(response.headers.get('Content-Type') ?? '');
  if (eventStream) res.flushHeaders();
  if (!response.body) res.end();
  else if (eventStream) await writeReadableStreamToWritable(response.body, res);
  else await writeInBursts(response.body, res);
}

/**
 * Writes a body burst by burst: React emits a page as dozens of 2 KB chunks in one tick, and writing
 * (and gzip-flushing, as writeReadableStreamToWritable does) each of them cost more CPU than
 * compressing the page once. Chunks that arrive together go out as one write; the compressor is
 * flushed only when the body pauses (deferred data still streams as it resolves).
 */
async function writeInBursts(body: ReadableStream<Uint8Array>, res: ExpressResponse): Promise<void> {
  const reader = body.getReader();
  const flushable = res as ExpressResponse & { flush?: () => void };
  let burst: Uint8Array[] = [];
  const writeBurst = () => {
    if (burst.length === 0) return;
    res.write(burst.length === 1 ? burst[0] : Buffer.concat(burst));
    burst = [];
  };
  let pause: NodeJS.Immediate | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      burst.push(value);
      // setImmediate runs once the chunks already queued (microtasks, this I/O round) are read.
      pause ??= setImmediate(() => {
        pause = undefined;
        writeBurst();
        flushable.flush?.();
      });
    }
    clearImmediate(pause);
    writeBurst();
    res.end();
  } catch (error) {
    clearImmediate(pause);
    res.destroy(error as Error);
    throw error;
  }
}

// Server-sent events must reach the browser as they are written; compression would buffer them.
// Level 1 (gzip) and quality 1 (brotli, which browsers prefer): pages are generated per request, and
// at the defaults (6; 4) compressing them cost as much CPU as rendering them for a few percent fewer
// bytes (`npm run bench -- devices`). Brotli at 1 is still smaller than gzip at 1 (dashboard: 10.7 KB
// against 11.3 KB) and a fifth of its quality-4 CPU.
const compressUnlessStream = compression({
  level: 1,
  brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } },
  filter: (req, res) => !String(res.getHeader('Content-Type') ?? '').startsWith('text/event-stream') && compression.filter(req, res),
});

const errorHandler: ErrorRequestHandler = (error: Error & { status?: number }, _req, res, _next) => {
  // Middleware errors with a client status (a missing asset: 404) are answers, not failures.
  const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error('[web] request failed', error);
  if (res.headersSent) return res.end();
  res
    .status(status)
    .type('text/plain; charset=utf-8')
    .send(
      status === 404 ? 'Nicht gefunden' : status === 500 ? 'Interner Fehler. Bitte versuchen Sie es später erneut.' : 'Ungültige Anfrage',
    );
};

/**
 * The build's other public files (what Vite copies from public/, if any), each with a stat only for
 * a path under one of the directory's top-level names: for every other request (every page) a
 * failed stat and its error object cost about a tenth of the page's CPU (`npm run bench -- devices`).
 * The names are read once at start; the build does not change under a running server.
 */
export function publicFiles(clientDirectory: string): RequestHandler {
  const names = new Set(existsSync(clientDirectory) ? readdirSync(clientDirectory).filter((name) => name !== 'assets') : []);
  const serve = express.static(clientDirectory, { maxAge: '1h' });
  return (req, res, next) => {
    const first = req.path.split('/', 2)[1] ?? '';
    if (!names.has(safeDecode(first))) return next();
    serve(req, res, next);
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const dev = options.dev ?? false;
  const buildDirectory = options.buildDirectory ?? path.join(ROOT, 'build');
  const app = express();
  const server = http.createServer(app);
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting());
  app.use(securityHeaders(dev));
  app.use(compressUnlessStream);

  let vite: ViteDevServer | undefined;
  let build: ServerBuild | (() => Promise<ServerBuild>);
  if (dev) {
    const { createServer } = await import('vite');
    vite = await createServer({
      ...options.vite,
      // The dependency scan follows route files into loaders and .server modules. Pre-bundling their
      // server-only packages for the browser is wasted work, fails for argon2 (its browser entry
      // needs a WASM package we do not install) and reloads open pages when found late.
      optimizeDeps: { ...options.vite?.optimizeDeps, exclude: [...SERVER_ONLY_PACKAGES, ...(options.vite?.optimizeDeps?.exclude ?? [])] },
      root: ROOT,
      // HMR shares our HTTP server's port; without HMR no WebSocket server at all, so that parallel
      // test servers do not compete for Vite's default port.
      server: { middlewareMode: true, ...((options.hmr ?? true) ? { hmr: { server } } : { hmr: false, ws: false }) },
      appType: 'custom',
    });
    app.use(vite.middlewares);
    const devServer = vite;
    build = () => devServer.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>;
  } else {
    // Fingerprinted assets may be cached for ever (and a missing one is a plain 404, not a page); everything else briefly.
    app.use(
      '/assets',
      express.static(path.join(buildDirectory, 'client', 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }),
    );
    app.use(publicFiles(path.join(buildDirectory, 'client')));
    build = (await import(pathToFileURL(path.join(buildDirectory, 'server', 'index.js')).href)) as ServerBuild;
  }

  installRouteMatchCache();
  const handleRequest = createRequestHandler(build, dev ? 'development' : 'production');
  const remix: RequestHandler = (req, res, next) => {
    void (async () => {
      const context = { clientIp: req.ip, cspNonce: res.locals.cspNonce as string };
      await sendResponse(res, await handleRequest(remixRequest(req, res), context));
    })().catch(next);
  };
  app.all(`${API_PREFIX}/*`, apiRequests);
  app.all('*', guardRequests, remix);
  app.use(errorHandler);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open event streams would keep the server from closing: end them first.
      await closeLiveHub();
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(forced);
      await vite?.close();
    })();
    return closing;
  };

  return { url: `http://localhost:${port}`, port, server, close };
}

function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && import.meta.url === pathToFileURL(path.resolve(script)).href;
}

if (isMain()) {
  const dev = process.argv.includes('--dev') || process.env.NODE_ENV === 'development';
  // React and Remix choose their production code paths by NODE_ENV.
  process.env.NODE_ENV ??= dev ? 'development' : 'production';
  // Fails fast, naming every missing or invalid variable; signing proofs and audit heads needs the key.
  const settings = requireConfig('DATABASE_URL', 'SESSION_SECRET', 'PROOF_SIGNING_KEY');
  await requireLeastPrivilege(db(), 'web process');
  const web = await startWebServer({ dev, port: settings.PORT });
  console.log(`[web] Klarmeter on ${web.url} (${dev ? 'development, hot reload' : 'production'})`);
  const shutdown = (signal: string) => {
    console.log(`[web] ${signal}: finishing open requests …`);
    web.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error('[web] shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
