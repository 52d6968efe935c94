// A workflow history as Temporal exports it (the proto JSON of `temporal workflow show --output
// json`, or the SDK's historyToJSON) turned into plain events whose payloads are decoded: what the
// timeline reads, and what "show the raw event" shows. Pure: base64 and UTF-8 through the
// platform's atob and TextDecoder, no I/O.

export interface HistoryEvent {
  id: number;
  /** ISO instant. */
  time: string;
  /** "ActivityTaskScheduled", from EVENT_TYPE_ACTIVITY_TASK_SCHEDULED. */
  type: string;
  /** The event's attributes with every payload decoded (JSON payloads as values, binary/null as null). */
  attributes: Record<string, unknown>;
}

/** The exported JSON of one run's history: `{ events: [...] }`. */
export interface HistoryJson {
  events?: Array<Record<string, unknown>>;
}

const utf8 = new TextDecoder();

function base64Text(value: string): string {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return utf8.decode(bytes);
}

function isPayload(value: unknown): value is { metadata: Record<string, string>; data?: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const metadata = (value as { metadata?: unknown }).metadata;
  return !!metadata && typeof metadata === 'object' && typeof (metadata as { encoding?: unknown }).encoding === 'string';
}

/** One payload's value: JSON as itself, binary/null as null, anything else (binary, encrypted) described. */
export function decodePayload(payload: { metadata: Record<string, string>; data?: string }): unknown {
  const encoding = base64Text(payload.metadata.encoding ?? '');
  if (encoding === 'binary/null') return null;
  if (encoding === 'json/plain') return payload.data ? (JSON.parse(base64Text(payload.data)) as unknown) : null;
  return { encoding, bytes: payload.data ? atob(payload.data).length : 0 };
}

/** Decodes every payload (and `{ payloads: [...] }` list) inside a value, keeping everything else. */
export function decodePayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodePayloads);
  if (!value || typeof value !== 'object') return value;
  if (isPayload(value)) return decodePayload(value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'payloads' && Array.isArray(record.payloads)) return record.payloads.map(decodePayloads);
  return Object.fromEntries(keys.map((key) => [key, decodePayloads(record[key])]));
}

/** EVENT_TYPE_WORKFLOW_EXECUTION_STARTED → WorkflowExecutionStarted */
export function eventTypeName(raw: string): string {
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function decodeHistoryEvent(raw: Record<string, unknown>): HistoryEvent {
  const attributesKey = Object.keys(raw).find((key) => key.endsWith('EventAttributes'));
  const attributes = attributesKey ? decodePayloads(raw[attributesKey]) : {};
  return {
    id: Number(raw.eventId),
    time: String(raw.eventTime ?? ''),
    type: eventTypeName(String(raw.eventType ?? '')),
    attributes: (attributes ?? {}) as Record<string, unknown>,
  };
}

export function decodeHistory(history: HistoryJson): HistoryEvent[] {
  return (history.events ?? []).map(decodeHistoryEvent);
}
