import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { SlaCountdown, ToneBadge, useNow } from '~/components/cases';
import { type Tone } from '../../domain/timeline';
import { EmptyState, PageHeader } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { formatDateTime, formatNumber } from '../../domain/format';
import { TICKET_LIST_LIMIT, TICKET_LIST_VIEWS, listTickets, ticketCounts, type TicketListView } from '../../server/tickets';
import { TICKET_CATEGORY_LABELS, TICKET_PRIORITY_LABELS, type TicketPriority } from '../../domain/sla';
import { TICKET_STATUS_LABELS } from '../../domain/contracts/ticket';
import type { TicketStatus } from '../../domain/contracts/ticket';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Vorgänge · Klarmeter' }];

const VIEW_LABELS: Record<TicketListView, string> = {
  active: 'Offen',
  mine: 'Mir zugewiesen',
  breached: 'SLA verletzt',
  done: 'Erledigt',
  all: 'Alle',
};

function viewOf(value: string | null): TicketListView {
  return (TICKET_LIST_VIEWS as readonly string[]).includes(value ?? '') ? (value as TicketListView) : 'active';
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:ticket:any');
  const view = viewOf(new URL(request.url).searchParams.get('ansicht'));
  const [tickets, counts] = await Promise.all([listTickets(user, view), ticketCounts(user)]);
  return {
    view,
    views: TICKET_LIST_VIEWS.map((value) => ({ value, label: VIEW_LABELS[value] })),
    limitReached: tickets.length === TICKET_LIST_LIMIT,
    limit: TICKET_LIST_LIMIT,
    counts,
    now: new Date().toISOString(),
    // Labels are resolved here: the workflow's shared module stays out of the browser bundle.
    tickets: tickets.map((t) => ({ ...t, statusLabel: TICKET_STATUS_LABELS[t.status] })),
  };
}

const STATUS_TONES: Record<TicketStatus, Tone> = {
  open: 'yellow',
  in_progress: 'green',
  waiting_for_tenant: 'unknown',
  resolved: 'green',
  closed: 'unknown',
};
const PRIORITY_TONES: Record<TicketPriority, Tone> = { urgent: 'red', high: 'yellow', normal: 'unknown', low: 'unknown' };

export default function Tickets() {
  const { tickets, counts, view, views, limitReached, limit, now: serverNow } = useLoaderData<typeof loader>();
  const now = useNow(serverNow);
  const tiles: Array<{ view: TicketListView; count: number; label: string; tone: string }> = [
    { view: 'active', count: counts.active, label: 'offen', tone: 'yellow' },
    { view: 'breached', count: counts.breached, label: 'SLA verletzt', tone: 'red' },
    { view: 'active', count: counts.waiting, label: 'warten auf Mieter', tone: 'grey' },
    { view: 'done', count: counts.resolvedLast30Days, label: 'gelöst (30 Tage)', tone: 'green' },
  ];
  return (
    <>
      <PageHeader
        title="Vorgänge"
        description={
          <>
            Anliegen der Mieter mit Reaktions- und Lösungsfristen. <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
      />
      <ul className="light-summary case-summary" aria-label="Vorgänge in Zahlen">
        {tiles.map((tile) => (
          <li key={tile.label} className={`light-summary__item case-summary__item--${tile.tone}`}>
            <Link to={`?ansicht=${tile.view}`}>
              <span className="light-summary__count">{formatNumber(tile.count)}</span>
              <span className="light-summary__label">{tile.label}</span>
            </Link>
          </li>
        ))}
      </ul>
      <nav className="tabs" aria-label="Ansicht">
        {views.map((v) => (
          <Link key={v.value} to={`?ansicht=${v.value}`} aria-current={v.value === view ? 'page' : undefined} className="tabs__tab">
            {v.label}
          </Link>
        ))}
      </nav>
      {tickets.length === 0 ? (
        <EmptyState>Keine Vorgänge in dieser Ansicht.</EmptyState>
      ) : (
        <DataTable
          label="Vorgänge"
          caption="Vorgänge, dringendste Frist zuerst"
          className="tickets-table"
          head={
            <tr>
              <th scope="col">Nr.</th>
              <th scope="col">Betreff</th>
              <th scope="col">Kategorie</th>
              <th scope="col">Priorität</th>
              <th scope="col">Status</th>
              <th scope="col">Zuständig</th>
              <th scope="col">SLA</th>
            </tr>
          }
        >
          {tickets.map((t) => (
            <tr key={t.id} data-ticket-id={t.id}>
              <td className="mono">#{t.id}</td>
              <th scope="row">
                <Link to={`/vorgaenge/${t.id}`} className="cell-main">
                  {t.subject}
                </Link>
                <span className="cell-sub">
                  {t.creatorName} · {t.propertyName}
                  {t.unitLabel ? `, ${t.unitLabel}` : ''} · {formatDateTime(t.createdAt)}
                </span>
              </th>
              <td>{TICKET_CATEGORY_LABELS[t.category]}</td>
              <td>
                <ToneBadge tone={PRIORITY_TONES[t.priority]}>{TICKET_PRIORITY_LABELS[t.priority]}</ToneBadge>
              </td>
              <td>
                <span className={`status status--${STATUS_TONES[t.status]}`} data-status={t.status}>
                  {t.statusLabel}
                </span>
              </td>
              <td>{t.assigneeName ?? <span className="muted">niemand</span>}</td>
              <td>
                <SlaCountdown sla={t.sla} now={now} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {limitReached ? <p className="muted">Es werden die ersten {formatNumber(limit)} Vorgänge gezeigt.</p> : null}
    </>
  );
}
