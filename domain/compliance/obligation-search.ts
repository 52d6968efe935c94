// The obligation search of the compliance desk: the page's filters (parsed from the URL, every
// field validated) and the Temporal list filter built from them. The organisation's clause is not
// a filter: the server adds it from the signed-in user's organisation, and every value that enters
// the query is one of ours (a number, a date, a key of the kinds table), never text from the client.
import { addDays, isDate } from '../dates';
import { zonedTimeToInstant } from '../calendar';
import { OBLIGATION_KINDS, OBLIGATION_WORKFLOW_TYPES, obligationKind, obligationValue, type ObligationKind } from './obligation-kinds';
import { SEARCH_KEYS } from '../search-attributes';

export interface ObligationFilters {
  /** A key of the kinds table. */
  kind: string | null;
  propertyId: number | null;
  /** A unit's label (or part of it); the server resolves it to unit ids within the organisation. */
  unit: string | null;
  /** A device serial, a statement's document number or a workflow id; resolved by the server. */
  number: string | null;
  /** A KlarState value of some kind. */
  state: string | null;
  dueFrom: string | null;
  dueTo: string | null;
  /** Still open and past its deadline (KlarOverdue, which the workflow keeps). */
  overdue: boolean;
  /** Done, but after its deadline (KlarLate). */
  late: boolean;
}

export const EMPTY_OBLIGATION_FILTERS: ObligationFilters = {
  kind: null,
  propertyId: null,
  unit: null,
  number: null,
  state: null,
  dueFrom: null,
  dueTo: null,
  overdue: false,
  late: false,
};

export type FilterField = keyof ObligationFilters | 'page';

export type ParsedFilters = { ok: true; filters: ObligationFilters } | { ok: false; errors: Partial<Record<FilterField, string>> };

const MAX_TEXT = 60;
/** Text the server looks up (never put into the query): printable, short. */
const LOOKUP_TEXT = /^[\p{L}\p{N} .,/_#()-]+$/u;

function text(params: URLSearchParams, name: string): string | null {
  const value = params.get(name)?.trim();
  return value ? value : null;
}

/** Reads the page's filters; a value that is not what the field takes is named, never passed on. */
export function parseObligationFilters(params: URLSearchParams): ParsedFilters {
  const errors: Partial<Record<FilterField, string>> = {};
  const filters: ObligationFilters = { ...EMPTY_OBLIGATION_FILTERS };

  const kind = text(params, 'kind');
  if (kind !== null) {
    if (obligationKind(kind)) filters.kind = kind;
    else errors.kind = 'Art: unbekannte Art der Pflicht.';
  }
  const property = text(params, 'property');
  if (property !== null) {
    if (/^\d{1,9}$/.test(property)) filters.propertyId = Number(property);
    else errors.propertyId = 'Liegenschaft: keine gültige Auswahl.';
  }
  for (const [name, field, label] of [
    ['unit', 'unit', 'Einheit'],
    ['number', 'number', 'Nummer'],
  ] as const) {
    const value = text(params, name);
    if (value === null) continue;
    if (value.length > MAX_TEXT || !LOOKUP_TEXT.test(value))
      errors[field] = `${label}: höchstens ${MAX_TEXT} Zeichen, nur Buchstaben, Ziffern und . , / - _ #.`;
    else filters[field] = value;
  }
  const state = text(params, 'state');
  if (state !== null) {
    const kinds = filters.kind ? [obligationKind(filters.kind)!] : OBLIGATION_KINDS;
    if (kinds.some((k) => state in k.states)) filters.state = state;
    else errors.state = filters.kind ? 'Status: diesen Status hat diese Art nicht.' : 'Status: unbekannter Status.';
  }
  for (const [name, field, label] of [
    ['dueFrom', 'dueFrom', 'Frist von'],
    ['dueTo', 'dueTo', 'Frist bis'],
  ] as const) {
    const value = text(params, name);
    if (value === null) continue;
    if (isDate(value)) filters[field] = value;
    else errors[field] = `${label}: ein Datum (JJJJ-MM-TT) angeben.`;
  }
  if (filters.dueFrom && filters.dueTo && filters.dueFrom > filters.dueTo) errors.dueTo = 'Frist bis: liegt vor „Frist von“.';
  filters.overdue = params.get('overdue') === '1';
  filters.late = params.get('late') === '1';
  if (filters.overdue && filters.late) errors.late = 'Verspätet erledigt und überfällig schließen einander aus.';
  const page = params.get('page');
  if (page !== null && page !== '' && !/^[A-Za-z0-9_-]{1,4096}$/.test(page)) errors.page = 'Seite: ungültiger Verweis.';
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, filters };
}

