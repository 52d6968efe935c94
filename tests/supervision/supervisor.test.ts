// The supervisor behind `npm start` and `npm run cluster`, with real processes: a child killed with
// kill -9 is started again after its backoff, its sibling keeps running untouched, and what the
// dead child had started itself (as a worker starts Chromium) does not survive it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { Supervisor, type Service } from '../../scripts/lib/supervisor';
import { alive } from '../../scripts/lib/cluster';
import { eventually } from '../support/eventually';

const logDir = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-supervisor-'));
const events: string[] = [];
const supervisor = new Supervisor(logDir, {
  onExit: (service, how, restartInMs) => events.push(`${service.name} exited ${how}, restart in ${restartInMs}`),
  onRestart: (service) => events.push(`${service.name} restarted`),
  onRestartFailed: (service, error) => events.push(`${service.name} failed: ${error.message}`),
});

afterAll(async () => {
  await supervisor.stopAll();
  rmSync(logDir, { recursive: true, force: true });
});

/** A node process that starts a long-lived process of its own (like Chromium under a worker) and prints its pid. */
const PARENT_WITH_CHILD = `
  const { spawn } = require('node:child_process');
  const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  console.log('grandchild ' + grandchild.pid);
  setInterval(() => {}, 1000);
`;

async function grandchildOf(service: Service): Promise<number> {
  return eventually(async () => {
    const { readFile } = await import('node:fs/promises');
    const lines = [...(await readFile(service.logFile, 'utf8')).matchAll(/grandchild (\d+)/g)];
    const pid = Number(lines.at(-1)?.[1]);
    expect(pid).toBeGreaterThan(0);
    return pid;
  });
}

test('kill -9 of one child: it comes back after its backoff, the other keeps running, its own children die with it', async () => {
  const spec = (name: string) => ({
    name,
    command: process.execPath,
    args: ['-e', PARENT_WITH_CHILD],
    readyLine: /grandchild \d+/,
  });
  const worker = await supervisor.start(spec('worker'));
  const web = await supervisor.start(spec('web'));
  const [workerPid, webPid] = [worker.pid!, web.pid!];
  const chromium = await grandchildOf(worker);
  expect(alive(chromium)).toBe(true);

  process.kill(workerPid, 'SIGKILL');
  // Its group goes with it: nothing it started is left as an orphan.
  await eventually(() => expect(alive(chromium)).toBe(false));
  await eventually(() => {
    expect(worker.restarts).toBe(1);
    expect(worker.pid).toBeDefined();
    expect(worker.pid).not.toBe(workerPid);
  });
  expect(events).toContain('worker exited SIGKILL, restart in 1000');
  await eventually(() => expect(events).toContain('worker restarted'));
  expect(alive(worker.pid!)).toBe(true);
  // The sibling was not touched.
  expect(web.pid).toBe(webPid);
  expect(web.restarts).toBe(0);
  expect(alive(webPid)).toBe(true);

  // A second crash in a row waits twice as long.
  const secondPid = worker.pid!;
  process.kill(secondPid, 'SIGKILL');
  await eventually(() => expect(events).toContain('worker exited SIGKILL, restart in 2000'));
  await eventually(() => expect(worker.restarts).toBe(2), { timeoutMs: 10_000 });
  expect(worker.pid).not.toBe(secondPid);
});
