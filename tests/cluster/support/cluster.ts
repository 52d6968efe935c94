// Helpers for the failover tests: the running cluster's current processes (from its cluster.json),
// killing one and waiting for the supervisor to bring it back, logging in over HTTP and reading
// the live event stream as a browser's EventSource does.
import { hash } from '@node-rs/argon2';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { inject } from 'vitest';
import { createDb, type Db } from '../../../db';
import { openTicket } from '../../../server/tickets';
import { TICKET_CATEGORIES, TICKET_PRIORITIES } from '../../../domain/sla';
import type { TicketEventKind } from '../../../domain/contracts/ticket';
import { readClusterState, type ClusterState } from '../../../scripts/lib/cluster';
import { eventually, sleep } from '../../support/eventually';
import { createOrgFixture, type OrgFixture } from '../../support/fixtures';

export function clusterState(): ClusterState {
  const state = readClusterState(inject('clusterDataDir'));
  if (!state) throw new Error('No cluster.json: is the cluster running?');
  return state;
}

export function servicePid(name: string): number {
  const pid = clusterState().services[name]?.pid;
  if (!pid) throw new Error(`${name} is not running`);
  return pid;
}

export function webUrl(name: 'web-1' | 'web-2'): string {
  const url = clusterState().services[name]?.url;
  if (!url) throw new Error(`no URL for ${name}`);
  return url;
}

/** Sends the signal to the service's current process; returns that pid. */
export function killService(name: string, signal: NodeJS.Signals = 'SIGKILL'): number {
  const pid = servicePid(name);
  process.kill(pid, signal);
  return pid;
}

/** Waits until the supervisor has restarted the service (a new pid, ready again). */
export async function waitForRestart(name: string, oldPid: number, timeoutMs = 90_000): Promise<number> {
  return eventually(
    () => {
      const pid = clusterState().services[name]?.pid;
      if (!pid || pid === oldPid) throw new Error(`${name} not restarted yet`);
      return pid;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/**
 * The cluster as a test expects to find it: the portal healthy through HAProxy, and each web
 * process answering on its own port (HAProxy puts a restarted one back after two checks).
 */
export async function waitUntilHealthy(timeoutMs = 90_000): Promise<void> {
  const { url, services } = clusterState();
  await eventually(
    async () => {
      for (const target of [url, services['web-1']?.url, services['web-2']?.url]) {
        const response = await fetch(`${target}/healthz`);
        if (response.status !== 200) throw new Error(`${target}/healthz: ${response.status} ${await response.text()}`);
      }
    },
    { timeoutMs, intervalMs: 500 },
  );
  await sleep(2_500); // rise 2 × inter 1 s
}

export function clusterDb(): Db {
  return createDb(clusterState().databaseUrl);
}

export async function clusterTemporal(): Promise<{ client: Client; close(): Promise<void> }> {
  const state = clusterState();
  const connection = await Connection.connect({ address: state.temporalAddress });
  return { client: new Client({ connection, namespace: state.namespace }), close: () => connection.close() };
}

export const CLUSTER_TEST_PASSWORD = 'cluster-test-passwort-1';

/** An organisation of its own (property, unit) whose manager can log in with CLUSTER_TEST_PASSWORD. */
export async function createManagerFixture(db: Db): Promise<OrgFixture & { email: string }> {
  const fixture = await createOrgFixture(db);
  const manager = fixture.managers[0]!;
  await manager.update({ passwordHash: await hash(CLUSTER_TEST_PASSWORD) });
  return { ...fixture, email: manager.email };
}

/** Logs in through the real form (POST /login) and returns the Cookie header for the session. */
export async function logIn(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: baseUrl },
    body: new URLSearchParams({ email, password, redirectTo: '' }),
    redirect: 'manual',
  });
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
  if (response.status !== 302 || !cookie) throw new Error(`login as ${email} at ${baseUrl} failed: ${response.status}`);
  return cookie;
}

/** A form POST as the browser sends it (same origin), without following the redirect. */
export function postForm(baseUrl: string, path: string, cookie: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: baseUrl, Cookie: cookie },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
}

export type LiveEvent = { type: string; [key: string]: unknown };

interface StreamConnection {
  /** The web process that serves it (HAProxy's X-Klarmeter-Web, or the direct URL). */
  backend: string | null;
  openedAt: number;
  endedAt: number | null;
}

/**
 * GET /live read the way a browser's EventSource reads it: events are collected; when the
 * connection drops, it reconnects after the server's `retry:` delay (if `reconnect`).
 */
export class LiveStream {
  readonly events: Array<{ event: LiveEvent; connection: number; at: number }> = [];
  readonly connections: StreamConnection[] = [];
  private readonly abort = new AbortController();
  private retryMs = 5_000;

