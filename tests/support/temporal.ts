// Temporal for integration tests: a client and in-process workers against the dev server that
// tests/support/global-setup.ts starts once per run.
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import { buildWorker, type BuildWorkerOptions } from '../../scripts/lib/worker';

export interface TestClient {
  client: Client;
  close(): Promise<void>;
}

export async function connectTestClient(): Promise<TestClient> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/**
 * The run's workflow bundle (tests/support/global-setup.ts bundles workflows/index.ts once); pass it
 * as `workflowBundle`: bundling takes seconds, starting a worker with it does not.
 */
export async function bundleWorkflows(): Promise<WorkflowBundle> {
  return { code: await readFile(inject('workflowBundlePath'), 'utf8') };
}

export interface RunningWorker {
  worker: Worker;
  /** Graceful shutdown: waits for in-flight tasks, then closes the worker's connection. */
  stop(): Promise<void>;
}

/** Worker state changes are logged at INFO; tests only want to hear about trouble. */
export function quietRuntime(): void {
  if (Runtime._instance === undefined) Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** Builds the production worker (scripts/lib/worker.ts) on its own connection and runs it in the background. */
export async function startTestWorker(options: Omit<BuildWorkerOptions, 'connection'>): Promise<RunningWorker> {
  quietRuntime();
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await buildWorker({ ...options, connection });
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await connection.close();
      })();
      return stopped;
    },
  };
}
