// `npm run test:cluster`: starts the production topology once per run (`npm run cluster` as a child
// process, on free ports, with its own data directory) and stops it afterwards. TEST_CLUSTER_DIR
// points at the data directory of a cluster that is already running instead (tests kill and
// restart its processes).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestProject } from 'vitest/node';
import { readClusterState } from '../../../scripts/lib/cluster';
import { freePort, portOpen } from '../../../scripts/lib/temporal';

declare module 'vitest' {
  export interface ProvidedContext {
    clusterDataDir: string;
  }
}

const root = path.resolve(import.meta.dirname, '../../..');
/** temporal.api.enums.v1.TaskQueueType (the proto package is not a direct dependency). */
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

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

/**
 * The demo's start-up work done (2,000 device workflows started, a first monthly run) and the task
 * queue drained: the tests time real timers and must not queue behind it.
 */
async function waitUntilQuiet(dataDir: string): Promise<void> {
  const started = Date.now();
  const waitFor = async (what: string, done: () => Promise<boolean>) => {
    while (!(await done())) {
      if (Date.now() - started > 600_000) throw new Error(`The cluster did not settle within 10 minutes: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  await waitFor('start-up work', async () => readClusterState(dataDir)?.bootstrapped === true);
  const state = readClusterState(dataDir)!;
  const connection = await Connection.connect({ address: state.temporalAddress });
  const client = new Client({ connection, namespace: state.namespace });
  try {
    await waitFor('task queue backlog', async () => {
      const backlogs = await Promise.all(
        [TASK_QUEUE_TYPE.workflow, TASK_QUEUE_TYPE.activity].map(async (taskQueueType) => {
          const description = await connection.workflowService.describeTaskQueue({
            namespace: state.namespace,
            taskQueue: { name: state.taskQueue },
            taskQueueType,
            reportStats: true,
          });
          return Number(String(description.stats?.approximateBacklogCount ?? 0));
        }),
      );
      const { count } = await client.workflow.count(`KlarObligation = 'monthly-information' AND ExecutionStatus = 'Running'`);
      return backlogs.every((n) => n === 0) && count === 0;
    });
  } finally {
    await connection.close();
  }
  console.log(`[cluster tests] start-up work done, task queue drained after ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
    await waitUntilQuiet(path.resolve(existing));
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
    // The demo's 2,000 device workflow start-ups would take minutes to drain on a small machine,
    // and the tests time real timers: the demo data is there, its workflows are not started.
    CLUSTER_DEMO_WORKFLOWS: 'false',
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
    console.log(`[cluster tests] cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await Promise.race([waitUntilQuiet(dataDir), exited]);
  } catch (error) {
    await stopCluster(child, dataDir);
    throw error;
  }
  exited.catch(() => undefined);
  project.provide('clusterDataDir', dataDir);

  return async () => {
    await stopCluster(child, dataDir);
    if (existsSync(dataDir) && !process.env.KEEP_CLUSTER_DATA) rmSync(dataDir, { recursive: true, force: true });
  };
}
