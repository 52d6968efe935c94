// A small process supervisor for `npm run cluster`: starts each service, waits until it is ready,
// restarts it with backoff when it dies (as systemd's Restart=always would in production) and stops
// everything in reverse order. Each service runs in a process group of its own, so that a dead
// service's children (Chromium under a worker) are killed with it and Ctrl-C in the terminal
// reaches only us: we decide the order in which services stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Resolves once the service answers; rejects (or times out) when it does not come up. */
  ready?: (service: Service) => Promise<void>;
  /** A line of its output that means "ready" (checked before `ready`). */
  readyLine?: RegExp;
  /** SIGTERM unless given (PostgreSQL: SIGINT is its fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** How long an orderly stop may take before SIGKILL. */
  graceMs?: number;
  /** How long the start (process up and ready) may take. */
  startTimeoutMs?: number;
  /** Also hands its output to this (`npm start` shows it in the terminal); it goes to the log file either way. */
  echo?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
}

export interface Service {
  readonly name: string;
  readonly pid: number | undefined;
  readonly restarts: number;
  readonly logFile: string;
}

const MAX_BACKOFF_MS = 30_000;
/** A service that ran this long before dying starts over with the shortest backoff. */
const STABLE_AFTER_MS = 60_000;

class SupervisedService implements Service {
  child: ChildProcess | null = null;
  restarts = 0;
  private backoffMs = 1_000;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly log: WriteStream;

  constructor(
    readonly spec: ServiceSpec,
    readonly logFile: string,
    private readonly events: SupervisorEvents,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get name() {
    return this.spec.name;
  }

  get pid() {
    return this.child?.pid;
  }

  /** Spawns the process and waits until it is ready. */
  async start(): Promise<void> {
    const { spec } = this;
    this.log.write(`\n--- ${new Date().toISOString()} starting ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      uid: spec.uid,
      gid: spec.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.startedAt = Date.now();
    let sawReadyLine: () => void = () => {};
    const readyLine = spec.readyLine ? new Promise<void>((resolve) => (sawReadyLine = resolve)) : Promise.resolve();
    const onOutput = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      this.log.write(chunk);
      spec.echo?.(chunk, stream);
      if (spec.readyLine?.test(chunk.toString())) sawReadyLine();
    };
    child.stdout?.on('data', onOutput('stdout'));
    child.stderr?.on('data', onOutput('stderr'));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`${spec.name} exited during start (${signal ?? code}); see ${this.logFile}`))),
    );
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const timeoutMs = spec.startTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${spec.name} not ready after ${timeoutMs / 1000} s; see ${this.logFile}`)), timeoutMs);
    });
    try {
      await Promise.race([
        (async () => {
          await spawned;
          await readyLine;
          await spec.ready?.(this);
        })(),
        exited,
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
      exited.catch(() => undefined);
    }
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.log.write(`--- ${new Date().toISOString()} exited (${signal ?? code})\n`);
    // Whatever it left behind in its group (Chromium of a killed worker) goes with it.
    killGroup(child, 'SIGKILL');
    if (this.child !== child) return;
    this.child = null;
    if (this.stopping) return;
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.backoffMs = 1_000;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.events.onExit(this, signal ?? code, delay);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.restarts += 1;
      this.start().then(
        () => this.events.onRestart(this),
        (error: Error) => this.events.onRestartFailed(this, error),
      );
    }, delay);
  }

  stop(): Promise<void> {
    this.stopped ??= this.stopNow();
    return this.stopped;
  }

  private async stopNow(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), this.spec.graceMs ?? 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(this.spec.stopSignal ?? 'SIGTERM');
      });
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is empty already.
  }
}

export interface SupervisorEvents {
  onExit(service: Service, how: number | string | null, restartInMs: number): void;
  onRestart(service: Service): void;
  onRestartFailed(service: Service, error: Error): void;
}

export class Supervisor {
  private readonly services: SupervisedService[] = [];
  private closed = false;

  constructor(
    private readonly logDir: string,
    private readonly events: SupervisorEvents,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Starts a service and waits until it is ready; from then on it is restarted whenever it dies. */
  async start(spec: ServiceSpec): Promise<Service> {
    if (this.closed) throw new Error(`Not starting ${spec.name}: stopping`);
    const service = new SupervisedService(spec, path.join(this.logDir, `${spec.name}.log`), this.events);
    this.services.push(service);
    try {
      await service.start();
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  list(): Service[] {
    return [...this.services];
  }

  /** Stops the services in reverse order of their start (load balancer first, database last). */
  async stopAll(): Promise<void> {
    this.closed = true;
    for (const service of [...this.services].reverse()) await service.stop();
  }
}
