import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { ToneBadge } from '~/components/cases';
import { type Tone } from '../../domain/timeline';
import { EmptyState, PageHeader } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { formatDateTime } from '../../domain/format';
import { listAppointments } from '../../server/appointments';
import { describeSlot } from '../../server/appointment-obligation';
import { APPOINTMENT_REASON_LABELS, APPOINTMENT_STATUS_LABELS } from '../../domain/contracts/appointment';
import type { AppointmentStatus } from '../../domain/contracts/appointment';
import { requireUserWithPermission } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';

export const meta: MetaFunction = () => [{ title: 'Termine · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:appointment:own');
  const rows = await listAppointments(user);
  return {
    isTenant: user.role === 'tenant',
    showTenant: hasPermission(user, 'handle:appointment:own'),
    appointments: rows.map((r) => {
      const confirmed = r.slots.find((s) => s.position === r.confirmedSlot);
      return {
        id: r.id,
        reasonLabel: APPOINTMENT_REASON_LABELS[r.reason],
        status: r.status,
        statusLabel: APPOINTMENT_STATUS_LABELS[r.status],
        place: `${r.propertyName}, ${r.unitLabel}`,
        tenantName: r.tenantName,
        when: confirmed ? [describeSlot(confirmed)] : r.slots.filter((s) => r.openOffer.includes(s.position)).map(describeSlot),
        confirmed: Boolean(confirmed),
        confirmDueAt: r.status === 'requested' ? r.confirmDueAt : null,
        overdue: r.status === 'requested' && r.escalatedAt !== null,
      };
    }),
  };
}

const STATUS_TONES: Record<AppointmentStatus, Tone> = {
  requested: 'yellow',
  proposed: 'yellow',
  confirmed: 'green',
  done: 'green',
  no_show: 'red',
  cancelled: 'unknown',
};

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
            <tr key={a.id} data-appointment-id={a.id}>
              <th scope="row">
                <Link to={`/termine/${a.id}`} className="cell-main">
                  {a.reasonLabel}
                </Link>
                <span className="cell-sub">Anfrage #{a.id}</span>
              </th>
              <td>{a.place}</td>
              {showTenant ? <td>{a.tenantName}</td> : null}
              <td>
                <ToneBadge tone={a.overdue ? 'red' : STATUS_TONES[a.status]}>{a.statusLabel}</ToneBadge>
                {a.confirmDueAt ? (
                  <span className="cell-sub">
                    {a.overdue ? 'Bestätigung überfällig seit' : 'Bestätigung bis'} {formatDateTime(a.confirmDueAt)}
                  </span>
                ) : null}
              </td>
              <td>
                {a.when.length === 0 ? (
                  <span className="muted">–</span>
                ) : (
                  <ul className="slot-list">
                    {a.when.map((w) => (
                      <li key={w} className={a.confirmed ? 'slot-list__confirmed' : undefined}>
                        {w}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
