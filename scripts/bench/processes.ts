// What the benchmarks with worker processes share: a bench worker process of its own
// (scripts/bench/monthly-worker.ts: the production worker without start-up sweeps), and peak resident
// memory and CPU time of this process, the Temporal server and the workers while a piece of work runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { round } from './stats';

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export function residentMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Peak RSS of this process and of the Temporal server, sampled every 200 ms while `work` runs, and
 * the CPU seconds both used (the machine is shared: CPU time does not depend on others' load).
 */
export async function measured<T>(temporalPid: number | undefined, work: () => Promise<T>, workerPids: number[] = []) {
  const peak = { processMb: 0, temporalMb: 0, workersMb: workerPids.map(() => 0) };
  const cpuBefore = { process: process.cpuUsage(), temporal: cpuSeconds(temporalPid), workers: workerPids.map(cpuSeconds) };
  const sample = () => {
    peak.processMb = Math.max(peak.processMb, process.memoryUsage().rss / 1024 / 1024);
    peak.temporalMb = Math.max(peak.temporalMb, residentMb(temporalPid) ?? 0);
    peak.workersMb = workerPids.map((pid, i) => Math.max(peak.workersMb[i] ?? 0, residentMb(pid) ?? 0));
  };
  sample();
  const timer = setInterval(sample, 200);
  try {
    const result = await work();
    sample();
    const used = process.cpuUsage(cpuBefore.process);
    const temporalCpu = cpuSeconds(temporalPid);
    const workersCpu = workerPids.map((pid, i) => {
      const [now, before] = [cpuSeconds(pid), cpuBefore.workers[i] ?? null];
      return now !== null && before !== null ? round(now - before, 2) : null;
    });
    return {
      result,
      peak: {
        processMb: round(peak.processMb),
        temporalServerMb: temporalPid ? round(peak.temporalMb) : null,
        ...(workerPids.length ? { workerProcessesMb: peak.workersMb.map((mb) => round(mb)) } : {}),
      },
      cpuSeconds: {
        process: round((used.user + used.system) / 1e6, 2),
        temporalServer: temporalCpu !== null && cpuBefore.temporal !== null ? round(temporalCpu - cpuBefore.temporal, 2) : null,
        ...(workerPids.length ? { workerProcesses: workersCpu } : {}),
      },
    };
  } finally {
    clearInterval(timer);
  }
}

const BENCH_WORKER_SCRIPT = path.join(import.meta.dirname, 'monthly-worker.ts');

/** A bench worker process (scripts/bench/monthly-worker.ts); resolves once it polls the task queue. */
export async function startWorkerProcess(address: string, databaseUrl: string, taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', BENCH_WORKER_SCRIPT, address, databaseUrl, taskQueue], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench worker not ready after 180 s')), 180_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('bench worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench worker exited during start (${code})`));
    });
  });
  return child;
}

/** SIGTERM drains a worker (the SDK's shutdown signal); resolves when it has exited. */
export function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
