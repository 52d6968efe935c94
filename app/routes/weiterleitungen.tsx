import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useLoaderData } from '@remix-run/react';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader } from '~/components/page-header';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import { formatDateTime } from '../../domain/format';
import { forwardsFor, openForwardAction } from '../../server/owner-forwards';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Weitergeleitete Dokumente · Klarmeter' }];

/** Owners: what their managers forwarded to them; managers: every forwarding of their organisation. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:statement:own');
  return { isOwner: user.role === 'owner', forwards: await forwardsFor(user) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return openForwardAction(request, context);
}

export default function Forwards() {
  const { isOwner, forwards } = useLoaderData<typeof loader>();
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
    </>
  );
}
