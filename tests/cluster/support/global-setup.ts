// `npm run test:cluster`: starts the production topology once per run (`npm run cluster` as a child
// process, on free ports, with its own data directory) and stops it afterwards. TEST_CLUSTER_DIR
// points at the data directory of a cluster that is already running instead (tests kill and
// restart its processes).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { readClusterState } from '../../../scripts/lib/cluster';
import { freePort, portOpen } from '../../../scripts/lib/temporal';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterDataDir: string;
  }
}

const root = path.resolve(import.meta.dirname, '../../..');

/**
 * A frontend port whose neighbours (Temporal's other services: +1…+10, −300…−294) are free too,
 * below 32768: Temporal stores membership ports as smallint (ephemeral ports are above).
 */
async function freeTemporalPort(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    const all = [0, 1, 2, 6, 10, -300, -299, -298, -294].map((offset) => port + offset);
    if (!(await Promise.all(all.map((p) => portOpen(p)))).some(Boolean)) return port;
  }
}

function stopCluster(child: ChildProcess, dataDir: string): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      // It did not stop in time: kill it, and its services (each in a process group of its own).
      child.kill('SIGKILL');
      for (const { pid } of Object.values(readClusterState(dataDir)?.services ?? {})) {
        try {
          if (pid) process.kill(-pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }, 60_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

export default async function setup(project: TestProject) {
  const existing = process.env.TEST_CLUSTER_DIR;
  if (existing) {
    if (!readClusterState(path.resolve(existing))?.ready) throw new Error(`TEST_CLUSTER_DIR=${existing}: no ready cluster there`);
    project.provide('clusterDataDir', path.resolve(existing));
    return;
  }

  const dataDir = path.join(root, '.data', `cluster-test-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const httpPort = await freePort();
  const env = {
    ...process.env,
    CLUSTER_DATA_DIR: dataDir,
    CLUSTER_HTTP_PORT: String(httpPort),
    CLUSTER_WEB_PORTS: `${await freePort()},${await freePort()}`,
    CLUSTER_PG_PORT: String(await freePort()),
    CLUSTER_TEMPORAL_PORT: String(await freeTemporalPort()),
  };
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'cluster.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`npm run cluster exited during start (${signal ?? code})`))),
  );
  const ready = (async () => {
    while (!readClusterState(dataDir)?.ready) {
      if (Date.now() - started > 600_000) throw new Error('The cluster did not come up within 10 minutes');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (error) {
    await stopCluster(child, dataDir);
    throw error;
  }
  exited.catch(() => undefined);
  console.log(`[cluster tests] cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('clusterDataDir', dataDir);

  return async () => {
    await stopCluster(child, dataDir);
    if (existsSync(dataDir) && !process.env.KEEP_CLUSTER_DATA) rmSync(dataDir, { recursive: true, force: true });
  };
}
