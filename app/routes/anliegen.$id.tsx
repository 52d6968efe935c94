import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage, HistoryPanel } from '~/components/cases';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { formatDateTime } from '../../domain/format';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';
import { actorOf, findTicket, ticketQueued, ticketTimelineItems, updateTicket, worksOnTickets } from '../../server/tickets';
import { TICKET_TOPICS } from '../../domain/ticket-triage';
import { LimitedTextArea } from '~/components/length-hint';
import { TEXT_LIMITS } from '../../domain/text-limits';
import { TICKET_STATUS_LABELS_FOR_TENANT } from '../../domain/contracts/ticket';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `Anliegen #${data.ticket.id}` : 'Anliegen'} · Klarmeter` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:ticket:own');
  const id = parseId(params.id);
  const ticket = id ? await findTicket(user, id) : null;
  // A technician works on tickets on the staff's page (/vorgaenge/:id), not on the tenant's.
  if (!ticket || worksOnTickets(user)) throw notFound();
  // Filed while the workflow service was away: stored, its deadlines and notices start once the relay delivers.
  const queued = ticket.status === 'open' && (await ticketQueued(ticket.id));
  return {
    queued,
    ticket: {
      id: ticket.id,
      subject: ticket.subject,
      body: ticket.body,
      topicLabel: TICKET_TOPICS[ticket.topic]?.label ?? ticket.topic,
      place: `${ticket.propertyName}${ticket.unitLabel ? `, ${ticket.unitLabel}` : ''}`,
      createdAt: ticket.createdAt,
      status: ticket.status,
      statusLabel: TICKET_STATUS_LABELS_FOR_TENANT[ticket.status],
      assigneeName: ticket.assigneeName,
      // The tenant's promise: an answer by the reaction deadline (internal escalations stay internal).
      answerBy: ticket.reactedAt === null && ticket.status === 'open' ? ticket.reactionDueAt : null,
    },
    timeline: ticketTimelineItems(ticket.timeline, user.id),
  };
}

type ActionData = { ok: boolean; message: string };

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'read:ticket:own');
  const id = parseId(params.id);
  const ticket = id ? await findTicket(user, id) : null;
  if (!ticket || ticket.createdBy !== user.id) throw notFound();
  const form = await request.formData();
  const message = { actor: actorOf(user), text: String(form.get('text') ?? '') };
  const intent = form.get('intent');
  if (intent !== 'reply' && intent !== 'reopen' && intent !== 'close') throw new Response('Ungültige Anfrage', { status: 400 });
  const outcome = await updateTicket(ticket.id, intent, message);
  const done = {
    reply: 'Ihre Nachricht wurde gesendet.',
    reopen: 'Ihr Anliegen ist wieder geöffnet.',
    close: 'Ihr Anliegen ist geschlossen.',
  };
  return outcome.ok ? { ok: true, message: done[intent as keyof typeof done] } : { ok: false, message: outcome.message };
}

export default function MyTicket() {
  const { ticket, timeline, queued } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const waiting = ticket.status === 'waiting_for_tenant';
  const open = ticket.status === 'open' || ticket.status === 'in_progress' || waiting;
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/anliegen">← Meine Anliegen</Link>}
        title={ticket.subject}
        description={
          <>
            Anliegen #{ticket.id} · {ticket.place} · <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          <span className="status-line">
            Status{' '}
            <span className="status status--current" data-status={ticket.status} id="ticket-status">
              {ticket.statusLabel}
            </span>
          </span>
        }
      />
      <ActionMessage data={result} />
      {queued ? (
        <div className="alert alert--info" role="status" id="ticket-queued">
          Ihr Anliegen ist gespeichert und wird bearbeitet. Die Hausverwaltung wird benachrichtigt, sobald der Dienst wieder erreichbar ist;
          Sie müssen nichts weiter tun.
        </div>
      ) : null}
      {waiting ? (
        <div className="alert alert--info" role="status">
          Die Hausverwaltung hat eine Rückfrage. Bitte antworten Sie unten.
        </div>
      ) : null}
      <div className="grid-2 case-layout">
        <div>
          <Panel id="request" title="Ihr Anliegen">
            <Facts
              items={[
                ['Thema', ticket.topicLabel],
                ['Eingereicht', formatDateTime(ticket.createdAt)],
                ['Bearbeitet von', ticket.assigneeName ?? 'noch niemandem zugewiesen'],
                ...(ticket.answerBy ? [['Antwort spätestens', formatDateTime(ticket.answerBy)] as [string, string]] : []),
              ]}
            />
            <p className="case-body">{ticket.body}</p>
          </Panel>
          <HistoryPanel items={timeline} label="Verlauf Ihres Anliegens" />
        </div>
        <div className="case-actions" key={timeline.length}>
          {open ? (
            <Panel id="reply" title={waiting ? 'Rückfrage beantworten' : 'Nachricht schreiben'}>
              <Form method="post" className="form">
                <div className="field">
                  <label htmlFor="reply-text">Ihre Nachricht</label>
                  <LimitedTextArea id="reply-text" name="text" rows={4} required max={TEXT_LIMITS.ticketMessage} />
                </div>
                <div>
                  <button type="submit" name="intent" value="reply" className="button button--primary" disabled={busy}>
                    Senden
                  </button>
                </div>
              </Form>
            </Panel>
          ) : null}
          {ticket.status === 'resolved' ? (
            <Panel id="reopen" title="Nicht erledigt?">
              <Form method="post" className="form">
                <div className="field">
                  <label htmlFor="reopen-text">Was ist noch offen?</label>
                  <LimitedTextArea id="reopen-text" name="text" rows={3} required max={TEXT_LIMITS.ticketMessage} />
                </div>
                <div>
                  <button type="submit" name="intent" value="reopen" className="button" disabled={busy}>
                    Wieder öffnen
                  </button>
                </div>
              </Form>
            </Panel>
          ) : null}
          {ticket.status !== 'closed' ? (
            <Panel id="close" title={open ? 'Anliegen zurückziehen' : 'Abschließen'}>
              <Form method="post" className="form">
                <input type="hidden" name="text" value="" />
                <p className="muted">
                  {open
                    ? 'Hat sich Ihr Anliegen erledigt, können Sie es hier schließen.'
                    : 'Ist alles erledigt, können Sie das Anliegen schließen.'}
                </p>
                <div>
                  <button type="submit" name="intent" value="close" className="button" disabled={busy}>
                    Anliegen schließen
                  </button>
                </div>
              </Form>
            </Panel>
          ) : null}
        </div>
      </div>
    </>
  );
}
