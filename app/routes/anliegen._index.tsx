import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { EmptyState, PageHeader } from '~/components/page-header';
import { formatDateTime } from '../../domain/format';
import { listTickets } from '../../server/tickets';
import { TICKET_STATUS_LABELS_FOR_TENANT } from '../../domain/contracts/ticket';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Meine Anliegen · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'file:ticket:own');
  const tickets = await listTickets(user);
  return {
    tickets: tickets.map((t) => ({
      id: t.id,
      subject: t.subject,
      createdAt: t.createdAt,
      status: t.status,
      statusLabel: TICKET_STATUS_LABELS_FOR_TENANT[t.status],
    })),
  };
}

export default function MyTickets() {
  const { tickets } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Meine Anliegen"
        description={
          <>
            Fragen, Störungen und Einsprüche an Ihre Hausverwaltung – mit dem aktuellen Stand.{' '}
            <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          <Link to="/anliegen/neu" className="button button--primary">
            Neues Anliegen
          </Link>
        }
      />
      {tickets.length === 0 ? (
        <EmptyState>Sie haben noch kein Anliegen eingereicht.</EmptyState>
      ) : (
        <ul className="case-list">
          {tickets.map((t) => (
            <li key={t.id} className="case-list__item" data-ticket-id={t.id}>
              <Link to={`/anliegen/${t.id}`} className="case-list__link">
                <span className="case-list__title">{t.subject}</span>
                <span className="case-list__meta">
                  Anliegen #{t.id} · eingereicht {formatDateTime(t.createdAt)}
                </span>
              </Link>
              <span className="status" data-status={t.status}>
                {t.statusLabel}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        Einen Termin für Ablesung, Wartung oder Gerätetausch vereinbaren Sie unter <Link to="/termine">Termine</Link>.
      </p>
    </>
  );
}