/** The filters as URL parameters (links to the next page, the CSV with the same filters). */
export function obligationFilterParams(filters: ObligationFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.propertyId !== null) params.set('property', String(filters.propertyId));
  if (filters.unit) params.set('unit', filters.unit);
  if (filters.number) params.set('number', filters.number);
  if (filters.state) params.set('state', filters.state);
  if (filters.dueFrom) params.set('dueFrom', filters.dueFrom);
  if (filters.dueTo) params.set('dueTo', filters.dueTo);
  if (filters.overdue) params.set('overdue', '1');
  if (filters.late) params.set('late', '1');
  return params;
}

/** Who is asking: the organisation and its properties (from the server, never from the request). */
export interface OrganisationScope {
  organisationId: number;
  propertyIds: readonly number[];
  /**
   * The properties whose workflows may carry no KlarOrganisation (organisationClause); all of
   * propertyIds when not given. The search leaves it empty while visibility holds none of them.
   */
  unmarkedPropertyIds?: readonly number[];
}

/**
 * What the server looked up for the text filters: null when the filter is not used, a list (maybe
 * empty: nothing matches) when it is.
 */
export interface ResolvedLookups {
  unitIds: readonly number[] | null;
  /** The number matched devices (KlarDevice) and/or workflows by id (statements by document number, a typed workflow id). */
  deviceIds: readonly number[] | null;
  workflowIds: readonly string[] | null;
  /** The workflows of a narrowed kind (device faults among the tickets), when that kind is the filter. */
  kindWorkflowIds?: readonly string[] | null;
}

export const NO_LOOKUPS: ResolvedLookups = { unitIds: null, deviceIds: null, workflowIds: null, kindWorkflowIds: null };

export class QueryValueError extends Error {
  override name = 'QueryValueError';
}

/** A quoted list-filter literal; only the characters our ids, keys and dates use can get here. */
export function literal(value: string | number): string {
  const text = String(value);
  if (!/^[A-Za-z0-9_.:/+-]*$/.test(text)) throw new QueryValueError(`value not allowed in a list filter: ${JSON.stringify(text)}`);
  return `'${text}'`;
}

function list(values: readonly (string | number)[]): string {
  return `(${values.map(literal).join(', ')})`;
}

/** A clause that matches nothing (a lookup found nothing): the query stays valid and answers empty. */
const NOTHING = `WorkflowId = ''`;

/**
 * The organisation's clause. Workflows started since KlarOrganisation exists carry it; those started
 * before carry only KlarProperty, so they are matched by the organisation's property ids, and only
 * while they carry no organisation at all (one carrying another organisation's is never ours).
 */
export function organisationClause(scope: OrganisationScope): string {
  const own = `${SEARCH_KEYS.organisation} = ${literal(scope.organisationId)}`;
  const unmarked = scope.unmarkedPropertyIds ?? scope.propertyIds;
  // Alone, OR-ed with the clause that matches nothing: as an equality SQLite would walk the
  // organisation's index for every filter and read all its workflows to fill a property's page
  // (obligationQuery); with the arm it is no equality either.
  if (unmarked.length === 0) return `(${own} OR ${NOTHING})`;
  return `(${own} OR (${SEARCH_KEYS.organisation} IS NULL AND ${SEARCH_KEYS.property} IN ${list(unmarked)}))`;
}

/** The organisation's obligations that carry no KlarOrganisation: whether the clause above still needs its second arm. */
export function unmarkedObligationsQuery(scope: OrganisationScope): string {
  return `WorkflowType IN ${list(OBLIGATION_WORKFLOW_TYPES)} AND ${SEARCH_KEYS.organisation} IS NULL AND ${SEARCH_KEYS.property} IN ${list(scope.propertyIds)}`;
}

