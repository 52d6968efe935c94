// One LISTEN connection per web process on the live channel, fanned out to the open SSE streams.
// PostgreSQL NOTIFY (not an in-process bus) so that every web instance behind a load balancer
// hears every change.
import pg from 'pg';
import { LIVE_CHANNEL } from '../db';
import { hasPermission, type Permission } from '../domain/permissions';
import type { Role } from '../domain/roles';
import { requireConfig } from './config';
import { scopeCovers, type Scope } from './permissions';

export interface LiveEvent {
  type: string;
  propertyId?: number;
  unitId?: number | null;
  userId?: number;
  [key: string]: unknown;
}

type Listener = (event: LiveEvent) => void;

/** Sent to every listener after a reconnect: events may have been missed, pages should reload data. */
export const RESYNC_EVENT: LiveEvent = { type: 'resync' };

const MAX_BACKOFF_MS = 30_000;

export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoffMs = 500;
  private everConnected = false;
  private closed = false;

  constructor(private readonly connectionString: string) {}

  /** Starts listening on first use; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    void this.ensureConnected();
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  ensureConnected(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, application_name: 'klarmeter-web-live' });
    // Errors after connecting (server restart, network) arrive here; without a handler they crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel !== LIVE_CHANNEL || !message.payload) return;
      let event: LiveEvent;
      try {
        event = JSON.parse(message.payload) as LiveEvent;
      } catch {
        return;
      }
      if (event && typeof event.type === 'string') this.emit(event);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleReconnect(error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = 500;
    if (this.everConnected) this.emit(RESYNC_EVENT);
    this.everConnected = true;
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (!this.closed) this.scheduleReconnect(error);
  }

  private scheduleReconnect(error?: Error): void {
    if (this.closed || this.reconnectTimer) return;
    if (error) console.warn(`[live] LISTEN connection lost (${error.message}); retrying in ${this.backoffMs} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.ensureConnected();
    }, this.backoffMs);
    this.reconnectTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('[live] listener failed', error);
      }
    }
  }

  /** Stops listening and tells every stream to end (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.emit({ type: 'shutdown' });
    this.listeners.clear();
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}

// On globalThis so that Vite's hot module reload in development does not open a second connection.
const holder = globalThis as typeof globalThis & { __klarmeterLiveHub?: LiveHub };

export function liveHub(): LiveHub {
  if (!holder.__klarmeterLiveHub) {
    holder.__klarmeterLiveHub = new LiveHub(requireConfig('DATABASE_URL').DATABASE_URL);
  }
  return holder.__klarmeterLiveHub;
}

export async function closeLiveHub(): Promise<void> {
  const hub = holder.__klarmeterLiveHub;
  holder.__klarmeterLiveHub = undefined;
  await hub?.close();
}

// ---- who hears what ----

type Viewer = { id: number; role: Role };

/**
 * Each event type with the permission its pages require and the rows it concerns, checked exactly
 * as the pages check them: `any` covers the viewer's scope, `own` its own rows (a tenant's own tickets
 * and requests, a technician's properties). Types not listed reach nobody.
 */
const LIVE_EVENT_RULES: Readonly<Record<string, (viewer: Viewer, scope: Scope, event: LiveEvent) => boolean>> = {
  device: (viewer, scope, event) => hasPermission(viewer, 'read:device:own') && scopeCovers(scope, event),
  ticket: (viewer, scope, event) => ownOrScope(viewer, scope, event, 'read:ticket'),
  appointment: (viewer, scope, event) => ownOrScope(viewer, scope, event, 'read:appointment'),
  statement: (viewer, scope, event) => hasPermission(viewer, 'read:statement:own') && viewer.role !== 'tenant' && scopeCovers(scope, event),
  // Managers' and compliance's monthly pages; a tenant's consumption page hears its own flat's events.
  monthly: (viewer, scope, event) =>
    (hasPermission(viewer, 'read:monthly-information:any') || hasPermission(viewer, 'read:tenancy:own')) && scopeCovers(scope, event),
  notification: (viewer, _scope, event) =>
    event.userId === viewer.id || (Array.isArray(event.userIds) && (event.userIds as unknown[]).includes(viewer.id)),
  resync: () => true,
};

/** Tickets and appointments: `any` sees its scope; a tenant its own (it filed them); a technician its properties' and its assigned. */
function ownOrScope(viewer: Viewer, scope: Scope, event: LiveEvent, read: 'read:ticket' | 'read:appointment'): boolean {
  if (hasPermission(viewer, `${read}:any` as Permission)) return scopeCovers(scope, event);
  if (!hasPermission(viewer, `${read}:own` as Permission)) return false;
  if (viewer.role === 'tenant') return event.userId === viewer.id;
  // A technician also hears of tickets assigned to it outside the properties it serves.
  return scopeCovers(scope, event) || (Array.isArray(event.userIds) && (event.userIds as unknown[]).includes(viewer.id));
}

/**
 * The event as this viewer's stream may carry it, or null: filtered by the pages' permissions and
 * stripped of whom it concerns (user ids), since pages only need to know that something changed.
 */
export function liveEventFor(viewer: Viewer, scope: Scope, event: LiveEvent): LiveEvent | null {
  const rule = LIVE_EVENT_RULES[event.type];
  if (!rule?.(viewer, scope, event)) return null;
  const { userId: _userId, userIds: _userIds, ...rest } = event;
  return rest as LiveEvent;
}
