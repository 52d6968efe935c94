import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DELIVERED_DOCUMENT_RETENTION_YEARS } from '../../domain/accounts';
import { formatDate } from '../../domain/format';
import { formatKwh, germanMonth, type YearMonth } from '../../domain/monthly';
import { formatEuro, formatPeriod } from '../../domain/statement-format';
import { requireUserWithPermission } from '../../server/permissions';
import { tenantDocuments } from '../../server/tenant-documents';

export const meta: MetaFunction = () => [{ title: 'Meine Dokumente · Klarmeter' }];

/** Everything delivered to the tenant, per tenancy, also after a move-out (for the retention period). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:document:own');
  return { tenancies: await tenantDocuments(user) };
}

export default function MyDocuments() {
  const { tenancies } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Meine Dokumente"
        description={`Alle Abrechnungen und Verbrauchsinformationen, die Ihnen zugestellt wurden, auch nach einem Auszug: ${DELIVERED_DOCUMENT_RETENTION_YEARS} Jahre nach Ende des Abrechnungsjahres.`}
      />
      {tenancies.length === 0 ? <EmptyState>Für Ihr Konto ist kein Mietverhältnis hinterlegt.</EmptyState> : null}
      {tenancies.map((t) => (
        <Panel
          key={t.tenancyId}
          id={`tenancy-${t.tenancyId}`}
          title={`${t.propertyName} · ${t.unitLabel}${t.ended ? ` (ausgezogen zum ${formatDate(t.endsOn)})` : ''}`}
        >
          <p className="muted">
            {t.address} · Mietverhältnis seit {formatDate(t.startsOn)}
            {t.endsOn ? ` bis ${formatDate(t.endsOn)}` : ''}
          </p>
          <h3 className="subheading">Abrechnungen</h3>
          {t.statements.length === 0 ? (
            <EmptyState>Keine zugestellte Abrechnung.</EmptyState>
          ) : (
            <DataTable
              label={`Abrechnungen ${t.unitLabel}`}
              caption={`Abrechnungen für ${t.propertyName} · ${t.unitLabel}`}
              head={
                <tr>
                  <th scope="col">Abrechnungszeitraum</th>
                  <th scope="col">Dokument</th>
                  <th scope="col" className="num">
                    Ihr Anteil
                  </th>
                </tr>
              }
            >
              {t.statements.map((s) => (
                <tr key={`${s.id}-${s.unitId}`}>
                  <th scope="row">
                    <Link to={`/meine-abrechnungen/${s.id}?einheit=${s.unitId}`}>{formatPeriod(s.periodStart, s.periodEnd)}</Link>
                  </th>
                  <td>
                    <span className="mono">{s.documentNumber}</span> · Version {s.version}
                  </td>
                  <td className="num">{formatEuro(s.amountDue)}</td>
                </tr>
              ))}
            </DataTable>
          )}
          <h3 className="subheading">Monatliche Verbrauchsinformationen</h3>
          {t.months.length === 0 ? (
            <EmptyState>Keine Verbrauchsinformation.</EmptyState>
          ) : (
            <DataTable
              label={`Verbrauchsinformationen ${t.unitLabel}`}
              caption={`Verbrauchsinformationen für ${t.propertyName} · ${t.unitLabel}`}
              head={
                <tr>
                  <th scope="col">Monat</th>
                  <th scope="col" className="num">
                    Verbrauch
                  </th>
                  <th scope="col">Lesbar bis</th>
                </tr>
              }
            >
              {t.months.map((m) => (
                <tr key={m.id}>
                  <th scope="row">
                    <Link to={t.ended ? `/meine-dokumente/verbrauch/${m.id}` : `/verbrauch?wohnung=${t.unitId}&monat=${m.month}`}>
                      {germanMonth(m.month as YearMonth)}
                    </Link>
                  </th>
                  <td className="num">
                    {formatKwh(m.totalKwh)}
                    {m.estimated ? ' (geschätzt)' : ''}
                  </td>
                  <td>{formatDate(m.retainedUntil)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </Panel>
      ))}
    </>
  );
}
