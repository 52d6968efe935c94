import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, Outlet, useLoaderData } from '@remix-run/react';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import statementStyles from '~/styles/statements.css?url';
import { requireUserWithPermission } from '../../server/permissions';
import { formatEuro, formatPeriod } from '../../domain/statement-format';
import { tenantStatements } from '../../server/statements';

export const meta: MetaFunction = () => [{ title: 'Meine Abrechnungen · Klarmeter' }];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: statementStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  // Like "Meine Wohnung": the user's own tenancies, whatever else its role may see.
  const user = await requireUserWithPermission(request, 'read:tenancy:own');
  return { statements: await tenantStatements(user) };
}

const statementPath = (row: { id: number; unitId: number }) => `/meine-abrechnungen/${row.id}?einheit=${row.unitId}`;

export default function MyStatements() {
  const { statements } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Meine Abrechnungen"
        description="Ihre Heiz- und Wasserkostenabrechnungen mit allen Berechnungsschritten, zum Ansehen und als PDF."
      />
      <Panel id="statements" title="Abrechnungen">
        {statements.length === 0 ? (
          <EmptyState>Für Sie liegt noch keine zugestellte Abrechnung vor.</EmptyState>
        ) : (
          <DataTable
            label="Meine Abrechnungen"
            caption="Meine Abrechnungen"
            head={
              <tr>
                <th scope="col">Abrechnungszeitraum</th>
                <th scope="col">Wohnung</th>
                <th scope="col">Ihr Nutzungszeitraum</th>
                <th scope="col">Dokument</th>
                <th scope="col" className="num">
                  Ihr Anteil
                </th>
                <th scope="col">PDF</th>
              </tr>
            }
          >
            {statements.map((row) => (
              <tr key={`${row.id}-${row.unitId}`}>
                <th scope="row">
                  <Link to={statementPath(row)}>{formatPeriod(row.periodStart, row.periodEnd)}</Link>
                </th>
                <td>
                  {row.propertyName} · {row.unitLabel}
                </td>
                <td>{formatPeriod(row.occupancyFrom, row.occupancyTo)}</td>
                <td>
                  <span className="mono">{row.documentNumber}</span> · Version {row.version}
                </td>
                <td className="num statement-list__amount">{formatEuro(row.amountDue)}</td>
                <td>
                  <a href={`/meine-abrechnungen/${row.id}.pdf?einheit=${row.unitId}`} download>
                    Herunterladen
                  </a>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
      <Outlet />
    </>
  );
}
