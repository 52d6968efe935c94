// `npm start` (and `npm run dev` with --dev): PostgreSQL, Temporal, migrations, demo data, worker
// and web, all from one command on a fresh clone. All four are supervised (the embedded PostgreSQL
// and Temporal dev server when we start them): one that dies is started again with backoff while
// the rest keeps running (each in a process group of its own, so a dead worker's Chromium goes with
// it). Ctrl-C stops everything.
import path from 'node:path';
import { createDb } from '../db';
import { calendarDate } from '../domain/calendar';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../db/seed/demo';
import { ensureWebBuild } from './lib/build';
import {
  deliverDemoHeatingStatement,
  fillDemoMonthlyHistory,
  migrateAndSeedDemo,
  pendingDemoHistoryMonths,
  triggerFirstMonthlyRun,
} from './lib/demo';
import { DATA_DIR, ROOT, ensureDatabase, ensureDevSecrets, ensureTemporal, migrationTarget, type Stop } from './lib/services';
import { Supervisor } from './lib/supervisor';
import { headSigner } from '../server/proof/signing';
import { startAllDeviceWorkflows } from './lib/workflow-starts';
import { ensureRetentionWorkflows } from '../server/archive';
import { temporalClient } from '../server/temporal';
import { signalUntracked } from './cli/track-overdue';
import { config, databaseTimeouts } from '../server/config';

const dev = process.argv.includes('--dev');
const log = (line: string) => console.log(`[klarmeter] ${line}`);
const stops: Stop[] = [];
const supervisor = new Supervisor(path.join(DATA_DIR, 'logs'), {
  onExit: (service, how, restartInMs) =>
    log(`${service.name} exited (${how}); restarting in ${restartInMs / 1000} s, the rest keeps running (log: ${service.logFile}).`),
  onRestart: (service) => log(`${service.name} restarted (pid ${service.pid}, restart ${service.restarts}).`),
  onRestartFailed: (service, error) => log(`${service.name} did not come back: ${error.message}; trying again.`),
});
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log('Stopping …');
  await supervisor.stopAll();
  for (const stop of stops.reverse()) await stop().catch((e: Error) => log(`while stopping: ${e.message}`));
  process.exit(code);
}
// Children lead process groups of their own (Ctrl-C reaches only us); should we end abruptly, they end too.
process.once('exit', () => {
  for (const service of supervisor.list()) if (service.pid) process.kill(-service.pid, 'SIGKILL');
});
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function startChild(name: string, script: string, opts: { nodeArgs?: string[]; args?: string[] }, env: NodeJS.ProcessEnv) {
  return supervisor.start({
    name,
    command: process.execPath,
    args: [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'scripts', script), ...(opts.args ?? [])],
    cwd: ROOT,
    env,
    // Shown here as before, and kept in .data/logs/<name>.log.
    echo: (chunk, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(chunk),
  });
}

try {
  ensureDevSecrets();
  // Supervised like worker and web: a crashed PostgreSQL or Temporal comes back on its data, while
  // worker and web ride out the gap (503 pages, retries) instead of stopping.
  stops.push(await ensureDatabase(log, supervisor));
  stops.push(await ensureTemporal(log, supervisor));

  // Migrations and the demo as the owner role (maintenance work: the larger database limits); the
  // worker and the web connect as the application role.
  const target = migrationTarget();
  const db = createDb(target.url, { headSigner: headSigner(), timeouts: databaseTimeouts('maintenance') });
  const freshDemo = await migrateAndSeedDemo(db, log, { appRole: target.appRole });
  const historyMonths = await pendingDemoHistoryMonths(db, calendarDate(new Date()));

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: dev ? 'development' : 'production' };
  // In development the worker restarts on changes (it bundles the workflow code at start).
  await startChild('worker', 'worker.ts', { nodeArgs: dev ? ['--watch'] : [] }, env);
  if (!dev) ensureWebBuild(log);
  await startChild('web', 'web.ts', { args: dev ? ['--dev'] : [] }, env);
  // Workflows for devices without one (first start, or a reset Temporal history); idempotent, so
  // it runs while the portal already answers.
  const deviceWork = startAllDeviceWorkflows(db, log)
    .catch((error: Error) => log(`Starting device workflows failed: ${error.message}`))
    // Retention timers of archived documents whose start was lost (idempotent like the devices').
    .then(() => ensureRetentionWorkflows({ db }))
    .then((started) => log(`Retention workflows: ${started} started.`))
    .catch((error: Error) => log(`Starting retention workflows failed: ${error.message}`))
    // Obligations a release before KlarOverdue started begin tracking it (a fresh demo has none).
    .then(async () => {
      if (freshDemo) return;
      const signalled = await signalUntracked(temporalClient());
      if (signalled.length > 0) log(`KlarOverdue: ${signalled.length} running obligations told to track it.`);
    })
    .catch((error: Error) => log(`Signalling obligations without KlarOverdue failed: ${error.message}`));
  // A new demo shows last month's consumption information at once instead of on the 5th, then a
  // year of history for the charts and comparisons; a later start completes a history it left unfinished.
  if (freshDemo || historyMonths.length > 0)
    void (async () => {
      if (freshDemo) await triggerFirstMonthlyRun(log);
      await fillDemoMonthlyHistory(historyMonths, log);
    })().catch((error: Error) => log(`Monthly information run not started: ${error.message}`));
  // Last year's heating statement, delivered partly in the portal and partly by post (idempotent:
  // a restart finishes an interrupted one and creates no second).
  const demoStatement = deliverDemoHeatingStatement(log).catch((error: Error) =>
    log(`Demo heating statement not finished: ${error.message}`),
  );
  // Closed only when both are done: the models are bound to the process's newest database handle,
  // which is this one when the services' own handle was opened before it.
  void Promise.allSettled([deviceWork, demoStatement]).finally(() => db.close());

  const port = config().PORT;
  console.log(`
  Klarmeter läuft:    http://localhost:${port}
  Temporal UI:        ${config().TEMPORAL_UI_URL ?? '(external cluster)'}
  Health:             http://localhost:${port}/healthz

  Demo-Zugänge (Passwort "${DEMO_PASSWORD}"):
${DEMO_LOGINS.map((l) => `    ${l.role.padEnd(11)} ${l.email}`).join('\n')}

  Ctrl-C beendet alles.
`);
} catch (error) {
  console.error(`[klarmeter] ${(error as Error).message}`);
  await shutdown(1);
}
