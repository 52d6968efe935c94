import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { AppointmentRow } from '~/components/appointment-rows';
import { SlaCountdown, ToneBadge, useNow } from '~/components/cases';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { formatNumber } from '../../domain/format';
import { TICKET_STATUS_LABELS } from '../../domain/contracts/ticket';
import { TICKET_PRIORITY_LABELS, type TicketPriority } from '../../domain/sla';
import type { Tone } from '../../domain/timeline';
import { SLA_STANDING_LABELS, slaStanding, type SlaStanding } from '../../domain/work-routing';
import { appointmentListView } from '../../server/appointments';
import { requireUserWithPermission } from '../../server/permissions';
import { workList } from '../../server/work-list';

export const meta: MetaFunction = () => [{ title: 'Arbeitsliste · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'handle:ticket:own');
  const list = await workList(user);
  return {
    now: list.asOf,
    standings: list.standings,
    // Labels are resolved here: the workflows' shared modules stay out of the browser bundle.
    tickets: list.tickets.map((t) => ({
      id: t.id,
      subject: t.subject,
      place: `${t.propertyName}${t.unitLabel ? `, ${t.unitLabel}` : ''}`,
      priority: t.priority,
      statusLabel: TICKET_STATUS_LABELS[t.status],
      sla: t.sla,
    })),
    appointments: list.appointments.map(appointmentListView),
  };
}

const STANDING_TONES: Record<SlaStanding, Tone> = {
  breached: 'red',
  at_risk: 'yellow',
  on_track: 'green',
  paused: 'unknown',
  done: 'green',
};
const PRIORITY_TONES: Record<TicketPriority, Tone> = { urgent: 'red', high: 'yellow', normal: 'unknown', low: 'unknown' };
const TILES: ReadonlyArray<{ standing: SlaStanding; label: string; tone: string }> = [
  { standing: 'breached', label: 'Frist überschritten', tone: 'red' },
  { standing: 'at_risk', label: 'Frist gefährdet (< 24 h)', tone: 'yellow' },
  { standing: 'on_track', label: 'im Plan', tone: 'green' },
  { standing: 'paused', label: 'ruhen (Rückfrage)', tone: 'grey' },
];

export default function WorkListPage() {
  const { tickets, appointments, standings, now: serverNow } = useLoaderData<typeof loader>();
  const now = useNow(serverNow);
  return (
    <>
      <PageHeader
        title="Arbeitsliste"
        description={
          <>
            Ihre offenen Vorgänge, dringendste Frist zuerst, und die offenen Terminanfragen Ihrer Liegenschaften.{' '}
            <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
      />
      <ul className="light-summary case-summary" aria-label="Ihre Vorgänge nach Frist">
        {TILES.map((tile) => (
          <li key={tile.standing} className={`light-summary__item case-summary__item--${tile.tone}`}>
            <span>
              <span className="light-summary__count">{formatNumber(standings[tile.standing])}</span>
              <span className="light-summary__label">{tile.label}</span>
            </span>
          </li>
        ))}
      </ul>
      <Panel id="tickets" title="Mir zugewiesene Vorgänge">
        {tickets.length === 0 ? (
          <EmptyState>Ihnen ist kein offener Vorgang zugewiesen.</EmptyState>
        ) : (
          <DataTable
            label="Mir zugewiesene Vorgänge"
            caption="Offene Vorgänge, dringendste Frist zuerst"
            head={
              <tr>
                <th scope="col">Nr.</th>
                <th scope="col">Betreff</th>
                <th scope="col">Priorität</th>
                <th scope="col">Status</th>
                <th scope="col">Frist</th>
              </tr>
            }
          >
            {tickets.map((t) => {
              const standing = slaStanding(t.sla, now);
              return (
                <tr key={t.id} data-ticket-id={t.id} data-standing={standing}>
                  <td className="mono">#{t.id}</td>
                  <th scope="row">
                    <Link to={`/vorgaenge/${t.id}`} className="cell-main">
                      {t.subject}
                    </Link>
                    <span className="cell-sub">{t.place}</span>
                  </th>
                  <td>
                    <ToneBadge tone={PRIORITY_TONES[t.priority]}>{TICKET_PRIORITY_LABELS[t.priority]}</ToneBadge>
                  </td>
                  <td>{t.statusLabel}</td>
                  <td>
                    <ToneBadge tone={STANDING_TONES[standing]}>{SLA_STANDING_LABELS[standing]}</ToneBadge>{' '}
                    <SlaCountdown sla={t.sla} now={now} compact />
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </Panel>
      <Panel id="appointments" title="Offene Terminanfragen">
        {appointments.length === 0 ? (
          <EmptyState>Keine offenen Terminanfragen.</EmptyState>
        ) : (
          <DataTable
            label="Offene Terminanfragen"
            caption="Offene Terminanfragen, unbeantwortete zuerst"
            head={
              <tr>
                <th scope="col">Anlass</th>
                <th scope="col">Ort</th>
                <th scope="col">Mieter</th>
                <th scope="col">Status</th>
                <th scope="col">Termin</th>
              </tr>
            }
          >
            {appointments.map((a) => (
              <AppointmentRow key={a.id} a={a} showTenant />
            ))}
          </DataTable>
        )}
      </Panel>
    </>
  );
}
