// `npm run bench -- devices`: device-workflow starts per second against a no-op workflow on the same
// Temporal server (ratio), and p50/p95 of the device register under 10 concurrent clients, on a
// portfolio of BENCH_UNITS (default 10,000) units in its own database `klarmeter_bench`.
import { hash } from '@node-rs/argon2';
import { temporalClient } from '../../server/temporal';
import { ensureDeviceWorkflows } from '../../server/device-obligation';
import { ensureWebBuild } from '../lib/build';
import { freePort } from '../lib/temporal';
import { benchPortfolio, log, startBenchEnvironment, timed } from './setup';
import { percentile, pool, round } from './stats';

const UNITS = Number(process.env.BENCH_UNITS ?? 10_000);
const CONCURRENCY = 50;
const CLIENTS = 10;
const REQUESTS_PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 30);

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

async function latencies(url: string, cookie: string): Promise<{ p50: number; p95: number; requests: number }> {
  const samples: number[] = [];
  await pool(Array.from({ length: CLIENTS }), CLIENTS, async () => {
    for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
      const started = performance.now();
      const response = await fetch(url, { headers: { Cookie: cookie } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      samples.push(performance.now() - started);
    }
  });
  samples.sort((a, b) => a - b);
  return { p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), requests: samples.length };
}

export async function benchDevices() {
  const { db, close } = await startBenchEnvironment();
  const taskQueue = 'klarmeter-bench';
  try {
    const { organisationId, propertyIds } = await benchPortfolio(db, UNITS);
    const deviceIds = (
      await db.models.Device.findAll({ where: { propertyId: propertyIds }, attributes: ['id'], order: [['id', 'ASC']], raw: true })
    ).map((d) => d.id);
    log(`${deviceIds.length} devices in ${propertyIds.length} properties`);

    const client = temporalClient();
    log('starting no-op workflows …');
    const noop = await timed(() =>
      pool(deviceIds, CONCURRENCY, async (id) => {
        // A workflow type nobody polls for: the start itself is what is measured.
        await client.workflow.start('noop', { workflowId: `noop-${id}`, taskQueue: `${taskQueue}-noop`, args: [] });
      }),
    );
    log('starting device workflows …');
    const devices = await timed(() => ensureDeviceWorkflows(client, deviceIds, { concurrency: CONCURRENCY, taskQueue, db }));
    const noopRate = deviceIds.length / noop.seconds;
    const deviceRate = devices.result.ensured / devices.seconds;

    // The register, served by the production build as users get it.
    ensureWebBuild(log);
    const manager = `bench-manager-${organisationId}@klarmeter.de`;
    const password = 'bench-password';
    await db.models.User.findOrCreate({
      where: { email: manager },
      defaults: { organisationId, email: manager, name: 'Bench Verwaltung', role: 'manager', passwordHash: await hash(password) },
    });
    process.env.NODE_ENV = 'production';
    const { startWebServer } = await import('../web');
    const web = await startWebServer({ port: await freePort() });
    try {
      const cookie = await loginCookie(web.url, manager, password);
      const oneProperty = await latencies(`${web.url}/geraete?property=${propertyIds[0]}`, cookie);
      const firstPageOfAll = await latencies(`${web.url}/geraete`, cookie);
      return {
        units: UNITS,
        devices: deviceIds.length,
        workflowStarts: {
          concurrency: CONCURRENCY,
          noopPerSecond: round(noopRate),
          devicePerSecond: round(deviceRate),
          ratio: round(deviceRate / noopRate, 3),
        },
        register: { clients: CLIENTS, onePropertyMs: oneProperty, firstPageOfAllMs: firstPageOfAll },
      };
    } finally {
      await web.close();
    }
  } finally {
    await close();
  }
}
