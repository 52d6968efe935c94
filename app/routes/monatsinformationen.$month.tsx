import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import type { MonthlyDelivery } from '../../domain/monthly';
import { formatChange, formatKwh, germanMonth, isYearMonth } from '../../domain/monthly';
import { FilterForm, SelectFilter } from '~/components/filters';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import { Pagination } from '~/components/pagination';
import { DataTable } from '~/components/data-table';
import monthlyStyles from '~/styles/monthly.css?url';
import { formatDateTime, formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission, scopeIsEmpty, visibleScope } from '../../server/permissions';
import { seesTenantNames } from '../../server/personal-data';
import { ForwardToOwner } from '~/components/forward-to-owner';
import { hasPermission } from '../../domain/permissions';
import { forwardMessage } from '../../server/owner-forwards';
import { MONTH_PAGE_SIZE, MONTH_STATUS_FILTERS, isMonthStatusFilter, monthDetail } from '../../server/monthly';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: monthlyStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Monatsinformation ${data ? germanMonth(data.month) : ''} · Klarmeter` },
];

const DELIVERY_LABELS: Record<MonthlyDelivery, string> = {
  portal: 'Im Portal',
  'no-account': 'Kein Portalzugang',
  vacant: 'Leerstand',
  'tenant-change': 'Nutzerwechsel im Monat',
};

/**
 * GET /monatsinformationen/:month — every unit's information of that month: who received it and
 * when, who opened it, substitutes, and the units whose devices are not remotely readable.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:monthly-information:any');
  const month = params.month ?? '';
  if (!isYearMonth(month)) throw notFound();
  const url = new URL(request.url);
  const scope = await visibleScope(user);
  const propertyFilter = parseId(url.searchParams.get('liegenschaft') ?? undefined);
  const statusParam = url.searchParams.get('status');
  const status = isMonthStatusFilter(statusParam) ? statusParam : null;
  const page = Math.max(1, parseId(url.searchParams.get('seite') ?? undefined) ?? 1);
  // Tenants' names per the personal-data policy (compliance reads the month without them).
  const withTenants = seesTenantNames(user);
  const propertyIds = propertyFilter ? scope.propertyIds.filter((id) => id === propertyFilter) : scope.propertyIds;
  const empty = {
    month,
    rows: [],
    total: 0,
    page,
    pageCount: 1,
    summary: null,
    properties: scope.properties,
    propertyFilter,
    status,
    withTenants,
    pageSize: MONTH_PAGE_SIZE,
    statusOptions: Object.entries(MONTH_STATUS_FILTERS).map(([value, f]) => ({ value, label: f.label })),
    // One property's month can be forwarded to its owner (issue 14 item 3).
    canForward: hasPermission(user, 'deliver:statement:any') && propertyIds.length === 1 && propertyFilter !== null,
    forwardMessage: forwardMessage(url.searchParams),
  };
  if (scopeIsEmpty(scope) || propertyIds.length === 0) return empty;

  const found = await monthDetail({ month, propertyIds, status, page, withTenants, filtered: propertyFilter !== null || status !== null });
  if (!found) throw notFound();
  return { ...empty, ...found };
}

export default function MonthDetail() {
  const {
    month,
    rows,
    total,
    page,
    pageCount,
    pageSize,
    summary,
    properties,
    propertyFilter,
    status,
    statusOptions,
    withTenants,
    canForward,
    forwardMessage,
  } = useLoaderData<typeof loader>();
  const query = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    const values = { liegenschaft: propertyFilter ? String(propertyFilter) : null, status, ...changes };
    for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/monatsinformationen">← Alle Monate</Link>}
        title={`Monatsinformation ${germanMonth(month)}`}
        description={
          <>
            Je Wohnung: Verbrauch, Zustellung und Öffnung. <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
      />
      {summary ? (
        <Panel id="summary" title="Überblick">
          <Facts
            items={[
              ['Erstellt', `${formatNumber(summary.informed)} von ${formatNumber(summary.units)} Wohnungen`],
              ['Im Portal zugestellt', formatNumber(summary.portal)],
              [
                'Geöffnet',
                `${formatNumber(summary.opened)} von ${formatNumber(summary.portal)} (${summary.portal ? Math.round((summary.opened / summary.portal) * 100) : 0} %)`,
              ],
              [
                'Ohne Portalzugang',
                <Link key="no-account" to={query({ status: 'no-account', seite: null })}>
                  {formatNumber(summary.noAccount)}
                </Link>,
              ],
              [
                'Mit Ersatzwert',
                <Link key="estimated" to={query({ status: 'estimated', seite: null })}>
                  {formatNumber(summary.estimated)}
                </Link>,
              ],
              [
                'Nicht fernablesbar',
                summary.notRemote > 0 ? (
                  <Link key="not-remote" to={query({ status: 'not-remote', seite: null })} className="tag tag--risk">
                    {formatNumber(summary.notRemote)} – Risiko 3 % Kürzung (§ 12)
                  </Link>
                ) : (
                  '0'
                ),
              ],
            ]}
          />
        </Panel>
      ) : null}
      {canForward && summary && propertyFilter ? (
        <ForwardToOwner
          propertyId={propertyFilter}
          fields={{ art: 'monatsinformation', monat: month }}
          what={`die Zusammenfassung der Monatsinformationen ${germanMonth(month)} dieser Liegenschaft (ohne Mieterdaten)`}
          message={forwardMessage}
        />
      ) : null}
      <FilterForm resetTo={`/monatsinformationen/${month}`} label="Wohnungen filtern">
        <SelectFilter
          name="liegenschaft"
          label="Liegenschaft"
          allLabel="Alle Liegenschaften"
          value={propertyFilter ? String(propertyFilter) : null}
          options={properties.map((p) => ({ value: String(p.id), label: p.name }))}
        />
        <SelectFilter name="status" label="Status" allLabel="Alle Wohnungen" value={status} options={statusOptions} />
      </FilterForm>
      {rows.length === 0 ? (
        <EmptyState>Keine Wohnungen, die den Filtern entsprechen.</EmptyState>
      ) : (
        <>
          <DataTable
            label="Wohnungen"
            caption={<>Monatsinformationen {germanMonth(month)} je Wohnung</>}
            head={
              <tr>
                <th scope="col">Wohnung</th>
                {withTenants ? <th scope="col">Nutzer</th> : null}
                <th scope="col" className="num">
                  Verbrauch
                </th>
                <th scope="col" className="num">
                  ggü. Vorjahr
                </th>
                <th scope="col">Zustellung</th>
                <th scope="col">Bereitgestellt</th>
                <th scope="col">Geöffnet</th>
                <th scope="col">Hinweise</th>
              </tr>
            }
          >
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <span className="cell-main">{r.unitLabel}</span>
                  <span className="cell-sub">{r.propertyName}</span>
                </th>
                {withTenants ? <td>{r.tenantName ?? <span className="muted">–</span>}</td> : null}
                <td className="num">{formatKwh(r.totalKwh === null ? null : Number(r.totalKwh))}</td>
                <td className="num">{formatChange(r.changePreviousYear === null ? null : Number(r.changePreviousYear))}</td>
                <td>
                  {r.delivery === 'portal' ? (
                    DELIVERY_LABELS.portal
                  ) : (
                    <span className="tag tag--warning">{DELIVERY_LABELS[r.delivery]}</span>
                  )}
                </td>
                <td>
                  {formatDateTime(r.publishedAt)}
                  {r.revisedAt ? <span className="cell-sub">aktualisiert {formatDateTime(r.revisedAt)}</span> : null}
                </td>
                <td>
                  {r.openedAt ? formatDateTime(r.openedAt) : <span className="muted">{r.delivery === 'portal' ? 'noch nicht' : '–'}</span>}
                </td>
                <td>
                  {r.estimated ? <span className="tag tag--estimated">Ersatzwert</span> : null}{' '}
                  {r.devicesOk ? null : <span className="tag tag--warning">Gerät ohne Werte</span>}{' '}
                  {r.remoteReadable ? null : <span className="tag tag--risk">nicht fernablesbar</span>}
                </td>
              </tr>
            ))}
          </DataTable>
          <Pagination
            page={page}
            pageCount={pageCount}
            total={total}
            pageSize={pageSize}
            hrefFor={(n) => query({ seite: n > 1 ? String(n) : null })}
          />
        </>
      )}
    </>
  );
}
