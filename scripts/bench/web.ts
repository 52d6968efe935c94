// What the page benchmarks share: the production build served by a tier of web processes, a signed-in
// user of the bench organisation, a static asset as the reference, and latencies under concurrent clients.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { hash } from '@node-rs/argon2';
import type { Db } from '../../db';
import type { Role } from '../../domain/roles';
import { ensureWebBuild } from '../lib/build';
import { freePort, type DevServer } from '../lib/temporal';
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
  /** One address per web process; the clients spread over them as a round-robin load balancer does. */
  urls: string[];
  /** The session cookie of a `role` user of the organisation. */
  cookie: string;
  /** CPU seconds (user + system) the web processes have used so far. */
  cpuSeconds(): number;
  /** CPU seconds the Temporal server has used so far, when the bench passed its process. */
  temporalCpuSeconds(): number | null;
  close(): Promise<void>;
}

/**
 * Web processes of the production tier (`npm run cluster` runs two behind HAProxy): BENCH_WEB_PROCESSES
 * (default 2), each its own Node process, so the clients in this process do not share the servers'
 * event loop and the pages are measured as a deployment serves them.
 */
export const WEB_PROCESSES = Number(process.env.BENCH_WEB_PROCESSES ?? 2);

const CLOCK_TICKS_PER_SECOND = 100;

/** user + system CPU seconds of a process (Linux /proc). */
function processCpuSeconds(pid: number): number {
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function startWebProcess(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = fork(path.join(import.meta.dirname, 'web-process.ts'), [], {
    // BENCH_WEB_NODE_ARGS: extra Node flags for the web processes (a CPU profile: --cpu-prof --cpu-prof-dir=DIR).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_WEB_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '')],
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bench web process exited (${code}) before listening`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/**
 * The production build (built if missing) served by WEB_PROCESSES web processes, and a signed-in
 * `role` user of the organisation. With `temporal`, its CPU per request is reported as well.
 */
export async function startBenchWeb(db: Db, organisationId: number, role: Role, temporal?: DevServer): Promise<BenchWeb> {
  ensureWebBuild(log);
  const email = `bench-${role}-${organisationId}@klarmeter.de`;
  const password = 'bench-password';
  await db.models.User.findOrCreate({
    where: { email },
    defaults: { organisationId, email, name: `Bench ${role}`, role, passwordHash: await hash(password) },
  });
  const processes = await Promise.all(Array.from({ length: WEB_PROCESSES }, () => startWebProcess()));
  const close = async () => {
    await Promise.all(
      processes.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    const urls = processes.map((p) => p.url);
    // Sessions live in the database: one login serves every process.
    const cookie = await loginCookie(urls[0]!, email, password);
    const cpuSeconds = () => processes.reduce((sum, { child }) => sum + processCpuSeconds(child.pid!), 0);
    const temporalPid = temporal?.process?.pid;
    const temporalCpuSeconds = () => (temporalPid === undefined ? null : processCpuSeconds(temporalPid));
    return { urls, cookie, cpuSeconds, temporalCpuSeconds, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface Latencies {
  p50: number;
  p95: number;
  requests: number;
  /** CPU of the web processes per request: what a page costs the server. */
  serverCpuMsPerRequest: number;
  /** CPU of this process (the clients) per request. */
  clientCpuMsPerRequest: number;
  /** CPU of the Temporal server per request (null: not metered). */
  temporalCpuMsPerRequest: number | null;
}

// One keep-alive connection per client, as a browser keeps one per tab.
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

/**
 * One GET as a browser sends it (compressed answer, the session cookie), read to its last byte: the
 * answer's status. A load generator's client, like wrk's: it does not decompress or parse the page,
 * which is the browser's work, so little of the machine's CPU goes to measuring.
 */
function get(url: URL, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers: { Cookie: cookie, 'Accept-Encoding': 'gzip, deflate, br' } }, (response) => {
      response.on('data', () => undefined);
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    });
    request.once('error', reject);
  });
}

/**
 * p50/p95 of `path` under `clients` concurrent clients spread over the web processes, and the CPU per
 * request of the servers and of the clients: on a shared machine the latencies move with the
 * neighbours' load, the CPU per request much less.
 */
export async function latencies(web: BenchWeb, pathAndQuery: string, clients = CLIENTS): Promise<Latencies> {
  const samples: number[] = [];
  const run = (requestsPerClient: number, sample: (ms: number) => void) =>
    pool(
      Array.from({ length: clients }, (_, i) => i),
      clients,
      async (client) => {
        const url = new URL(pathAndQuery, web.urls[client % web.urls.length]);
        for (let i = 0; i < requestsPerClient; i++) {
          const started = performance.now();
          const status = await get(url, web.cookie);
          if (status !== 200) throw new Error(`${url} answered ${status}`);
          sample(performance.now() - started);
        }
      },
    );
  // Unmeasured warm-up: a running server has compiled its code long ago. Measured cold, each page's
  // first few hundred requests also paid V8's optimising compiler: 20-30 ms per request against 13 ms
  // warm for the same pages.
  await run(WARM_UP_PER_CLIENT, () => undefined);
  const clientCpu = process.cpuUsage();
  const serverCpu = web.cpuSeconds();
  const temporalCpu = web.temporalCpuSeconds();
  await run(REQUESTS_PER_CLIENT, (ms) => samples.push(ms));
  samples.sort((a, b) => a - b);
  const usedByClients = process.cpuUsage(clientCpu);
  const usedByServers = web.cpuSeconds() - serverCpu;
  const temporalCpuAfter = web.temporalCpuSeconds();
  const usedByTemporal = temporalCpu === null || temporalCpuAfter === null ? null : temporalCpuAfter - temporalCpu;
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    requests: samples.length,
    serverCpuMsPerRequest: round((usedByServers * 1000) / samples.length),
    clientCpuMsPerRequest: round((usedByClients.user + usedByClients.system) / 1000 / samples.length),
    temporalCpuMsPerRequest: usedByTemporal === null ? null : round((usedByTemporal * 1000) / samples.length),
  };
}
