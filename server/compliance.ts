// The compliance desk (/pruefung): obligations as Temporal visibility lists them, one obligation's
// history told in German, its raw export. Read only. Every function takes the signed-in user and
// scopes by its organisation itself: the organisation's clause is added here, never taken from the
// request, and a workflow of another organisation is "not found".
import { QueryTypes } from 'sequelize';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { decodeSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { db } from './db';
import { temporalClient } from './temporal';
import { visibleScope } from './permissions';
import type { SessionUser } from './session';
import { appendAudit } from '../db/audit';
import { SEARCH_KEYS } from '../domain/search-attributes';
import { formatDateTime } from '../domain/format';
import { formatDueAt } from '../domain/compliance/due-dates';
import { decodeHistory, type HistoryEvent, type HistoryJson } from '../domain/compliance/history-events';
import { narrate, type NarrativeContext, type TimelineEntry } from '../domain/compliance/history-narrative';
import {
  EXECUTION_STATUS_LABELS,
  OBLIGATION_WORKFLOW_TYPES,
  kindLabel,
  kindOf,
  obligationKind,
  stateLabel,
} from '../domain/compliance/obligation-kinds';
import { ticketWorkflowId } from '../domain/contracts/ticket';
import {
  NO_LOOKUPS,
  QueryValueError,
  belongsToOrganisation,
  obligationQuery,
  unmarkedObligationsQuery,
  type ObligationFilters,
  type OrganisationScope,
  type ResolvedLookups,
} from '../domain/compliance/obligation-search';
import { toCsv } from '../domain/compliance/csv';

type ExecutionInfo = NonNullable<Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>['executions']>[number];

/**
 * Rows per page: each listed row costs the page's rendering and the visibility store's decoding;
 * under 10 concurrent clients on 2 cores a page of 25 answered in about three quarters of the time a
 * page of 50 took (docs/operations/capacity.md). The CSV has every row.
 */
export const OBLIGATION_PAGE_SIZE = 25;
/** The CSV holds at most this many rows (a filter narrows it); the page says so when it is cut. */
export const OBLIGATION_CSV_LIMIT = 20_000;

/** Visibility's ExecutionStatus by its proto enum number. */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'Running',
  2: 'Completed',
  3: 'Failed',
  4: 'Canceled',
  5: 'Terminated',
  6: 'ContinuedAsNew',
  7: 'TimedOut',
};

export interface ObligationRow {
  workflowId: string;
  runId: string;
  kind: string;
  state: string;
  /** Temporal's own status, "Running", "Completed", …, and its German label. */
  status: string;
  statusLabel: string;
  dueAt: string | null;
  dueText: string;
  late: boolean;
  overdue: boolean;
  property: string;
  unit: string | null;
  device: string | null;
  startedAt: string | null;
  closedAt: string | null;
  /** The object's own portal page, when there is one. */
  pagePath: string | null;
}

export interface ObligationPage {
  rows: ObligationRow[];
  /** Token of the next page (base64url), null on the last. */
  next: string | null;
  /** How many match in all (visibility's count), null when the server cannot count. */
  total: number | null;
  /** When that count was taken (it is reused for a minute), null without a count. */
  countedAt: string | null;
}

/** A list filter names at most this many device-fault tickets (the newest); the page's count shows what matched. */
const DEVICE_FAULT_LOOKUP_LIMIT = 500;

/** The organisation with its properties' ids and names. */
export type NamedScope = OrganisationScope & { properties: Array<{ id: number; name: string }> };

/** The organisation and all its properties: compliance officers and managers see the whole organisation. */
export async function organisationScope(user: SessionUser): Promise<NamedScope> {
  const scope = await visibleScope(user);
  return { organisationId: user.organisationId, propertyIds: scope.propertyIds, properties: scope.properties };
}

