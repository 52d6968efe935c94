// `npm start` (and `npm run dev` with --dev): PostgreSQL, Temporal, migrations, demo data, worker
// and web, all from one command on a fresh clone. Ctrl-C stops every child process.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createDb } from '../db';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../db/seed/demo';
import { ensureWebBuild } from './lib/build';
import { migrateAndSeedDemo, triggerFirstMonthlyRun } from './lib/demo';
import { ROOT, ensureDatabase, ensureDevSecrets, ensureTemporal, migrationTarget, type Stop } from './lib/services';
import { headSigner } from '../server/proof/signing';
import { killOnExit, stopChild } from './lib/temporal';
import { startAllDeviceWorkflows } from './lib/workflow-starts';
import { config } from '../server/config';

const dev = process.argv.includes('--dev');
const log = (line: string) => console.log(`[klarmeter] ${line}`);
const stops: Stop[] = [];
const children: ChildProcess[] = [];
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log('Stopping …');
  await Promise.all(children.map((child) => stopChild(child)));
  for (const stop of stops.reverse()) await stop().catch((e: Error) => log(`while stopping: ${e.message}`));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function startChild(name: string, script: string, opts: { nodeArgs?: string[]; args?: string[] }, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'scripts', script), ...(opts.args ?? [])],
    { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  child.on('exit', (code, signal) => {
    if (stopping) return;
    log(`${name} exited (${signal ?? code}); stopping everything.`);
    void shutdown(1);
  });
  killOnExit(child);
  children.push(child);
  return child;
}

try {
  ensureDevSecrets();
  stops.push(await ensureDatabase(log));
  stops.push(await ensureTemporal(log));

  // Migrations and the demo as the owner role; the worker and the web connect as the application role.
  const target = migrationTarget();
  const db = createDb(target.url, { headSigner: headSigner() });
  const freshDemo = await migrateAndSeedDemo(db, log, { appRole: target.appRole });

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: dev ? 'development' : 'production' };
  // In development the worker restarts on changes (it bundles the workflow code at start).
  startChild('worker', 'worker.ts', { nodeArgs: dev ? ['--watch'] : [] }, env);
  if (!dev) ensureWebBuild(log);
  startChild('web', 'web.ts', { args: dev ? ['--dev'] : [] }, env);
  // Workflows for devices without one (first start, or a reset Temporal history); idempotent, so
  // it runs while the portal already answers.
  void startAllDeviceWorkflows(db, log)
    .catch((error: Error) => log(`Starting device workflows failed: ${error.message}`))
    .finally(() => db.close());
  // A new demo shows last month's consumption information at once instead of on the 5th.
  if (freshDemo) void triggerFirstMonthlyRun(log).catch((error: Error) => log(`Monthly information run not started: ${error.message}`));

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
