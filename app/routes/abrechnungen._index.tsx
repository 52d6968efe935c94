import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { FilterForm, SelectFilter } from '~/components/filters';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { formatDateTime, formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { requireUserWithPermission, visibleScope } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';
import { formatEuro, formatPeriod, statementStatusLabel } from '../../domain/statement-format';
import { listStatements } from '../../server/statements';
import { Countdown, LifecycleBadge } from '~/components/statement-lifecycle';
import { useNow } from '~/components/cases';
import { DataTable } from '~/components/data-table';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import { listLifecycles } from '../../server/statement-lifecycle';

export const meta: MetaFunction = () => [{ title: 'Heizkostenabrechnungen · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:statement:own');
  const propertyId = parseId(new URL(request.url).searchParams.get('property') ?? undefined);
  const [scope, statements] = await Promise.all([visibleScope(user), listStatements(user, propertyId)]);
  return {
    statements,
    properties: scope.properties,
    propertyId,
    canCreate: hasPermission(user, 'create:statement:any'),
    lifecycles: await listLifecycles(user.organisationId, statements),
    now: new Date().toISOString(),
  };
}

export default function Statements() {
  const { statements, properties, propertyId, canCreate, lifecycles, now: serverNow } = useLoaderData<typeof loader>();
  const now = useNow(serverNow, 30_000);
  useLiveRevalidation();
  return (
    <>
      <PageHeader
        title="Heizkostenabrechnungen"
        description="Jährliche Abrechnungen nach der Heizkostenverordnung, je Liegenschaft und Zeitraum mit allen Versionen."
        actions={
          canCreate ? (
            <Link to={propertyId ? `/abrechnungen/neu?property=${propertyId}` : '/abrechnungen/neu'} className="button button--primary">
              Neue Abrechnung
            </Link>
          ) : null
        }
      />
      <FilterForm resetTo="/abrechnungen" label="Abrechnungen filtern">
        <SelectFilter
          name="property"
          label="Liegenschaft"
          value={propertyId ? String(propertyId) : null}
          allLabel="Alle Liegenschaften"
          options={properties.map((p) => ({ value: String(p.id), label: p.name }))}
        />
      </FilterForm>
      <Panel id="statements" title="Abrechnungen">
        {statements.length === 0 ? (
          <EmptyState>
            Noch keine Abrechnungen
            {canCreate ? (
              <>
                {' '}
                – <Link to="/abrechnungen/neu">jetzt eine erstellen</Link>
              </>
            ) : null}
            .
          </EmptyState>
        ) : (
          <DataTable
            label="Abrechnungen"
            caption="Heizkostenabrechnungen"
            head={
              <tr>
                <th scope="col">Liegenschaft</th>
                <th scope="col">Zeitraum</th>
                <th scope="col" className="num">
                  Version
                </th>
                <th scope="col">Dokument-Nr.</th>
                <th scope="col">Status</th>
                <th scope="col">Frist</th>
                <th scope="col" className="num">
                  Einheiten
                </th>
                <th scope="col" className="num">
                  Kosten Heizanlage
                </th>
                <th scope="col">Erstellt</th>
              </tr>
            }
          >
            {statements.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.propertyName}</th>
                <td>{formatPeriod(s.periodStart, s.periodEnd)}</td>
                <td className="num">
                  {s.version}
                  {s.latest ? null : <span className="muted"> (ältere Version)</span>}
                </td>
                <td>
                  <Link to={`/abrechnungen/${s.id}`} className="mono">
                    {s.documentNumber}
                  </Link>
                </td>
                <td>
                  {lifecycles[s.id] ? (
                    <LifecycleBadge state={lifecycles[s.id]!.state} label={lifecycles[s.id]!.stateLabel} />
                  ) : (
                    statementStatusLabel(s.status)
                  )}
                </td>
                <td>
                  {lifecycles[s.id]?.deadline ? (
                    <>
                      {lifecycles[s.id]!.deadline!.kind === 'delivery' ? 'Zustellung ' : 'Einspruch '}
                      <Countdown until={lifecycles[s.id]!.deadline!.endsAt} now={now} />
                    </>
                  ) : (
                    '–'
                  )}
                </td>
                <td className="num">{formatNumber(s.unitCount)}</td>
                <td className="num">{formatEuro(s.plantCost)}</td>
                <td>{formatDateTime(s.createdAt)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
    </>
  );
}