/** The text filters looked up within the organisation: units by label, devices by serial, statements by document number. */
export async function resolveLookups(scope: OrganisationScope, filters: ObligationFilters): Promise<ResolvedLookups> {
  const narrowedBy = obligationKind(filters.kind)?.narrowedBy;
  if (!filters.unit && !filters.number && !narrowedBy) return NO_LOOKUPS;
  const sequelize = db().sequelize;
  const propertyIds = scope.propertyIds.length > 0 ? scope.propertyIds : [-1];
  const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const lookups: { unitIds: number[] | null; deviceIds: number[] | null; workflowIds: string[] | null; kindWorkflowIds: string[] | null } =
    {
      unitIds: null,
      deviceIds: null,
      workflowIds: null,
      kindWorkflowIds: null,
    };
  if (narrowedBy === 'device-fault-tickets') {
    // The tickets the device workflows filed for radio faults, newest first, within the organisation's devices.
    const rows = await sequelize.query<{ ticketId: number }>(
      `SELECT f.ticket_id AS "ticketId" FROM device_fault_tickets f JOIN devices d ON d.id = f.device_id
        WHERE d.property_id IN (:propertyIds) AND f.ticket_id IS NOT NULL ORDER BY f.ticket_id DESC LIMIT :limit`,
      { replacements: { propertyIds, limit: DEVICE_FAULT_LOOKUP_LIMIT }, type: QueryTypes.SELECT },
    );
    lookups.kindWorkflowIds = rows.map((row) => ticketWorkflowId(row.ticketId));
  }
  if (filters.unit) {
    const rows = await sequelize.query<{ id: number }>(
      `SELECT id FROM units WHERE property_id IN (:propertyIds) AND label ILIKE :label ORDER BY id LIMIT 500`,
      { replacements: { propertyIds, label: like(filters.unit) }, type: QueryTypes.SELECT },
    );
    lookups.unitIds = rows.map((row) => row.id);
  }
  if (filters.number) {
    const devices = await sequelize.query<{ id: number }>(
      `SELECT id FROM devices WHERE property_id IN (:propertyIds) AND serial ILIKE :number ORDER BY id LIMIT 500`,
      { replacements: { propertyIds, number: like(filters.number) }, type: QueryTypes.SELECT },
    );
    const statements = await sequelize.query<{ id: number; version: number }>(
      `SELECT id, version FROM statements WHERE property_id IN (:propertyIds) AND document_number ILIKE :number ORDER BY id LIMIT 500`,
      { replacements: { propertyIds, number: like(filters.number) }, type: QueryTypes.SELECT },
    );
    lookups.deviceIds = devices.map((row) => row.id);
    // A workflow id typed as it is ("ticket-12"): the organisation's clause still applies to it.
    const typedId = /^[a-z][a-z0-9-]{2,59}$/.test(filters.number) ? [filters.number] : [];
    lookups.workflowIds = [...statements.map((row) => `statement-${row.id}-v${row.version}`), ...typedId];
  }
  return lookups;
}

type Attributes = ReturnType<typeof decodeSearchAttributes>;

const OUR_KEYS: readonly string[] = Object.values(SEARCH_KEYS);

/** An execution with our search attributes decoded, once (Temporal's own, such as BuildIds, are not read). */
interface Execution {
  info: ExecutionInfo;
  fields: Attributes;
}

function decoded(info: ExecutionInfo): Execution {
  const indexed = info.searchAttributes?.indexedFields ?? {};
  const ours: Record<string, NonNullable<(typeof indexed)[string]>> = {};
  for (const key of OUR_KEYS) {
    const payload = indexed[key];
    if (payload) ours[key] = payload;
  }
  return { info, fields: decodeSearchAttributes(ours) };
}

function attributeText(fields: Attributes, key: string): string | null {
  const value: unknown = fields[key]?.[0];
  if (value === undefined || value === null) return null;
  return value instanceof Date ? value.toISOString() : String(value as string | number | boolean);
}

interface Labels {
  properties: Map<string, string>;
  units: Map<string, string>;
  devices: Map<string, string>;
}

async function labelsFor(executions: Execution[], scope: NamedScope): Promise<Labels> {
  const ids = (key: string) =>
    [...new Set(executions.map(({ fields }) => attributeText(fields, key)))].map(Number).filter((id) => Number.isInteger(id) && id > 0);
  const unitIds = ids(SEARCH_KEYS.unit);
  const deviceIds = ids(SEARCH_KEYS.device);
  const sequelize = db().sequelize;
  const propertyIds = scope.propertyIds.length > 0 ? scope.propertyIds : [-1];
  const [units, devices] = await Promise.all([
    unitIds.length === 0
      ? []
      : sequelize.query<{ id: number; label: string }>(
          `SELECT id, label FROM units WHERE id IN (:unitIds) AND property_id IN (:propertyIds)`,
          {
            replacements: { unitIds, propertyIds },
            type: QueryTypes.SELECT,
          },
        ),
    deviceIds.length === 0
      ? []
      : sequelize.query<{ id: number; serial: string }>(
          `SELECT id, serial FROM devices WHERE id IN (:deviceIds) AND property_id IN (:propertyIds)`,
          { replacements: { deviceIds, propertyIds }, type: QueryTypes.SELECT },
        ),
  ]);
  return {
    // The scope already holds the organisation's property names: no query for them.
    properties: new Map(scope.properties.map((p) => [String(p.id), p.name])),
    units: new Map(units.map((u) => [String(u.id), u.label])),
    devices: new Map(devices.map((d) => [String(d.id), d.serial])),
  };
}

