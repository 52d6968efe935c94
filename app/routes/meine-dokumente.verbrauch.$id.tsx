import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { DataTable } from '~/components/data-table';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { DEVICE_TYPE_LABELS, formatDate, formatDateTime } from '../../domain/format';
import { formatChange, formatKwh, germanMonth, type YearMonth } from '../../domain/monthly';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { archivedMonth } from '../../server/tenant-documents';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `Verbrauch ${germanMonth(data.month as YearMonth)}` : 'Verbrauchsinformation'} · Klarmeter` },
];

/** A monthly information delivered during a tenancy that has ended: read-only, as it was delivered. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:document:own');
  const id = parseId(params.id);
  const month = id ? await archivedMonth(user, id) : null;
  if (!month) throw notFound();
  return month;
}

export default function ArchivedMonth() {
  const month = useLoaderData<typeof loader>();
  const { content } = month;
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/meine-dokumente">← Meine Dokumente</Link>}
        title={`Ihr Verbrauch im ${germanMonth(month.month as YearMonth)}`}
        description={`${month.propertyName} · ${month.unitLabel} · Mietverhältnis beendet zum ${formatDate(month.tenancyEnded)}`}
      />
      <Panel id="figures" title="Verbrauch">
        <Facts
          items={[
            ['Gesamt', `${formatKwh(content.totalKwh)}${content.estimated ? ' (geschätzt)' : ''}`],
            ['Heizung', formatKwh(content.heatingKwh)],
            ['Warmwasser', formatKwh(content.hotWaterKwh)],
            ['Vormonat', content.comparisons.previousMonth ? formatChange(content.comparisons.previousMonth.changePercent) : '–'],
            ['Vorjahresmonat', content.comparisons.previousYear ? formatChange(content.comparisons.previousYear.changePercent) : '–'],
            [
              'Vergleichbare Wohnungen',
              content.comparisons.peers
                ? `${formatKwh(content.comparisons.peers.kwh)}${content.comparisons.peers.groupLabel ? ` (${content.comparisons.peers.groupLabel})` : ''}`
                : '–',
            ],
            ['Bereitgestellt', formatDateTime(month.publishedAt)],
          ]}
        />
        {content.hints.length > 0 ? (
          <ul>
            {content.hints.map((hint) => (
              <li key={hint.kind}>{hint.text}</li>
            ))}
          </ul>
        ) : null}
      </Panel>
      <Panel id="devices" title="Geräte in diesem Monat">
        <DataTable
          label="Geräte"
          caption="Geräte"
          head={
            <tr>
              <th scope="col">Gerät</th>
              <th scope="col">Ort</th>
              <th scope="col">Ablesung</th>
            </tr>
          }
        >
          {content.devices.map((d) => (
            <tr key={d.serial}>
              <th scope="row">
                {DEVICE_TYPE_LABELS[d.type]} <span className="mono">{d.serial}</span>
              </th>
              <td>{d.location ?? '–'}</td>
              <td>{d.ok ? 'vollständig' : 'unvollständig'}</td>
            </tr>
          ))}
        </DataTable>
      </Panel>
    </>
  );
}
