// One live connection (/live, server-sent events) per browser, shared by all of its tabs. Browsers
// allow six HTTP/1.1 connections per host: with one EventSource per tab, a sixth tab had none left
// for its page loads and data requests, and everything stalled until a stream was closed. Here the
// tabs elect a leader through a Web Lock; only the leader holds the EventSource and hands every
// event to the other tabs over a BroadcastChannel. When the leader closes or navigates away, the
// browser releases its lock and the next tab in the queue takes over. Without Web Locks or
// BroadcastChannel (old browsers) each tab falls back to its own EventSource.
//
// Browser-only: nothing here runs on import; the first subscriber (an effect) starts it.

export interface LiveMessage {
  type: string;
  [key: string]: unknown;
}

type Listener = (message: LiveMessage) => void;

const CHANNEL_NAME = 'klarmeter-live';
const LEADER_LOCK = 'klarmeter-live-leader';

const listeners = new Set<Listener>();
let connection: { stop(): void } | null = null;

function deliver(message: LiveMessage): void {
  for (const listener of listeners) {
    try {
      listener(message);
    } catch (error) {
      console.error('[live] listener failed', error);
    }
  }
}

function openEventSource(onMessage: (message: LiveMessage) => void): () => void {
  const source = new EventSource('/live');
  source.addEventListener('message', (event: MessageEvent<string>) => {
    let message: unknown;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message && typeof (message as LiveMessage).type === 'string') onMessage(message as LiveMessage);
  });
  return () => source.close();
}

/** Whether this browser can share one connection between tabs. */
export function canShareConnection(): boolean {
  return typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && 'locks' in navigator;
}

function connect(): { stop(): void } {
  if (!canShareConnection()) return { stop: openEventSource(deliver) };
  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.addEventListener('message', (event: MessageEvent<LiveMessage>) => deliver(event.data));
  const abort = new AbortController();
  let stopped = false;
  let leader: { close(): void; release(): void } | null = null;
  navigator.locks
    .request(LEADER_LOCK, { signal: abort.signal }, () => {
      // Granted after this tab stopped listening (an abort that raced the grant): pass the lock on
      // at once, or an orphaned stream would hold it and keep a connection open for nobody.
      if (stopped) return Promise.resolve();
      // Held until this tab stops listening or goes away (the browser then releases the lock).
      return new Promise<void>((release) => {
        const close = openEventSource((message) => {
          channel.postMessage(message);
          deliver(message);
        });
        leader = { close, release };
      });
    })
    .catch(() => {
      // Aborted while waiting in the queue: this tab stopped listening.
    });
  return {
    stop() {
      stopped = true;
      abort.abort();
      leader?.close();
      leader?.release();
      leader = null;
      channel.close();
    },
  };
}

/**
 * The connection outlives a moment without listeners: React mounts effects twice in development
 * and a navigation unmounts one page's hook before the next page's mounts; neither should hand
 * the stream to another tab and back.
 */
const LINGER_MS = 1_000;
let lingering: ReturnType<typeof setTimeout> | undefined;

/** Calls `listener` with every live event for the signed-in user; returns the unsubscribe function. */
export function subscribeLive(listener: Listener): () => void {
  listeners.add(listener);
  clearTimeout(lingering);
  connection ??= connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    clearTimeout(lingering);
    lingering = setTimeout(() => {
      if (listeners.size > 0) return;
      connection?.stop();
      connection = null;
    }, LINGER_MS);
  };
}