function toRow({ info, fields }: Execution, labels: Labels, now: number): ObligationRow {
  const workflowType = info.type?.name ?? '';
  const obligation = attributeText(fields, SEARCH_KEYS.obligation);
  const kind = kindOf(obligation, workflowType);
  const state = attributeText(fields, SEARCH_KEYS.state);
  const status = STATUS_NAMES[info.status ?? 0] ?? 'Unknown';
  const dueAt = attributeText(fields, SEARCH_KEYS.dueAt);
  const propertyId = attributeText(fields, SEARCH_KEYS.property);
  const unitId = attributeText(fields, SEARCH_KEYS.unit);
  const deviceId = attributeText(fields, SEARCH_KEYS.device);
  const startedMs = optionalTsToMs(info.startTime);
  const closedMs = optionalTsToMs(info.closeTime);
  const workflowId = info.execution?.workflowId ?? '';
  const open = status === 'Running' && state !== null && (kind?.openStates.includes(state) ?? false);
  return {
    workflowId,
    runId: info.execution?.runId ?? '',
    kind: kindLabel(obligation, workflowType),
    state: stateLabel(kind, state, status),
    status,
    statusLabel: EXECUTION_STATUS_LABELS[status] ?? status,
    dueAt,
    dueText: formatDueAt(dueAt),
    late: fields[SEARCH_KEYS.late]?.[0] === true,
    overdue: open && dueAt !== null && Date.parse(dueAt) < now,
    property: (propertyId && labels.properties.get(propertyId)) ?? (propertyId ? `Liegenschaft ${propertyId}` : '–'),
    unit: unitId ? (labels.units.get(unitId) ?? `Einheit ${unitId}`) : null,
    device: deviceId ? (labels.devices.get(deviceId) ?? `Gerät ${deviceId}`) : null,
    startedAt: startedMs === undefined ? null : new Date(startedMs).toISOString(),
    closedAt: closedMs === undefined ? null : new Date(closedMs).toISOString(),
    pagePath: kind?.pagePath(workflowId) ?? null,
  };
}

export interface SearchOptions {
  client?: Client;
  pageSize?: number;
  now?: Date;
  /** Ask visibility for the total too (the page does; the CSV's pages do not). */
  count?: boolean;
  /** The user's scope when the caller has it already (the page reads it for its filter form). */
  scope?: NamedScope;
}

/**
 * One page of the organisation's obligations matching the filters, in Temporal's order (newest
 * start first). A property outside the organisation is "not found" (null), never widened.
 */
export async function searchObligations(
  user: SessionUser,
  filters: ObligationFilters,
  pageToken: string | null,
  options: SearchOptions = {},
): Promise<ObligationPage | null> {
  const client = options.client ?? temporalClient();
  const now = options.now ?? new Date();
  const userScope = options.scope ?? (await organisationScope(user));
  const [scope, lookups] = await Promise.all([withoutNeedlessArm(client, userScope, now), resolveLookups(userScope, filters)]);
  let query: string;
  try {
    query = obligationQuery(scope, filters, lookups);
  } catch (error) {
    if (error instanceof QueryValueError) return null;
    throw error;
  }
  const namespace = client.options.namespace;
  const [response, count] = await Promise.all([
    client.workflowService.listWorkflowExecutions({
      namespace,
      query,
      pageSize: options.pageSize ?? OBLIGATION_PAGE_SIZE,
      nextPageToken: pageToken ? Buffer.from(pageToken, 'base64url') : undefined,
    }),
    options.count === false ? null : countOf(client, obligationQuery(scope, filters, lookups, 'count'), now),
  ]);
  const executions = (response.executions ?? []).map(decoded);
  const labels = await labelsFor(executions, scope);
  const next =
    response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64url') : null;
  // A first page without a next one holds every match: its length is the count, fresher than a kept one.
  const whole = count !== null && !pageToken && !next ? { total: executions.length, countedAt: now.toISOString() } : count;
  return {
    rows: executions.map((execution) => toRow(execution, labels, now.getTime())),
    next,
    total: whole?.total ?? null,
    countedAt: whole?.total === null || whole === null ? null : whole.countedAt,
  };
}

