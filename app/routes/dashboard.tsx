import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { HeatingChart, InquiryChart } from '~/components/dashboard-charts';
import { DataTable } from '~/components/data-table';
import { FilterForm, SelectFilter } from '~/components/filters';
import { LightBadge } from '~/components/light-badge';
import { LightSummary } from '~/components/light-summary';
import { NextAction } from '~/components/next-action';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import monthlyStyles from '~/styles/monthly.css?url';
import dashboardStyles from '~/styles/dashboard.css?url';
import { Pagination } from '~/components/pagination';
import { DEADLINE_KINDS, formatPermille, objectsPage, OBJECTS_PAGE_SIZE, RADIO_WINDOW_DAYS, SLA_RISK_HOURS } from '../../domain/dashboard';
import { formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { hasPermission } from '../../domain/permissions';
import { dashboard } from '../../server/dashboard';
import { openFindingCount } from '../../server/proof-findings';
import { FindingsBanner } from '~/components/proof-findings';
import { notFound, requireUserWithPermission, visibleScope } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Dashboard · Klarmeter' }];

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: monthlyStyles },
  { rel: 'stylesheet', href: dashboardStyles },
];

/**
 * GET /dashboard?property=&seite= — the whole portfolio in the viewer's scope, or one property of it;
 * `seite` pages the property table (those needing attention first), so a portfolio of hundreds of
 * properties renders and ships only one page of rows.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:property:own');
  const url = new URL(request.url);
  const raw = url.searchParams.get('property');
  const propertyId = raw ? parseId(raw) : null;
  if (raw && propertyId === null) throw notFound();
  const scope = await visibleScope(user);
  const [data, openFindings] = await Promise.all([dashboard(scope, propertyId), openFindingCount(user)]);
  if (!data) throw notFound();
  const { properties: summaries, ...figures } = data;
  const objects = objectsPage(summaries, parseId(url.searchParams.get('seite') ?? undefined) ?? 1);
  return {
    openFindings,
    data: {
      ...figures,
      propertyCount: summaries.length,
      deadlines: {
        ...figures.deadlines,
        // A kind's page only for who may open it; the count is shown either way.
        kinds: figures.deadlines.kinds.map((count) => ({
          ...count,
          label: DEADLINE_KINDS[count.kind].label,
          href: hasPermission(user, DEADLINE_KINDS[count.kind].permission) ? DEADLINE_KINDS[count.kind].path : null,
        })),
      },
    },
    objects: {
      ...objects,
      rows: objects.rows.map((p) => ({ id: p.id, name: p.name, unitCount: p.unitCount, status: p.status, nextAction: p.nextAction })),
    },
    properties: scope.properties,
    canSeeTickets: hasPermission(user, 'read:ticket:own'),
  };
}

export default function DashboardPage() {
  const { data, objects, properties, canSeeTickets, openFindings } = useLoaderData<typeof loader>();
  useLiveRevalidation();
  const where = data.property ? `?property=${data.property.id}` : '';
  // Device deadlines open the register (most pressing first) of the property shown.
  const deadlineLink = (kind: string, path: string) => (kind === 'device' || kind === 'cost-data' ? `${path}${where}` : path);
  const registerLink = (query: string) => `/geraete?${data.property ? `property=${data.property.id}&` : ''}${query}`;
  return (
    <>
      <PageHeader
        title="Dashboard"
        eyebrow={data.property ? data.property.name : 'Alle Liegenschaften'}
        description={
          <>
            Wohneinheiten, Geräte, Fristen und Vorgänge auf einen Blick. <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          data.status ? (
            <span className="status-line">
              Gesamtstatus <LightBadge light={data.status} />
            </span>
          ) : null
        }
      />
      <FindingsBanner count={openFindings} />
      {properties.length > 1 ? (
        <FilterForm resetTo="/dashboard" label="Liegenschaft wählen">
          <SelectFilter
            name="property"
            label="Liegenschaft"
            allLabel="Alle Liegenschaften"
            value={data.property ? String(data.property.id) : null}
            options={properties.map((p) => ({ value: String(p.id), label: p.name }))}
          />
        </FilterForm>
      ) : null}

      <ul className="kpis" aria-label="Kennzahlen">
        <li className="kpi">
          <span className="kpi__label">Wohneinheiten</span>
          <span className="kpi__value">{formatNumber(data.units)}</span>
          <span className="kpi__note">in {formatNumber(data.propertyCount)} Liegenschaften</span>
        </li>
        <li className="kpi">
          <span className="kpi__label">Funkqualität</span>
          <span className="kpi__value">{formatPermille(data.radio.permille)}</span>
          <span className="kpi__note">
            {formatNumber(data.radio.reporting)} von {formatNumber(data.radio.remote)} Funkgeräten haben in den letzten {RADIO_WINDOW_DAYS}{' '}
            Tagen gesendet
          </span>
        </li>
        <li className="kpi">
          <span className="kpi__label">Offene Tickets</span>
          <span className="kpi__value">
            {canSeeTickets ? <Link to="/vorgaenge">{formatNumber(data.tickets.open)}</Link> : formatNumber(data.tickets.open)}
          </span>
          <span className={data.tickets.atRisk > 0 ? 'kpi__note kpi__note--alert' : 'kpi__note'}>
            {formatNumber(data.tickets.atRisk)} mit SLA-Risiko (überschritten oder in {SLA_RISK_HOURS} Stunden fällig)
          </span>
        </li>
        <li className="kpi">
          <span className="kpi__label">Nächste Fristen</span>
          <span className="kpi__value">
            <a href="#fristen">{formatNumber(data.deadlines.within[30])}</a>
          </span>
          <span className={data.deadlines.overdue > 0 ? 'kpi__note kpi__note--alert' : 'kpi__note'}>
            in 30 Tagen, {formatNumber(data.deadlines.within[90])} in 90 Tagen
            {data.deadlines.overdue > 0 ? `; ${formatNumber(data.deadlines.overdue)} überfällig` : null}
          </span>
        </li>
      </ul>

      <LightSummary counts={data.lights} hrefFor={(light) => registerLink(`light=${light}`)} label="Geräte nach Ampel" />

      <div className="dashboard-grid">
        <Panel id="heating" title="Verbrauch Heizung (kWh)">
          <HeatingChart months={data.heating} title="Verbrauch Heizung in kWh je Monat, dieses Jahr und Vorjahr" />
        </Panel>
        <Panel id="inquiries" title="Anfragen je 100 Wohneinheiten">
          <p className="panel__intro">
            Tickets und Einsprüche je Monat seit der Einführung des Portals, bezogen auf {formatNumber(data.units)} Wohneinheiten.
          </p>
          {data.inquiries.length === 0 ? (
            <EmptyState>Noch keine Daten.</EmptyState>
          ) : (
            <InquiryChart months={data.inquiries} title="Anfragen (Tickets und Einsprüche) je 100 Wohneinheiten und Monat" />
          )}
        </Panel>
      </div>

      <Panel id="fristen" title="Fristen nach Pflicht">
        <DataTable
          label="Fristen nach Pflicht"
          caption="Offene Fristen je Pflicht: überfällig, in 30 und in 90 Tagen fällig"
          className="table--cards"
          head={
            <tr>
              <th scope="col">Pflicht</th>
              <th scope="col" className="num">
                Überfällig
              </th>
              <th scope="col" className="num">
                In 30 Tagen
              </th>
              <th scope="col" className="num">
                In 90 Tagen
              </th>
            </tr>
          }
        >
          {data.deadlines.kinds.map((k) => (
            <tr key={k.kind}>
              <th scope="row">{k.href ? <Link to={deadlineLink(k.kind, k.href)}>{k.label}</Link> : k.label}</th>
              <td className={k.overdue > 0 ? 'num overdue' : 'num'} data-label="Überfällig">
                {formatNumber(k.overdue)}
              </td>
              <td className="num" data-label="In 30 Tagen">
                {formatNumber(k.within30)}
              </td>
              <td className="num" data-label="In 90 Tagen">
                {formatNumber(k.within90)}
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>

      <Panel id="objects" title="Objekte">
        {objects.total === 0 ? (
          <EmptyState>Ihnen sind keine Liegenschaften zugeordnet.</EmptyState>
        ) : (
          <DataTable
            label="Objekte"
            caption="Objekte mit Einheiten, Status und nächster Aktion"
            className="table--cards"
            head={
              <tr>
                <th scope="col">Objekt</th>
                <th scope="col" className="num">
                  Einheiten
                </th>
                <th scope="col">Status</th>
                <th scope="col">Nächste Aktion</th>
              </tr>
            }
          >
            {objects.rows.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  <Link to={`/dashboard?property=${p.id}`} className="cell-main">
                    {p.name}
                  </Link>
                  <span className="cell-sub">
                    <Link to={`/liegenschaften/${p.id}`}>Details</Link>
                  </span>
                </th>
                <td className="num" data-label="Einheiten">
                  {formatNumber(p.unitCount)}
                </td>
                <td data-label="Status">{p.status ? <LightBadge light={p.status} /> : <span className="muted">Keine Geräte</span>}</td>
                <td data-label="Nächste Aktion">
                  <NextAction action={p.nextAction} today={data.today} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        {objects.pageCount > 1 ? (
          <Pagination
            page={objects.page}
            pageCount={objects.pageCount}
            total={objects.total}
            pageSize={OBJECTS_PAGE_SIZE}
            hrefFor={(page) => `/dashboard?${data.property ? `property=${data.property.id}&` : ''}seite=${page}#objects`}
          />
        ) : null}
      </Panel>
      {where ? (
        <p>
          <Link to="/dashboard">Zurück zum ganzen Bestand</Link>
        </p>
      ) : null}
    </>
  );
}
