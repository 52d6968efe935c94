import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { AppointmentRow } from '~/components/appointment-rows';
import { EmptyState, PageHeader } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { appointmentListView, listAppointments } from '../../server/appointments';
import { requireUserWithPermission } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';

export const meta: MetaFunction = () => [{ title: 'Termine · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:appointment:own');
  const rows = await listAppointments(user);
  return {
    isTenant: user.role === 'tenant',
    showTenant: hasPermission(user, 'handle:appointment:own'),
    appointments: rows.map(appointmentListView),
  };
}

export default function Appointments() {
  const { appointments, isTenant, showTenant } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title={isTenant ? 'Meine Termine' : 'Termine'}
        description={
          <>
            {isTenant
              ? 'Ihre Terminwünsche für Ablesung, Wartung und Gerätetausch.'
              : 'Terminwünsche der Mieter: bestätigen, andere Zeiten vorschlagen, Ergebnis erfassen.'}{' '}
            <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          isTenant ? (
            <Link to="/termine/neu" className="button button--primary">
              Termin anfragen
            </Link>
          ) : null
        }
      />
      {appointments.length === 0 ? (
        <EmptyState>Keine Terminanfragen.</EmptyState>
      ) : (
        <DataTable
          label="Terminanfragen"
          caption="Terminanfragen, unbeantwortete zuerst"
          head={
            <tr>
              <th scope="col">Anlass</th>
              <th scope="col">Ort</th>
              {showTenant ? <th scope="col">Mieter</th> : null}
              <th scope="col">Status</th>
              <th scope="col">Termin</th>
            </tr>
          }
        >
          {appointments.map((a) => (
            <AppointmentRow key={a.id} a={a} showTenant={showTenant} />
          ))}
        </DataTable>
      )}
    </>
  );
}