/**
 * The scope without the organisation clause's property arm while visibility holds no obligation of
 * the organisation's properties without KlarOrganisation (a count, reused as the page's is). The dev
 * server converts each literal of a filter at a cost, and the arm names every property; leaving it out
 * only ever narrows the filter. A failed count keeps it.
 */
async function withoutNeedlessArm<T extends OrganisationScope>(client: Client, scope: T, now: Date): Promise<T> {
  if (scope.propertyIds.length === 0) return scope;
  const unmarked = await countOf(client, unmarkedObligationsQuery(scope), now);
  return unmarked.total === 0 ? { ...scope, unmarkedPropertyIds: [] } : scope;
}

/**
 * How long a filter's count is reused. Visibility counts by scanning every matching workflow (on
 * the dev server's SQLite about 80 ms per 50,000, the list's page itself is an index walk of a few
 * ms), and nobody paging through a list needs it recounted on every page.
 */
export const COUNT_REUSE_MS = 60_000;
const COUNTS_KEPT = 500;
const counts = new Map<string, { countedAt: string; total: Promise<number | null> }>();

/** The query's count, shared by concurrent and following requests for COUNT_REUSE_MS. */
async function countOf(client: Client, query: string, now: Date): Promise<{ total: number | null; countedAt: string }> {
  const namespace = client.options.namespace;
  const key = `${namespace}\n${query}`;
  const kept = counts.get(key);
  if (kept && now.getTime() - Date.parse(kept.countedAt) < COUNT_REUSE_MS) return { total: await kept.total, countedAt: kept.countedAt };
  const total = client.workflowService
    .countWorkflowExecutions({ namespace, query })
    .then((answer) => (answer.count === undefined || answer.count === null ? null : Number(answer.count)))
    .catch(() => null);
  const entry = { countedAt: now.toISOString(), total };
  counts.delete(key);
  counts.set(key, entry);
  if (counts.size > COUNTS_KEPT) counts.delete(counts.keys().next().value!);
  // A failed count is not kept: the next request asks again.
  void total.then((value) => value === null && counts.get(key) === entry && counts.delete(key));
  return { total: await total, countedAt: entry.countedAt };
}

const CSV_HEADER = [
  'Workflow-ID',
  'Art',
  'Liegenschaft',
  'Einheit',
  'Gerät',
  'Status',
  'Frist',
  'Überfällig',
  'Verspätet erledigt',
  'Begonnen',
  'Beendet',
];

/** Every matching obligation (up to OBLIGATION_CSV_LIMIT) as CSV; the export is audited. */
export async function obligationsCsv(
  user: SessionUser,
  filters: ObligationFilters,
  ip: string | null,
  options: SearchOptions = {},
): Promise<{ csv: string; rows: number; truncated: boolean } | null> {
  const rows: ObligationRow[] = [];
  let token: string | null = null;
  do {
    const page = await searchObligations(user, filters, token, { ...options, pageSize: 1_000, count: false });
    if (!page) return null;
    rows.push(...page.rows);
    token = page.next;
  } while (token && rows.length < OBLIGATION_CSV_LIMIT);
  const kept = rows.slice(0, OBLIGATION_CSV_LIMIT);
  await appendAudit(db(), {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'export',
    entity: 'obligation',
    ip,
    details: { format: 'csv', rows: kept.length, filters },
  });
  const csv = toCsv(
    CSV_HEADER,
    kept.map((row) => [
      row.workflowId,
      row.kind,
      row.property,
      row.unit,
      row.device,
      row.state,
      row.dueText,
      row.overdue,
      row.late,
      formatDateTime(row.startedAt),
      row.closedAt ? formatDateTime(row.closedAt) : '',
    ]),
  );
  return { csv, rows: kept.length, truncated: token !== null || rows.length > OBLIGATION_CSV_LIMIT };
}

// ---- one obligation's history ----

export interface ObligationHistory {
  workflowId: string;
  runId: string;
  kind: string;
  state: string;
  statusLabel: string;
  dueText: string;
  property: string;
  unit: string | null;
  device: string | null;
  pagePath: string | null;
  /** The run this one continues (continue-as-new), to read the history before it. */
  previousRunId: string | null;
  entries: TimelineEntry[];
  events: HistoryEvent[];
  /** The history as Temporal exports it (what the replay check takes). */
  raw: HistoryJson;
}

const WORKFLOW_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;
const RUN_ID = /^[0-9a-f-]{36}$/;

