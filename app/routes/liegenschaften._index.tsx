import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { calendarDate } from '../../domain/calendar';
import { LightBadge } from '~/components/light-badge';
import { LightSummary } from '~/components/light-summary';
import { NextAction } from '~/components/next-action';
import { EmptyState, PageHeader } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { formatNumber } from '../../domain/format';
import { requireUserWithPermission, visibleScope } from '../../server/permissions';
import { addLightCounts, emptyLightCounts, worstLight } from '../../domain/lights';
import { propertySummaries } from '../../server/properties';

export const meta: MetaFunction = () => [{ title: 'Liegenschaften · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:property:own');
  const properties = await propertySummaries(await visibleScope(user));
  const totals = properties.reduce((sum, p) => addLightCounts(sum, p.counts), emptyLightCounts());
  return { properties, totals, today: calendarDate(new Date()) };
}

export default function Properties() {
  const { properties, totals, today } = useLoaderData<typeof loader>();
  const status = worstLight(totals);
  return (
    <>
      <PageHeader
        title="Liegenschaften"
        description="Ihre Liegenschaften mit Wohneinheiten, Geräten und der nächsten fälligen Frist."
        actions={
          status ? (
            <span className="status-line">
              Gesamtstatus <LightBadge light={status} />
            </span>
          ) : null
        }
      />
      <LightSummary counts={totals} hrefFor={(light) => `/geraete?light=${light}`} label="Alle Geräte nach Ampel" />
      {properties.length === 0 ? (
        <EmptyState>Ihnen sind keine Liegenschaften zugeordnet.</EmptyState>
      ) : (
        <DataTable
          label="Liegenschaften"
          caption="Liegenschaften mit Status und nächster Frist"
          head={
            <tr>
              <th scope="col">Liegenschaft</th>
              <th scope="col" className="num">
                Einheiten
              </th>
              <th scope="col" className="num">
                Geräte
              </th>
              <th scope="col" className="num">
                Kritisch
              </th>
              <th scope="col" className="num">
                Warnung
              </th>
              <th scope="col" className="num">
                OK
              </th>
              <th scope="col">Status</th>
              <th scope="col">Nächste Aktion</th>
            </tr>
          }
        >
          {properties.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link to={`/liegenschaften/${p.id}`} className="cell-main">
                  {p.name}
                </Link>
                <span className="cell-sub">
                  {p.postalCode} {p.city}
                </span>
              </th>
              <td className="num">{formatNumber(p.unitCount)}</td>
              <td className="num">{formatNumber(p.deviceCount)}</td>
              <td className="num">
                <CountLink count={p.counts.red} to={`/geraete?property=${p.id}&light=red`} />
              </td>
              <td className="num">
                <CountLink count={p.counts.yellow} to={`/geraete?property=${p.id}&light=yellow`} />
              </td>
              <td className="num">{formatNumber(p.counts.green)}</td>
              <td>{p.status ? <LightBadge light={p.status} /> : <span className="muted">Keine Geräte</span>}</td>
              <td>
                <NextAction action={p.nextAction} today={today} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

function CountLink({ count, to }: { count: number; to: string }) {
  return count > 0 ? <Link to={to}>{formatNumber(count)}</Link> : <>{formatNumber(count)}</>;
}
