import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { formatNumber } from '../../domain/format';
import { accessOverview } from '../../server/invitations';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Mieterzugänge · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:invitation:any');
  return { properties: await accessOverview(user) };
}

export default function Invitations() {
  const { properties } = useLoaderData<typeof loader>();
  const total = properties.reduce(
    (sum, p) => ({
      tenancies: sum.tenancies + p.tenancies,
      withAccount: sum.withAccount + p.withAccount,
      withoutAccess: sum.withoutAccess + p.withoutAccess,
    }),
    { tenancies: 0, withAccount: 0, withoutAccess: 0 },
  );
  return (
    <>
      <PageHeader
        title="Mieterzugänge"
        description={`${formatNumber(total.withAccount)} von ${formatNumber(total.tenancies)} Mietern nutzen das Portal; ${formatNumber(total.withoutAccess)} sind noch nicht eingeladen.`}
      />
      <Panel id="properties" title="Liegenschaften">
        {properties.length === 0 ? (
          <EmptyState>Keine Liegenschaften.</EmptyState>
        ) : (
          <DataTable
            label="Mieterzugänge je Liegenschaft"
            caption="Mieterzugänge je Liegenschaft"
            head={
              <tr>
                <th scope="col">Liegenschaft</th>
                <th scope="col" className="num">
                  Mietverhältnisse
                </th>
                <th scope="col" className="num">
                  Mit Zugang
                </th>
                <th scope="col" className="num">
                  Eingeladen
                </th>
                <th scope="col" className="num">
                  Ohne Zugang
                </th>
              </tr>
            }
          >
            {properties.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  <Link to={`/einladungen/${p.id}`}>{p.name}</Link>
                </th>
                <td className="num">{formatNumber(p.tenancies)}</td>
                <td className="num">{formatNumber(p.withAccount)}</td>
                <td className="num">{formatNumber(p.invited)}</td>
                <td className="num">{formatNumber(p.withoutAccess)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
    </>
  );
}
