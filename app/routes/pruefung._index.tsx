import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { ComplianceNav, FilterActions, FilterErrorsAlert } from '~/components/compliance-nav';
import { NotObligationsNote } from '~/components/not-obligations';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader } from '~/components/page-header';
import complianceStyles from '~/styles/compliance.css?url';
import { formatDateTime, formatNumber } from '../../domain/format';
import { OBLIGATION_KINDS, allStates } from '../../domain/compliance/obligation-kinds';
import {
  obligationFilterParams,
  parseObligationFilters,
  type FilterField,
  type ObligationFilters,
} from '../../domain/compliance/obligation-search';
import { hasPermission } from '../../domain/permissions';
import { organisationScope, searchObligations } from '../../server/compliance';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { openFindingCount } from '../../server/proof-findings';
import { FindingsBanner } from '~/components/proof-findings';

export const meta: MetaFunction = () => [{ title: 'Prüfung: Pflichten · Klarmeter' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: complianceStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:compliance:any');
  const url = new URL(request.url);
  const parsed = parseObligationFilters(url.searchParams);
  const scope = await organisationScope(user);
  const base = {
    properties: scope.properties,
    canExport: hasPermission(user, 'export:compliance:any'),
    query: Object.fromEntries(url.searchParams) as Record<string, string>,
    openFindings: await openFindingCount(user),
  };
  if (!parsed.ok) return { ...base, errors: parsed.errors, filters: null, page: null };

  const page = await searchObligations(user, parsed.filters, url.searchParams.get('page') || null, { scope });
  // A property outside the organisation: as if it did not exist.
  if (!page) throw notFound();
  return { ...base, errors: null, filters: parsed.filters, page };
}

function ErrorText({ errors, field }: { errors: Partial<Record<FilterField, string>> | null; field: FilterField }) {
  const message = errors?.[field];
  return message ? (
    <p className="field-error" id={`error-${field}`}>
      {message}
    </p>
  ) : null;
}

function withParams(filters: ObligationFilters | null, extra: Record<string, string>): string {
  const params = filters ? obligationFilterParams(filters) : new URLSearchParams();
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `/pruefung?${text}` : '/pruefung';
}

const STATE_OPTIONS = (() => {
  const seen = new Map<string, string>();
  for (const { kind, value, label } of allStates()) if (!seen.has(value)) seen.set(value, `${label} (${kind.group})`);
  return [...seen].map(([value, label]) => ({ value, label }));
})();

const KIND_GROUPS = [...new Set(OBLIGATION_KINDS.map((kind) => kind.group))].map((group) => ({
  group,
  kinds: OBLIGATION_KINDS.filter((kind) => kind.group === group),
}));

export default function ObligationSearch() {
  const { properties, canExport, query, errors, filters, page, openFindings } = useLoaderData<typeof loader>();
  const value = (name: string) => query[name] ?? '';
  const invalid = (field: FilterField) => (errors?.[field] ? { 'aria-invalid': true as const, 'aria-describedby': `error-${field}` } : {});
  return (
    <>
      <PageHeader
        title="Prüfung"
        description="Alle Pflichten der Organisation, wie die Workflow-Engine sie führt: suchen, den Verlauf lesen, exportieren. Nur lesend."
        actions={
          canExport && filters ? (
            <a href={`/pruefung/pflichten.csv?${obligationFilterParams(filters).toString()}`} className="button" download>
              CSV exportieren
            </a>
          ) : null
        }
      />
      <ComplianceNav />
      <FindingsBanner count={openFindings} />
      <Form method="get" className="filters" role="search" aria-label="Pflichten suchen">
        <div className="field">
          <label htmlFor="filter-kind">Art</label>
          <select id="filter-kind" name="kind" defaultValue={value('kind')} {...invalid('kind')}>
            <option value="">Alle Arten</option>
            {KIND_GROUPS.map(({ group, kinds }) => (
              <optgroup key={group} label={group}>
                {kinds.map((kind) => (
                  <option key={kind.key} value={kind.key}>
                    {kind.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          <ErrorText errors={errors} field="kind" />
        </div>
        <div className="field">
          <label htmlFor="filter-property">Liegenschaft</label>
          <select id="filter-property" name="property" defaultValue={value('property')} {...invalid('propertyId')}>
            <option value="">Alle Liegenschaften</option>
            {properties.map((p) => (
              <option key={p.id} value={String(p.id)}>
                {p.name}
              </option>
            ))}
          </select>
          <ErrorText errors={errors} field="propertyId" />
        </div>
        <div className="field">
          <label htmlFor="filter-unit">Einheit</label>
          <input id="filter-unit" name="unit" defaultValue={value('unit')} maxLength={60} {...invalid('unit')} />
          <ErrorText errors={errors} field="unit" />
        </div>
        <div className="field">
          <label htmlFor="filter-number">Gerät, Dokument- oder Workflow-Nr.</label>
          <input id="filter-number" name="number" defaultValue={value('number')} maxLength={60} {...invalid('number')} />
          <ErrorText errors={errors} field="number" />
        </div>
        <div className="field">
          <label htmlFor="filter-state">Status</label>
          <select id="filter-state" name="state" defaultValue={value('state')} {...invalid('state')}>
            <option value="">Alle Status</option>
            {STATE_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <ErrorText errors={errors} field="state" />
        </div>
        <div className="field">
          <label htmlFor="filter-due-from">Frist von</label>
          <input id="filter-due-from" name="dueFrom" type="date" defaultValue={value('dueFrom')} {...invalid('dueFrom')} />
          <ErrorText errors={errors} field="dueFrom" />
        </div>
        <div className="field">
          <label htmlFor="filter-due-to">Frist bis</label>
          <input id="filter-due-to" name="dueTo" type="date" defaultValue={value('dueTo')} {...invalid('dueTo')} />
          <ErrorText errors={errors} field="dueTo" />
        </div>
        <div className="checkbox-field">
          <input id="filter-overdue" name="overdue" type="checkbox" value="1" defaultChecked={value('overdue') === '1'} />
          <label htmlFor="filter-overdue">Überfällig</label>
        </div>
        <div className="checkbox-field">
          <input id="filter-late" name="late" type="checkbox" value="1" defaultChecked={value('late') === '1'} {...invalid('late')} />
          <label htmlFor="filter-late">Verspätet erledigt</label>
          <ErrorText errors={errors} field="late" />
        </div>
        <FilterActions submit="Suchen" resetTo="/pruefung" />
      </Form>
      <FilterErrorsAlert shown={errors !== null} />
      {page && page.rows.length === 0 ? <EmptyState>Keine Pflichten gefunden, die den Filtern entsprechen.</EmptyState> : null}
      {page && page.rows.length > 0 ? (
        <>
          <p role="status">
            {page.total === null ? 'Treffer' : `${formatNumber(page.total)} Treffer (gezählt ${formatDateTime(page.countedAt)})`}, neueste
            zuerst.
          </p>
          <DataTable
            label="Pflichten"
            caption="Gefundene Pflichten"
            head={
              <tr>
                <th scope="col">Art</th>
                <th scope="col">Objekt</th>
                <th scope="col">Status</th>
                <th scope="col">Frist</th>
                <th scope="col">Begonnen</th>
                <th scope="col">Verlauf</th>
              </tr>
            }
          >
            {page.rows.map((row) => (
              <tr key={`${row.workflowId}/${row.runId}`}>
                <td>{row.kind}</td>
                <td>
                  {row.property}
                  {row.unit ? ` · ${row.unit}` : ''}
                  {row.device ? (
                    <>
                      <br />
                      {row.pagePath ? <Link to={row.pagePath}>{row.device}</Link> : row.device}
                    </>
                  ) : row.pagePath ? (
                    <>
                      <br />
                      <Link to={row.pagePath}>zur Seite</Link>
                    </>
                  ) : null}
                </td>
                <td>
                  {row.state}
                  {row.overdue ? (
                    <>
                      {' '}
                      <span className="flag flag--overdue">überfällig</span>
                    </>
                  ) : null}
                  {row.late ? (
                    <>
                      {' '}
                      <span className="flag flag--late">Frist verpasst</span>
                    </>
                  ) : null}
                </td>
                <td>{row.dueText}</td>
                <td>{row.startedAt ? formatDateTime(row.startedAt) : '–'}</td>
                <td>
                  <Link to={`/pruefung/verlauf/${encodeURIComponent(row.workflowId)}?run=${row.runId}`}>
                    Verlauf<span className="visually-hidden"> von {row.workflowId}</span>
                  </Link>
                </td>
              </tr>
            ))}
          </DataTable>
          <nav className="pagination" aria-label="Seitennavigation">
            <ul className="pagination__links">
              <li>
                {query.page ? <Link to={withParams(filters, {})}>« Erste Seite</Link> : <span aria-disabled="true">« Erste Seite</span>}
              </li>
              <li>
                {page.next ? (
                  <Link to={withParams(filters, { page: page.next })} rel="next">
                    Nächste Seite ›
                  </Link>
                ) : (
                  <span aria-disabled="true">Nächste Seite ›</span>
                )}
              </li>
            </ul>
          </nav>
        </>
      ) : null}
      <NotObligationsNote />
    </>
  );
}
