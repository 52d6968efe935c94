// What the page benchmarks share: the production build served in the bench process, a signed-in
// user of the bench organisation, a static asset as the reference, and latencies under concurrent clients.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import type { Db } from '../../db';
import type { Role } from '../../domain/roles';
import { ensureWebBuild } from '../lib/build';
import { freePort } from '../lib/temporal';
import { log } from './setup';
import { percentile, pool, round } from './stats';

export const CLIENTS = 10;
const REQUESTS_PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 30);
const WARM_UP_PER_CLIENT = Number(process.env.BENCH_WARM_UP ?? 30);

/** A fingerprinted script of the production build: served by express.static, no loader, no session. */
export function staticAssetPath(): string {
  const assets = path.join(process.cwd(), 'build', 'client', 'assets');
  const script = readdirSync(assets).find((name) => name.endsWith('.js'));
  if (!script) throw new Error(`no script in ${assets} to use as the static reference`);
  return `/assets/${script}`;
}

async function loginCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: baseUrl },
    body: new URLSearchParams({ email, password }),
  });
  const cookie = response.headers.get('set-cookie');
  if (!cookie) throw new Error(`bench login failed (${response.status})`);
  return cookie.split(';')[0]!;
}

export interface BenchWeb {
  url: string;
  /** The session cookie of a `role` user of the organisation. */
  cookie: string;
  close(): Promise<void>;
}

/** The production build (built if missing) served by the web server in this process, and a signed-in `role` user of the organisation. */
export async function startBenchWeb(db: Db, organisationId: number, role: Role): Promise<BenchWeb> {
  ensureWebBuild(log);
  const email = `bench-${role}-${organisationId}@klarmeter.de`;
  const password = 'bench-password';
  await db.models.User.findOrCreate({
    where: { email },
    defaults: { organisationId, email, name: `Bench ${role}`, role, passwordHash: await hash(password) },
  });
  process.env.NODE_ENV = 'production';
  const { startWebServer } = await import('../web');
  const web = await startWebServer({ port: await freePort() });
  // Clients and server share this process's event loop: on a loaded machine a long tick lets the
  // server's 5 s idle timeout close a socket the client has just picked for its next request
  // (ECONNRESET). Idle keep-alive sockets stay open longer than the client keeps them.
  web.server.keepAliveTimeout = 60_000;
  try {
    return { url: web.url, cookie: await loginCookie(web.url, email, password), close: () => web.close() };
  } catch (error) {
    await web.close();
    throw error;
  }
}

export interface Latencies {
  p50: number;
  p95: number;
  requests: number;
  cpuMsPerRequest: number;
}

/**
 * p50/p95 under `clients` concurrent clients, and the CPU time of this process per request (server and
 * clients share it; the static reference shows that floor): on a shared machine the latencies move
 * with the neighbours' load, the CPU per request much less.
 */
export async function latencies(url: string, cookie: string, clients = CLIENTS): Promise<Latencies> {
  const samples: number[] = [];
  const run = (requestsPerClient: number, sample: (ms: number) => void) =>
    pool(Array.from({ length: clients }), clients, async () => {
      for (let i = 0; i < requestsPerClient; i++) {
        const started = performance.now();
        const response = await fetch(url, { headers: { Cookie: cookie } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
        sample(performance.now() - started);
      }
    });
  // Unmeasured warm-up: a running server has compiled its code long ago. Measured cold, each page's
  // first few hundred requests also paid V8's optimising compiler (its threads count in this
  // process's CPU): 20-30 ms per request against 13 ms warm for the same pages.
  await run(WARM_UP_PER_CLIENT, () => undefined);
  const cpu = process.cpuUsage();
  await run(REQUESTS_PER_CLIENT, (ms) => samples.push(ms));
  samples.sort((a, b) => a - b);
  const used = process.cpuUsage(cpu);
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    requests: samples.length,
    cpuMsPerRequest: round((used.user + used.system) / 1000 / samples.length),
  };
}
