import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useLoaderData } from '@remix-run/react';
import { DataTable } from '~/components/data-table';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import { formatDateTime, formatNumber } from '../../domain/format';
import { formatChange, formatKwh, germanMonth } from '../../domain/monthly';
import { parseId } from '../../domain/params';
import { forwardedMonthlySummary, forwardsFor, openForwardAction } from '../../server/owner-forwards';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Weitergeleitete Dokumente · Klarmeter' }];

/**
 * Owners: what their managers forwarded to them, and a forwarded monthly summary (?dokument=id, where
 * opening it leads); managers: every forwarding of their organisation.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:statement:own');
  const documentId = parseId(new URL(request.url).searchParams.get('dokument') ?? undefined);
  const [forwards, shown] = await Promise.all([forwardsFor(user), documentId ? forwardedMonthlySummary(user, documentId) : null]);
  return { isOwner: user.role === 'owner', forwards, shown };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return openForwardAction(request, context);
}

export default function Forwards() {
  const { isOwner, forwards, shown } = useLoaderData<typeof loader>();
  useLiveRevalidation();
  return (
    <>
      <PageHeader
        title="Weitergeleitete Dokumente"
        description={
          isOwner
            ? 'Dokumente, die Ihre Hausverwaltung an Sie weitergeleitet hat, mit Zustellnachweis.'
            : 'Alle an Eigentümer weitergeleiteten Dokumente mit Zustellnachweis (weitergeleitet, geöffnet).'
        }
      />
      {forwards.length === 0 ? (
        <EmptyState>Noch keine weitergeleiteten Dokumente.</EmptyState>
      ) : (
        <DataTable
          label="Weitergeleitete Dokumente"
          caption="Weitergeleitete Dokumente"
          head={
            <tr>
              <th scope="col">Dokument</th>
              <th scope="col">Liegenschaft</th>
              {isOwner ? null : <th scope="col">Eigentümer</th>}
              <th scope="col">Weitergeleitet</th>
              <th scope="col">Geöffnet</th>
            </tr>
          }
        >
          {forwards.map((f) => (
            <tr key={f.id}>
              <th scope="row">
                {isOwner ? (
                  <Form method="post">
                    <input type="hidden" name="forward" value={f.id} />
                    <button type="submit" className="button">
                      {f.title}
                    </button>
                  </Form>
                ) : (
                  f.title
                )}
              </th>
              <td>{f.propertyName}</td>
              {isOwner ? null : <td>{f.ownerName}</td>}
              <td>
                {formatDateTime(f.forwardedAt)} von {f.forwardedByName}
              </td>
              <td>{f.openedAt ? formatDateTime(f.openedAt) : 'noch nicht geöffnet'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {shown ? <MonthlySummaryPanel {...shown} /> : null}
    </>
  );
}

/** A forwarded monthly summary: the property's month in figures, without any tenant's data. */
function MonthlySummaryPanel({ forward, month, summary }: NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['shown']>) {
  const share = (part: number, whole: number) => (whole === 0 ? '–' : `${Math.round((part / whole) * 100)} %`);
  return (
    <Panel id="dokument" title={forward.title}>
      <p className="muted">
        Zusammenfassung der Verbrauchsinformationen nach § 6a HeizkostenV für {germanMonth(month)}, weitergeleitet{' '}
        {formatDateTime(forward.forwardedAt)} von {forward.forwardedByName}. Stand der Zahlen: heute.
      </p>
      <Facts
        items={[
          ['Wohnungen mit Monatsinformation', `${formatNumber(summary.informed)} von ${formatNumber(summary.units)}`],
          ['Im Portal zugestellt', formatNumber(summary.portal)],
          ['Von Mietern geöffnet', `${formatNumber(summary.opened)} (${share(summary.opened, summary.portal)})`],
          ['Ohne Portalzugang (per Post)', formatNumber(summary.noAccount)],
          ['Leerstand', formatNumber(summary.vacant)],
          ['Mit Ersatzwert', formatNumber(summary.estimated)],
          ['Nicht fernablesbar', formatNumber(summary.notRemote)],
          ['Verbrauch gesamt', formatKwh(summary.totalKwh === null ? null : Number(summary.totalKwh))],
          ['davon Heizung', formatKwh(summary.heatingKwh === null ? null : Number(summary.heatingKwh))],
          ['davon Warmwasser', formatKwh(summary.hotWaterKwh === null ? null : Number(summary.hotWaterKwh))],
          ['ggü. Vorjahresmonat', formatChange(summary.changePreviousYear)],
        ]}
      />
    </Panel>
  );
}
