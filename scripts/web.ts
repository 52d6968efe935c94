// The web process: Express serving the Remix app. Production serves build/ (from `remix vite:build`);
// `--dev` or NODE_ENV=development runs Vite in middleware mode with hot reload (Remix "custom server").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { InlineConfig, ViteDevServer } from 'vite';
import { config, requireConfig } from '../server/config';
import { closeLiveHub } from '../server/live';

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
 * Which proxies may tell us the client's IP and protocol (X-Forwarded-For/-Proto). Default: proxies
 * on private networks (a load balancer or ingress), never the open internet. TRUST_PROXY accepts
 * Express's forms: true/false, a hop count, or a list of addresses/subnets.
 */
function trustProxySetting(): boolean | number | string {
  const value = config().TRUST_PROXY;
  if (!value) return 'loopback, linklocal, uniquelocal';
  if (value === 'true' || value === 'false') return value === 'true';
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
];

const securityHeaders: RequestHandler = (req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  next();
};

// Server-sent events must reach the browser as they are written; compression would buffer them.
const compressUnlessStream = compression({
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

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const dev = options.dev ?? false;
  const buildDirectory = options.buildDirectory ?? path.join(ROOT, 'build');
  const app = express();
  const server = http.createServer(app);
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting());
  app.use(securityHeaders);
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
    app.use(express.static(path.join(buildDirectory, 'client'), { maxAge: '1h' }));
    build = (await import(pathToFileURL(path.join(buildDirectory, 'server', 'index.js')).href)) as ServerBuild;
  }

  const handleRequest = createRequestHandler({
    build,
    mode: dev ? 'development' : 'production',
    getLoadContext: (req) => ({ clientIp: req.ip }),
  });
  // Remix's handler passes its own errors to next(); Express 4 ignores the returned promise.
  app.all('*', (req, res, next) => void handleRequest(req, res, next));
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
  return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
}

if (isMain()) {
  const dev = process.argv.includes('--dev') || process.env.NODE_ENV === 'development';
  // React and Remix choose their production code paths by NODE_ENV.
  process.env.NODE_ENV ??= dev ? 'development' : 'production';
  const settings = requireConfig('DATABASE_URL', 'SESSION_SECRET'); // fails fast, naming every missing or invalid variable
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