function statesClause(kinds: readonly ObligationKind[], pick: (kind: ObligationKind) => readonly string[]): string | null {
  const parts = kinds
    .filter((kind) => pick(kind).length > 0)
    .map((kind) => `(${SEARCH_KEYS.obligation} = ${literal(obligationValue(kind))} AND ${SEARCH_KEYS.state} IN ${list(pick(kind))})`);
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/**
 * What the filter is for: a page of the list (read in Temporal's order, newest first, a page at a time)
 * or the count of all matches. Both match the same workflows; they differ in how a clause is
 * written, so that the dev server's SQLite visibility store reads no more than it must (see
 * obligationQuery).
 */
export type QueryPurpose = 'page' | 'count';

/**
 * The list filter for the filters within the organisation's scope. A property outside the scope is
 * refused (QueryValueError): the caller answers "not found".
 *
 * For a page, the equalities SQLite should not walk are OR-ed with the clause that matches nothing:
 * the same workflows, but SQLite (it keeps no statistics and walks the index of an equality it
 * prefers by the query's shape) then walks the chosen property's workflows in the list's order (a
 * few hundred) instead of the kind's or the overdue ones (thousands at full size) to fill a page, and
 * never the running ones. Without a property, overdue is KlarOverdue's walk. The count keeps the
 * plain clauses.
 *
 * Overdue is the workflows' own KlarOverdue, not "KlarDueAt before now": that range made SQLite read
 * every workflow past its date, open or done, and sort them (docs/operations/capacity.md).
 */
export function obligationQuery(
  scope: OrganisationScope,
  filters: ObligationFilters,
  lookups: ResolvedLookups,
  purpose: QueryPurpose = 'page',
): string {
  const page = purpose === 'page';
  const unlessProperty = (clause: string) => (page && filters.propertyId !== null ? `(${clause} OR ${NOTHING})` : clause);
  const clauses = [`WorkflowType IN ${list(OBLIGATION_WORKFLOW_TYPES)}`, organisationClause(scope)];
  const chosen = filters.kind ? obligationKind(filters.kind) : undefined;
  // A narrowed kind's states are its wider kind's: listing both would only repeat the clause.
  const kinds = chosen ? [chosen] : OBLIGATION_KINDS.filter((kind) => !kind.narrowedBy);
  if (chosen) {
    const kind = `${SEARCH_KEYS.obligation} = ${literal(obligationValue(chosen))}`;
    clauses.push(unlessProperty(kind));
    if (chosen.narrowedBy) {
      const ids = lookups.kindWorkflowIds;
      if (ids === null || ids === undefined) throw new Error(`kindWorkflowIds: the lookup of ${chosen.narrowedBy} is missing`);
      clauses.push(ids.length > 0 ? `WorkflowId IN ${list(ids)}` : NOTHING);
    }
  }
  if (filters.propertyId !== null) {
    if (!scope.propertyIds.includes(filters.propertyId)) throw new QueryValueError('property outside the organisation');
    clauses.push(`${SEARCH_KEYS.property} = ${literal(filters.propertyId)}`);
  }
  if (lookups.unitIds !== null) clauses.push(lookups.unitIds.length > 0 ? `${SEARCH_KEYS.unit} IN ${list(lookups.unitIds)}` : NOTHING);
  if (lookups.deviceIds !== null || lookups.workflowIds !== null) {
    const matches = [
      ...(lookups.deviceIds?.length ? [`${SEARCH_KEYS.device} IN ${list(lookups.deviceIds)}`] : []),
      ...(lookups.workflowIds?.length ? [`WorkflowId IN ${list(lookups.workflowIds)}`] : []),
    ];
    clauses.push(matches.length === 0 ? NOTHING : matches.length === 1 ? matches[0]! : `(${matches.join(' OR ')})`);
  }
  if (filters.state) clauses.push(`${SEARCH_KEYS.state} = ${literal(filters.state)}`);
  if (filters.dueFrom) clauses.push(`${SEARCH_KEYS.dueAt} >= ${literal(zonedTimeToInstant(filters.dueFrom).toISOString())}`);
  // Up to the end of that German day: before the next day's midnight.
  if (filters.dueTo) clauses.push(`${SEARCH_KEYS.dueAt} < ${literal(zonedTimeToInstant(addDays(filters.dueTo, 1)).toISOString())}`);
  if (filters.overdue) {
    // A workflow ended from outside (terminated) keeps the KlarOverdue it had.
    const running = `ExecutionStatus = 'Running'`;
    clauses.push(unlessProperty(`${SEARCH_KEYS.overdue} = true`), page ? `(${running} OR ${NOTHING})` : running);
  }
  if (filters.late) {
    clauses.push(`${SEARCH_KEYS.late} = true`);
    clauses.push(statesClause(kinds, (kind) => kind.closedStates) ?? NOTHING);
  }
  return clauses.join(' AND ');
}

/** Whether a workflow's search attributes place it in the organisation (the history page's check). */
export function belongsToOrganisation(
  attributes: { organisation: string | null; property: string | null },
  scope: OrganisationScope,
): boolean {
  if (attributes.organisation !== null) return attributes.organisation === String(scope.organisationId);
  return attributes.property !== null && scope.propertyIds.some((id) => String(id) === attributes.property);
}
