import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useLoaderData } from '@remix-run/react';
import { AuditChainPanel } from '~/components/audit-chain-panel';
import { ComplianceNav, FilterActions, FilterErrorsAlert } from '~/components/compliance-nav';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader } from '~/components/page-header';
import { Pagination } from '~/components/pagination';
import complianceStyles from '~/styles/compliance.css?url';
import { ROLE_LABELS, formatDateTime } from '../../domain/format';
import { AUDIT_PAGE_SIZE, auditFilterParams, parseAuditFilters, type AuditFilterField } from '../../domain/compliance/audit-filters';
import { hasPermission } from '../../domain/permissions';
import type { Role } from '../../domain/roles';
import { auditChainState, auditPage, auditVocabulary } from '../../server/compliance-audit';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Prüfprotokoll · Prüfung · Klarmeter' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: complianceStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:compliance:any');
  const url = new URL(request.url);
  const parsed = parseAuditFilters(url.searchParams);
  const [vocabulary, chain] = await Promise.all([auditVocabulary(user), auditChainState()]);
  const base = {
    vocabulary,
    chain,
    canExport: hasPermission(user, 'export:compliance:any'),
    query: Object.fromEntries(url.searchParams) as Record<string, string>,
  };
  if (!parsed.ok) return { ...base, errors: parsed.errors, filters: null, page: null };
  return { ...base, errors: null, filters: parsed.filters, page: await auditPage(user, parsed.filters) };
}

function roleLabel(role: string | null): string {
  return role && role in ROLE_LABELS ? ROLE_LABELS[role as Role] : '–';
}

export default function AuditLog() {
  const { vocabulary, chain, canExport, query, errors, filters, page } = useLoaderData<typeof loader>();
  const value = (name: string) => query[name] ?? '';
  const field = (name: AuditFilterField, label: string, input: JSX.Element) => (
    <div className="field">
      <label htmlFor={`audit-${name}`}>{label}</label>
      {input}
      {errors?.[name] ? (
        <p className="field-error" id={`audit-error-${name}`}>
          {errors[name]}
        </p>
      ) : null}
    </div>
  );
  const invalid = (name: AuditFilterField) =>
    errors?.[name] ? { 'aria-invalid': true as const, 'aria-describedby': `audit-error-${name}` } : {};
  return (
    <>
      <PageHeader
        title="Prüfprotokoll"
        description="Jede aufgezeichnete Handlung der Organisation mit Zeit, Benutzer, Rolle, IP-Adresse, Objekt und Änderung. Die Einträge sind verkettet: eine nachträgliche Änderung fällt bei der Prüfung auf."
        actions={
          canExport && filters ? (
            <a href={`/pruefung/protokoll.csv?${auditFilterParams(filters).toString()}`} className="button" download>
              CSV exportieren
            </a>
          ) : null
        }
      />
      <ComplianceNav />
      <AuditChainPanel chain={chain} />
      <Form method="get" className="filters" role="search" aria-label="Prüfprotokoll filtern">
        {field(
          'actor',
          'Benutzer',
          <input id="audit-actor" name="actor" defaultValue={value('actor')} maxLength={100} {...invalid('actor')} />,
        )}
        {field(
          'action',
          'Aktion',
          <select id="audit-action" name="action" defaultValue={value('action')} {...invalid('action')}>
            <option value="">Alle Aktionen</option>
            {vocabulary.actions.map((action) => (
              <option key={action}>{action}</option>
            ))}
          </select>,
        )}
        {field(
          'entity',
          'Objektart',
          <select id="audit-entity" name="entity" defaultValue={value('entity')} {...invalid('entity')}>
            <option value="">Alle Objektarten</option>
            {vocabulary.entities.map((entity) => (
              <option key={entity}>{entity}</option>
            ))}
          </select>,
        )}
        {field(
          'entityId',
          'Objekt-Nr.',
          <input id="audit-entityId" name="entityId" defaultValue={value('entityId')} maxLength={100} {...invalid('entityId')} />,
        )}
        {field('from', 'Von', <input id="audit-from" name="from" type="date" defaultValue={value('from')} {...invalid('from')} />)}
        {field('to', 'Bis', <input id="audit-to" name="to" type="date" defaultValue={value('to')} {...invalid('to')} />)}
        {field('ip', 'IP-Adresse', <input id="audit-ip" name="ip" defaultValue={value('ip')} maxLength={45} {...invalid('ip')} />)}
        <FilterActions submit="Filtern" resetTo="/pruefung/protokoll" />
      </Form>
      <FilterErrorsAlert shown={errors !== null} />
      {page && page.rows.length === 0 ? <EmptyState>Keine Einträge gefunden, die den Filtern entsprechen.</EmptyState> : null}
      {page && filters && page.rows.length > 0 ? (
        <>
          <DataTable
            label="Prüfprotokoll"
            caption="Einträge des Prüfprotokolls, neueste zuerst"
            head={
              <tr>
                <th scope="col">Nr.</th>
                <th scope="col">Zeit</th>
                <th scope="col">Benutzer</th>
                <th scope="col">Rolle</th>
                <th scope="col">IP-Adresse</th>
                <th scope="col">Aktion</th>
                <th scope="col">Objekt</th>
                <th scope="col">Änderung</th>
              </tr>
            }
          >
            {page.rows.map((row) => (
              <tr key={row.id}>
                <td>{row.id}</td>
                <td>{formatDateTime(row.at)}</td>
                <td>{row.actor}</td>
                <td>{roleLabel(row.role)}</td>
                <td>{row.ip ?? '–'}</td>
                <td>{row.action}</td>
                <td>
                  {row.entity}
                  {row.entityId ? ` ${row.entityId}` : ''}
                </td>
                <td>
                  <code className="audit-details">{Object.keys(row.details).length > 0 ? JSON.stringify(row.details) : '–'}</code>
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination
            page={page.page}
            pageCount={page.pageCount}
            total={page.total}
            pageSize={AUDIT_PAGE_SIZE}
            hrefFor={(n) => `/pruefung/protokoll?${auditFilterParams(filters, n).toString()}`}
          />
        </>
      ) : null}
    </>
  );
}