/** Recipients, signal actors and labels the timeline names, looked up for the events of this history. */
async function narrativeContext(
  events: readonly HistoryEvent[],
  scope: OrganisationScope,
  deviceId: string | null,
): Promise<NarrativeContext> {
  const dedupeKeys = new Set<string>();
  const unitIds = new Set<number>();
  const deviceIds = new Set<number>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(collect);
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'dedupeKey' && typeof inner === 'string') dedupeKeys.add(inner);
      else if (key === 'unitId' && typeof inner === 'number') unitIds.add(inner);
      else if ((key === 'deviceId' || key === 'successorId') && typeof inner === 'number') deviceIds.add(inner);
      else collect(inner);
    }
  };
  for (const event of events) collect(event.attributes.input);
  const sequelize = db().sequelize;
  const propertyIds = scope.propertyIds.length > 0 ? scope.propertyIds : [-1];
  const [recipients, units, devices, audit] = await Promise.all([
    dedupeKeys.size === 0
      ? []
      : sequelize.query<{ dedupeKey: string; email: string }>(
          `SELECT n.dedupe_key AS "dedupeKey", u.email FROM notifications n JOIN users u ON u.id = n.user_id
            WHERE n.dedupe_key IN (:keys) AND u.organisation_id = :organisationId ORDER BY u.email`,
          { replacements: { keys: [...dedupeKeys], organisationId: scope.organisationId }, type: QueryTypes.SELECT },
        ),
    unitIds.size === 0
      ? []
      : sequelize.query<{ id: number; label: string }>(`SELECT id, label FROM units WHERE id IN (:ids) AND property_id IN (:propertyIds)`, {
          replacements: { ids: [...unitIds], propertyIds },
          type: QueryTypes.SELECT,
        }),
    deviceIds.size === 0
      ? []
      : sequelize.query<{ id: number; serial: string }>(
          `SELECT id, serial FROM devices WHERE id IN (:ids) AND property_id IN (:propertyIds)`,
          {
            replacements: { ids: [...deviceIds], propertyIds },
            type: QueryTypes.SELECT,
          },
        ),
    deviceId === null
      ? []
      : sequelize.query<{ action: string; actor: string; at: Date }>(
          `SELECT action, actor, at FROM audit_log WHERE organisation_id = :organisationId AND entity = 'device' AND entity_id = :deviceId ORDER BY at`,
          { replacements: { organisationId: scope.organisationId, deviceId }, type: QueryTypes.SELECT },
        ),
  ]);
  const byKey = new Map<string, string[]>();
  for (const row of recipients) byKey.set(row.dedupeKey, [...(byKey.get(row.dedupeKey) ?? []), row.email]);
  const unitLabels = new Map(units.map((u) => [u.id, u.label]));
  const deviceLabels = new Map(devices.map((d) => [d.id, d.serial]));
  // The device page writes its audit entry, then signals: the entry just before the signal names who did it.
  const SIGNAL_ACTIONS: Readonly<Record<string, readonly string[]>> = {
    deviceReplaced: ['device.replaced', 'device.removed'],
    deviceRecalibrated: ['device.recalibrated', 'device.inspected', 'device.updated'],
  };
  return {
    recipients: (key) => byKey.get(key) ?? [],
    actorOfSignal: (signal, at) => {
      const actions = SIGNAL_ACTIONS[signal];
      if (!actions) return null;
      const atMs = Date.parse(at);
      const match = audit.filter((row) => actions.includes(row.action) && new Date(row.at).getTime() <= atMs + 5_000).at(-1);
      return match && atMs - new Date(match.at).getTime() < 10 * 60_000 ? match.actor : null;
    },
    unitLabel: (id) => unitLabels.get(id) ?? null,
    deviceLabel: (id) => deviceLabels.get(id) ?? null,
  };
}

/**
 * One run of an obligation's history, told in German, with its raw events; null when the workflow
 * does not exist, is not an obligation, or belongs to another organisation (the caller answers 404).
 */
