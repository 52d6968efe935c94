// Workflow tests on Temporal's time-skipping test server: a server of its own (its clock starts at
// the real now and jumps to the next timer whenever nothing else is going on), our search attributes
// registered, and a worker with the run's workflow bundle and real activities against the test
// database (or activities a test builds itself). Each harness starts its own server, so one test's
// jumps never shift another test's clock.
import { execFileSync } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { format } from 'prettier';
import { afterAll, afterEach, beforeEach, inject } from 'vitest';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { Db } from '../../db';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../../workflows/shared/search-attributes';
import { buildWorker } from '../../scripts/lib/worker';
import { bundleWorkflows, quietRuntime } from './temporal';
import { uniqueSuffix } from './fixtures';

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  /**
   * A plain client of the test server: time moves only when the test calls `skip`. (The SDK's
   * time-skipping client lets the clock run free while a result is awaited, and with other
   * workflows' timers pending it may jump years.)
   */
  client: Client;
  taskQueue: string;
  /** Moves the server's clock forward, firing every timer on the way, and waits until the workflows are idle again. */
  skip(duration: Duration): Promise<void>;
  /** The server's current time (epoch ms). */
  now(): Promise<number>;
  /**
   * Lets the workflow finish what it is doing (the clock cannot pass a minute while an activity or
   * task is in flight), then terminates it. The test server keeps the clock locked forever for work
   * that a termination cuts off, so tests never terminate a busy workflow.
   */
  terminate(handle: WorkflowHandle): Promise<void>;
  /** A worker outage: stops the worker (startWorker brings up a new one on the same task queue). */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  /** Stops the worker and the server. */
  stop(): Promise<void>;
}

export interface TimeSkippingOptions {
  db: Db;
  /** Activities in place of the production ones (for tests about timers only); default createActivities. */
  activities?: WorkerOptions['activities'];
  workerOptions?: Partial<WorkerOptions>;
}

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/**
 * The SDK gives the test server a fixed 5 s to accept connections; on a loaded machine it sometimes
 * needs longer, so a start that timed out is tried again (each attempt on a fresh port).
 */
async function startTestServer(attempts = 6): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: inject('temporalTestServer') } },
      });
    } catch (error) {
      if (attempt >= attempts || !String(error).includes('Failed to start ephemeral server')) throw error;
    }
  }
}

export async function startTimeSkipping(options: TimeSkippingOptions): Promise<TimeSkipping> {
  quietRuntime();
  const [env, workflowBundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTE_DECLARATIONS.map(({ name, type }) => [
          name,
          type === 'Datetime'
            ? IndexedValueType.INDEXED_VALUE_TYPE_DATETIME
            : type === 'Bool'
              ? IndexedValueType.INDEXED_VALUE_TYPE_BOOL
              : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    const taskQueue = `time-skipping-${uniqueSuffix()}`;
    const createWorker = () =>
      options.activities
        ? Worker.create({
            connection: env.nativeConnection,
            taskQueue,
            workflowBundle,
            activities: options.activities,
            ...options.workerOptions,
          })
        : buildWorker({
            connection: env.nativeConnection,
            taskQueue,
            db: options.db,
            workflowBundle,
            workerOptions: options.workerOptions,
          });
    let current: { worker: Worker; running: Promise<void> } | null = null;
    const startWorker = async () => {
      const worker = await createWorker();
      current = { worker, running: worker.run() };
    };
    const stopWorker = async () => {
      const stopping = current;
      current = null;
      if (!stopping) return;
      if (stopping.worker.getState() === 'RUNNING') stopping.worker.shutdown();
      await stopping.running.catch(() => undefined);
    };
    await startWorker();
    let stopped: Promise<void> | undefined;
    return {
      env,
      client: new Client({ connection: env.connection, namespace: 'default' }),
      taskQueue,
      skip: (duration) => env.sleep(duration),
      now: () => env.currentTimeMs(),
      async terminate(handle) {
        await env.sleep('1 minute');
        await handle.terminate();
      },
      stopWorker,
      startWorker,
      stop() {
        stopped ??= (async () => {
          await stopWorker();
          await env.teardown();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await env.teardown();
    throw error;
  }
}

/**
 * A server of its own for every test in the enclosing describe block (its clock starts at the real
 * now): for tests whose server code stamps rows with the real time. The next test's server starts
 * while the current test runs, so the start-up cost mostly overlaps with the test.
 */
export function timeSkippingPerTest(options: TimeSkippingOptions): { readonly current: TimeSkipping } {
  let spare: Promise<TimeSkipping> | null = null;
  let current: TimeSkipping | null = null;
  const start = () => {
    const starting = startTimeSkipping(options);
    starting.catch(() => undefined);
    return starting;
  };
  beforeEach(async () => {
    current = await (spare ?? start());
    spare = start();
  });
  afterEach(async () => {
    await current?.stop();
    current = null;
  });
  afterAll(async () => {
    const left = spare;
    spare = null;
    await (await left?.catch(() => null))?.stop();
  });
  return {
    get current() {
      if (!current) throw new Error('timeSkippingPerTest: no test is running');
      return current;
    },
  };
}

// ---- recording histories for the replay test (workflows/replay.test.ts) ----

const HISTORIES_DIR = path.resolve(import.meta.dirname, '../../workflows/histories');

/**
 * With RECORD_HISTORIES=1 (`npm run histories:record`), writes the history of a finished run to
 * workflows/histories/<workflow type>/<name>@<commit>.json, where the replay test picks it up. The
 * commit names the code the history was recorded from: record before changing a workflow, and commit
 * the new files of that workflow's type with the change; older histories stay (running executions
 * may still be on any earlier version).
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const { type } = await handle.describe();
  const history = await handle.fetchHistory();
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const file = path.join(HISTORIES_DIR, type, `${name}@${commit}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  // Formatted as Prettier would, so the format check leaves recorded histories alone.
  await writeFile(file, await format(historyToJSON(history), { parser: 'json' }));
}

/** The run ids of a workflow from its first run on, following continue-as-new. */
export async function runsFrom(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}
