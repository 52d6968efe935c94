import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import { ActionMessage, SlaCountdown, Timeline, ToneBadge, useNow } from '~/components/cases';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { formatDateTime } from '../../domain/format';
import { parseId } from '../../domain/params';
import { forbidden, notFound, requireUserWithPermission } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';
import { requireSameOrigin } from '../../server/request';
import {
  actorOf,
  assignableUsers,
  findTicket,
  seesTicketsAsStaff,
  ticketDeadlines,
  ticketTimelineItems,
  ticketWorkflowStatus,
  updateTicket,
} from '../../server/tickets';
import {
  TICKET_CATEGORIES,
  TICKET_CATEGORY_LABELS,
  TICKET_PRIORITIES,
  TICKET_PRIORITY_LABELS,
  isTicketCategory,
  isTicketPriority,
} from '../../domain/sla';
import { TICKET_TOPICS } from '../../domain/ticket-triage';
import { TICKET_STATUS_LABELS } from '../../domain/contracts/ticket';
import { LimitedTextArea } from '~/components/length-hint';
import { TEXT_LIMITS } from '../../domain/text-limits';
import type { TicketStatus } from '../../domain/contracts/ticket';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `Vorgang #${data.ticket.id}` : 'Vorgang'} · Klarmeter` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:ticket:own');
  const id = parseId(params.id);
  // The tenant who filed a ticket reads it on its own page (/anliegen/:id), without the internal steps.
  const ticket = id && seesTicketsAsStaff(user) ? await findTicket(user, id) : null;
  if (!ticket) throw notFound();
  const canHandle = hasPermission(user, 'handle:ticket:own');
  // Routing (assigning, category and priority) is the managers'; technicians work on what they see.
  const canRoute = hasPermission(user, 'handle:ticket:any');
  const [workflow, assignees] = await Promise.all([ticketWorkflowStatus(ticket.id), canRoute ? assignableUsers(user.organisationId) : []]);
  const { timeline, ...rest } = ticket;
  return {
    ticket: { ...rest, statusLabel: TICKET_STATUS_LABELS[ticket.status], topicLabel: TICKET_TOPICS[ticket.topic]?.label ?? ticket.topic },
    timeline: ticketTimelineItems(timeline, user.id),
    deadlines: ticketDeadlines(ticket, workflow.available ? workflow.status : null),
    live: workflow.available ? null : workflow.reason,
    canHandle,
    canRoute,
    back: hasPermission(user, 'read:ticket:any') ? { to: '/vorgaenge', label: 'Vorgänge' } : { to: '/arbeitsliste', label: 'Arbeitsliste' },
    assignees,
    now: new Date().toISOString(),
  };
}

type ActionData = { ok: boolean; message: string };

const DONE: Record<string, string> = {
  assign: 'Der Vorgang wurde zugewiesen.',
  reply: 'Die Antwort wurde gesendet.',
  ask: 'Die Rückfrage wurde gesendet; die Frist ruht bis zur Antwort.',
  resolve: 'Der Vorgang ist gelöst.',
  reopen: 'Der Vorgang ist wieder geöffnet.',
  close: 'Der Vorgang ist geschlossen.',
  recategorise: 'Kategorie und Priorität wurden geändert.',
};

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'handle:ticket:own');
  const id = parseId(params.id);
  const ticket = id ? await findTicket(user, id) : null;
  if (!ticket) throw notFound();
  const form = await request.formData();
  const intent = String(form.get('intent') ?? '');
  if ((intent === 'assign' || intent === 'recategorise') && !hasPermission(user, 'handle:ticket:any')) throw forbidden();
  const message = { actor: actorOf(user), text: String(form.get('text') ?? '') };

  let outcome;
  switch (intent) {
    case 'assign': {
      const assigneeId = parseId(String(form.get('assigneeId') ?? ''));
      const assignee = (await assignableUsers(user.organisationId)).find((u) => u.id === assigneeId);
      if (!assignee) return { ok: false, message: 'Bitte wählen Sie eine zuständige Person.' };
      outcome = await updateTicket(ticket.id, 'assign', { actor: message.actor, assigneeId: assignee.id, assigneeName: assignee.name });
      break;
    }
    case 'reply':
      outcome = await updateTicket(ticket.id, 'reply', message);
      break;
    case 'ask':
      outcome = await updateTicket(ticket.id, 'askTenant', message);
      break;
    case 'resolve':
      outcome = await updateTicket(ticket.id, 'resolve', message);
      break;
    case 'reopen':
      outcome = await updateTicket(ticket.id, 'reopen', message);
      break;
    case 'close':
      outcome = await updateTicket(ticket.id, 'close', message);
      break;
    case 'recategorise': {
      const category = form.get('category');
      const priority = form.get('priority');
      if (!isTicketCategory(category) || !isTicketPriority(priority))
        return { ok: false, message: 'Bitte wählen Sie Kategorie und Priorität.' };
      outcome = await updateTicket(ticket.id, 'recategorise', { actor: message.actor, category, priority });
      break;
    }
    default:
      throw new Response('Ungültige Anfrage', { status: 400 });
  }
  return outcome.ok ? { ok: true, message: DONE[intent] ?? 'Erledigt.' } : { ok: false, message: outcome.message };
}

const OPEN: ReadonlySet<TicketStatus> = new Set(['open', 'in_progress', 'waiting_for_tenant']);

export default function TicketDetail() {
  const { ticket, timeline, deadlines, live, canHandle, canRoute, back, assignees, now: serverNow } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const now = useNow(serverNow);
  const open = OPEN.has(ticket.status);
  return (
    <>
      <PageHeader
        eyebrow={<Link to={back.to}>← {back.label}</Link>}
        title={`Vorgang #${ticket.id}: ${ticket.subject}`}
        description={
          <>
            {ticket.creatorName} · {ticket.propertyName}
            {ticket.unitLabel ? `, ${ticket.unitLabel}` : ''} · <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          <span className="status-line">
            Status{' '}
            <span className="status status--current" data-status={ticket.status}>
              {ticket.statusLabel}
            </span>
          </span>
        }
      />
      <ActionMessage data={result} />
      <div className="grid-2 case-layout">
        <div>
          <Panel id="request" title="Anliegen">
            <Facts
              items={[
                ['Thema', ticket.topicLabel],
                ['Kategorie', TICKET_CATEGORY_LABELS[ticket.category]],
                [
                  'Priorität',
                  <ToneBadge key="p" tone={ticket.priority === 'urgent' ? 'red' : ticket.priority === 'high' ? 'yellow' : 'unknown'}>
                    {TICKET_PRIORITY_LABELS[ticket.priority]}
                  </ToneBadge>,
                ],
                ['Zuständig', ticket.assigneeName ?? 'niemand'],
                ['Eingereicht', formatDateTime(ticket.createdAt)],
                ...(ticket.linked
                  ? [
                      ['Bezug', `Abrechnung #${ticket.linked.id}${ticket.linked.version ? ` (Version ${ticket.linked.version})` : ''}`] as [
                        string,
                        string,
                      ],
                    ]
                  : []),
              ]}
            />
            <p className="case-body">{ticket.body}</p>
            {ticket.triageReasons.length > 0 ? (
              <details className="case-triage">
                <summary>Warum diese Einordnung?</summary>
                <ul>
                  {ticket.triageReasons.map((reason) => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              </details>
            ) : null}
          </Panel>
          <Panel id="history" title="Verlauf">
            <Timeline items={timeline} label="Verlauf des Vorgangs" />
          </Panel>
        </div>
        <div>
          <Panel id="deadlines" title="Fristen">
            {live ? (
              <p className="muted" role="status">
                {live}
              </p>
            ) : null}
            <ul className="deadlines">
              {deadlines.map((d) => (
                <li key={d.name} className="deadlines__item">
                  <div className="deadlines__head">
                    <strong>{d.name}</strong>
                    <span className="muted">
                      {d.stateLabel}
                      {d.budget ? ` · ${d.budget}` : ''}
                    </span>
                  </div>
                  <SlaCountdown sla={d.sla} now={now} compact />
                  <p className="deadlines__meta">
                    {d.dueAt ? <>fällig {formatDateTime(d.dueAt)}</> : null}
                    {d.endedAt ? <>erledigt {formatDateTime(d.endedAt)}</> : null}
                    {d.warnedAt ? <> · gewarnt {formatDateTime(d.warnedAt)}</> : null}
                    {d.breachedAt ? <> · überschritten {formatDateTime(d.breachedAt)}</> : null}
                  </p>
                </li>
              ))}
            </ul>
          </Panel>
          {canHandle ? (
            <Panel id="handle" title="Bearbeiten">
              {/* Keyed by the history's length: after each step the forms start empty again. */}
              <div className="case-actions" key={timeline.length}>
                {open && canRoute ? (
                  <ActionForm intent="assign" label="Zuweisen">
                    <div className="field">
                      <label htmlFor="assigneeId">Zuständig</label>
                      <select id="assigneeId" name="assigneeId" defaultValue={ticket.assigneeId ?? ''}>
                        <option value="" disabled>
                          Bitte wählen
                        </option>
                        {assignees.map((a) => (
                          <option key={a.id} value={a.id}>
                            {a.label}
                          </option>
                        ))}
                      </select>
                    </div>
                  </ActionForm>
                ) : null}
                {open ? (
                  <ActionForm
                    intent="reply"
                    label="Antwort senden"
                    primary
                    extra={
                      ticket.status !== 'waiting_for_tenant' ? { intent: 'ask', label: 'Als Rückfrage senden (Frist ruht)' } : undefined
                    }
                  >
                    <TextArea id="reply-text" label="Nachricht an den Mieter" />
                  </ActionForm>
                ) : null}
                {open ? (
                  <ActionForm intent="resolve" label="Als gelöst markieren" primary>
                    <TextArea id="resolve-text" label="Lösung" />
                  </ActionForm>
                ) : null}
                {ticket.status === 'resolved' ? (
                  <ActionForm intent="reopen" label="Wieder öffnen">
                    <TextArea id="reopen-text" label="Grund" />
                  </ActionForm>
                ) : null}
                {ticket.status !== 'closed' ? (
                  <ActionForm intent="close" label="Schließen">
                    <TextArea id="close-text" label="Notiz (optional)" required={false} />
                  </ActionForm>
                ) : null}
                {ticket.status !== 'closed' && canRoute ? (
                  <ActionForm intent="recategorise" label="Einordnung ändern">
                    <div className="case-actions__row">
                      <div className="field">
                        <label htmlFor="category">Kategorie</label>
                        <select id="category" name="category" defaultValue={ticket.category}>
                          {TICKET_CATEGORIES.map((c) => (
                            <option key={c} value={c}>
                              {TICKET_CATEGORY_LABELS[c]}
                            </option>
                          ))}
                        </select>
                      </div>
                      <div className="field">
                        <label htmlFor="priority">Priorität</label>
                        <select id="priority" name="priority" defaultValue={ticket.priority}>
                          {TICKET_PRIORITIES.map((p) => (
                            <option key={p} value={p}>
                              {TICKET_PRIORITY_LABELS[p]}
                            </option>
                          ))}
                        </select>
                      </div>
                    </div>
                  </ActionForm>
                ) : null}
                {ticket.status === 'closed' ? <p className="muted">Der Vorgang ist geschlossen.</p> : null}
              </div>
            </Panel>
          ) : null}
        </div>
      </div>
    </>
  );
}

function TextArea({ id, label, required = true }: { id: string; label: string; required?: boolean }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <LimitedTextArea id={id} name="text" rows={3} required={required} max={TEXT_LIMITS.ticketMessage} />
    </div>
  );
}

/** One step as a small form; the workflow's validator has the last word and its message is shown above. */
function ActionForm({
  intent,
  label,
  children,
  primary = false,
  extra,
}: {
  intent: string;
  label: string;
  children: ReactNode;
  primary?: boolean;
  extra?: { intent: string; label: string };
}) {
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting';
  return (
    <Form method="post" className="case-action" aria-label={label}>
      {children}
      <div className="case-action__buttons">
        <button type="submit" name="intent" value={intent} className={primary ? 'button button--primary' : 'button'} disabled={busy}>
          {label}
        </button>
        {extra ? (
          <button type="submit" name="intent" value={extra.intent} className="button" disabled={busy}>
            {extra.label}
          </button>
        ) : null}
      </div>
    </Form>
  );
}