export async function obligationHistory(
  user: SessionUser,
  workflowId: string,
  runId: string | null,
  options: { client?: Client } = {},
): Promise<ObligationHistory | null> {
  if (!WORKFLOW_ID.test(workflowId) || (runId !== null && !RUN_ID.test(runId))) return null;
  const client = options.client ?? temporalClient();
  const scope = await organisationScope(user);
  const handle = client.workflow.getHandle(workflowId, runId ?? undefined);
  let description;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    // A malformed run id the server refuses is as good as missing.
    if (error instanceof Error && /invalid|malformed/i.test(error.message)) return null;
    throw error;
  }
  const info = description.raw.workflowExecutionInfo;
  if (!info) return null;
  const execution = decoded(info);
  const { fields } = execution;
  const attributes = {
    organisation: attributeText(fields, SEARCH_KEYS.organisation),
    property: attributeText(fields, SEARCH_KEYS.property),
  };
  // By its type, not its published kind: a device workflow that has not published its deadline yet is still one.
  if (!OBLIGATION_WORKFLOW_TYPES.includes(info.type?.name ?? '') || !belongsToOrganisation(attributes, scope)) return null;

  const history = await handle.fetchHistory();
  const raw = JSON.parse(historyToJSON(history)) as HistoryJson;
  const events = decodeHistory(raw);
  const context = await narrativeContext(events, scope, attributeText(fields, SEARCH_KEYS.device));
  const labels = await labelsFor([execution], scope);
  const row = toRow(execution, labels, Date.now());
  const started = events[0]?.attributes;
  const previous =
    typeof started?.continuedExecutionRunId === 'string' && started.continuedExecutionRunId ? started.continuedExecutionRunId : null;
  return {
    workflowId,
    runId: row.runId,
    kind: row.kind,
    state: row.state,
    statusLabel: row.statusLabel,
    dueText: row.dueText,
    property: row.property,
    unit: row.unit,
    device: row.device,
    pagePath: row.pagePath,
    previousRunId: previous,
    entries: narrate(events, context),
    events,
    raw,
  };
}

/** Audits an export of one history (JSON, PDF, text). */
export async function auditHistoryExport(user: SessionUser, workflowId: string, format: string, ip: string | null): Promise<void> {
  await appendAudit(db(), {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'export',
    entity: 'obligation-history',
    entityId: workflowId,
    ip,
    details: { format },
  });
}

/** The timeline as plain text (CLI, text export): one line per entry. */
export function historyText(history: ObligationHistory, detail: 'main' | 'all' = 'main'): string {
  const lines = [
    `${history.kind} · ${history.workflowId} (Lauf ${history.runId})`,
    `${history.property}${history.unit ? ` · ${history.unit}` : ''}${history.device ? ` · ${history.device}` : ''}`,
    `Status: ${history.state} · Frist: ${history.dueText}`,
    '',
    ...history.entries
      .filter((entry) => detail === 'all' || entry.detail === 'main')
      .map((entry) => `${formatDateTime(entry.at)}  ${entry.text}`),
  ];
  return `${lines.join('\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The timeline as a printable document (the PDF export): what an authority files. */
export function historyHtml(history: ObligationHistory, organisationName: string, printedAt: Date): string {
  const rows = history.entries
    .filter((entry) => entry.detail === 'main')
    .map(
      (entry) =>
        `<tr><td class="at">${escapeHtml(formatDateTime(entry.at))}</td><td>${escapeHtml(entry.text)}</td><td class="ids">${entry.eventIds.join(', ')}</td></tr>`,
    )
    .join('');
  const facts: Array<[string, string]> = [
    ['Organisation', organisationName],
    ['Art', history.kind],
    ['Liegenschaft', history.property],
    ['Einheit', history.unit ?? '–'],
    ['Gerät', history.device ?? '–'],
    ['Status', `${history.state} (${history.statusLabel})`],
    ['Frist', history.dueText],
    ['Workflow', `${history.workflowId} · Lauf ${history.runId}`],
    ['Erstellt', `${formatDateTime(printedAt)} Uhr aus der Ereignisgeschichte der Workflow-Engine`],
  ];
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Verlauf ${escapeHtml(history.workflowId)}</title><style>
body{font-family:'DejaVu Sans',sans-serif;font-size:9.5pt;color:#111}h1{font-size:14pt;margin:0 0 8pt}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2pt 10pt;margin:0 0 12pt}dt{font-weight:bold}dd{margin:0}
table{width:100%;border-collapse:collapse}th,td{border-bottom:0.5pt solid #bbb;padding:3pt 4pt;text-align:left;vertical-align:top}
.at{white-space:nowrap}.ids{color:#555;font-size:8pt;white-space:nowrap}
</style></head><body><h1>Verlauf: ${escapeHtml(history.kind)}</h1><dl>${facts
    .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join(
      '',
    )}</dl><table><thead><tr><th>Zeit</th><th>Ereignis</th><th>Ereignis-Nr.</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}