  private constructor(
    private readonly url: string,
    private readonly cookie: string,
    private readonly reconnect: boolean,
  ) {}

  /** Resolves once the first connection is open (status 200, headers received). */
  static async open(baseUrl: string, cookie: string, options: { reconnect?: boolean } = {}): Promise<LiveStream> {
    const stream = new LiveStream(`${baseUrl}/live`, cookie, options.reconnect ?? true);
    const body = await stream.connect();
    void stream.pump(body);
    return stream;
  }

  private async connect(): Promise<ReadableStream<Uint8Array>> {
    const response = await fetch(this.url, {
      headers: { Cookie: this.cookie, Accept: 'text/event-stream' },
      signal: this.abort.signal,
    });
    if (response.status !== 200 || !response.body) throw new Error(`GET ${this.url}: ${response.status}`);
    this.connections.push({ backend: response.headers.get('x-klarmeter-web') ?? this.url, openedAt: Date.now(), endedAt: null });
    return response.body;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    for (;;) {
      const index = this.connections.length - 1;
      await this.read(body, index).catch(() => undefined);
      this.connections[index]!.endedAt = Date.now();
      if (!this.reconnect || this.abort.signal.aborted) return;
      for (;;) {
        await sleep(this.retryMs);
        if (this.abort.signal.aborted) return;
        try {
          body = await this.connect();
          break;
        } catch {
          // As EventSource does: try again after the retry delay.
        }
      }
    }
  }

  private async read(body: ReadableStream<Uint8Array>, connection: number): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of block.split('\n')) {
          if (line.startsWith('retry:')) this.retryMs = Number(line.slice(6).trim());
          if (line.startsWith('data:'))
            this.events.push({ event: JSON.parse(line.slice(5).trim()) as LiveEvent, connection, at: Date.now() });
        }
      }
    }
  }

  /** The connection currently open (null while reconnecting). */
  get current(): StreamConnection | null {
    const last = this.connections.at(-1);
    return last && last.endedAt === null ? last : null;
  }

  async waitFor(
    predicate: (event: LiveEvent) => boolean,
    timeoutMs = 20_000,
  ): Promise<{ event: LiveEvent; connection: number; at: number }> {
    return eventually(
      () => {
        const found = this.events.find(({ event }) => predicate(event));
        if (!found)
          throw new Error(
            `no matching event on ${this.url} within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.event))}`,
          );
        return found;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  close(): void {
    this.abort.abort();
  }
}

/**
 * Files a ticket on the cluster as a tenant would, after giving the organisation an SLA whose
 * reaction budget is `reactionSeconds` on the calendar clock (an SLA rule is the organisation's
 * own setting), so that the workflow's real timers fire seconds from now: the warning at 75 % of
 * the budget, the breach at 100 %.
 */
export async function fileTicketWithReactionSla(
  db: Db,
  client: Client,
  fixture: OrgFixture,
  reactionSeconds: number,
): Promise<{ ticketId: number; handle: WorkflowHandle }> {
  await db.models.TicketSlaRule.bulkCreate(
    TICKET_CATEGORIES.flatMap((category) =>
      TICKET_PRIORITIES.map((priority) => ({
        organisationId: fixture.organisation.id,
        category,
        priority,
        reactionSeconds,
        resolutionSeconds: reactionSeconds * 20,
        businessHours: false,
      })),
    ),
    { updateOnDuplicate: ['reactionSeconds', 'resolutionSeconds', 'businessHours'] },
  );
  const { ticketId, workflowId } = await openTicket(
    {
      organisationId: fixture.organisation.id,
      propertyId: fixture.property.id,
      unitId: fixture.unit.id,
      createdBy: fixture.managers[0]!.id,
      topic: 'statement_question',
      subject: 'Frage zur Abrechnung',
      body: 'Bitte um Rückruf.',
    },
    { db, client, taskQueue: clusterState().taskQueue },
  );
  return { ticketId, handle: client.workflow.getHandle(workflowId) };
}

/** How many steps of a kind the ticket's history records (each SLA step must be there exactly once). */
export function ticketEvents(db: Db, ticketId: number, kind: TicketEventKind): Promise<number> {
  return db.models.TicketEvent.count({ where: { ticketId, kind } });
}

/** How often the workflow scheduled an activity (each is scheduled once; retries are attempts of it). */
export async function scheduledActivities(handle: WorkflowHandle, activityType: string): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activityType).length;
}

/** The light changes the device's audit log records, in order. */
export async function lightChanges(db: Db, deviceId: number): Promise<unknown[]> {
  const entries = await db.models.AuditEntry.findAll({
    where: { entity: 'device', entityId: String(deviceId), action: 'device.light_changed' },
    order: [['id', 'ASC']],
  });
  return entries.map((entry) => entry.details.to);
}
