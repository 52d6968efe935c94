import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage, HistoryPanel, SlotFields, ToneBadge } from '~/components/cases';
import { type TimelineItem } from '../../domain/timeline';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { formatDateTime } from '../../domain/format';
import { parseId } from '../../domain/params';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { hasPermission } from '../../domain/permissions';
import { requireSameOrigin } from '../../server/request';
import {
  SLOT_WINDOWS,
  appointmentQueued,
  findAppointment,
  isFinished,
  slotsFromForm,
  updateAppointment,
  type AppointmentRow,
} from '../../server/appointments';
import { actorOf } from '../../server/tickets';
import type { SessionUser } from '../../server/session';
import { describeSlot } from '../../server/appointment-obligation';
import { addDays } from '../../domain/dates';
import { calendarDate } from '../../domain/calendar';
import { LimitedTextArea } from '~/components/length-hint';
import { CounterProposalForm } from '~/components/counter-proposal';
import { awaitsCounterAnswer, counterProposalFromFields, type CounterErrors } from '../../domain/appointment-counter';
import { exchangeOfferOf } from '../../server/exchange-offers';
import { TEXT_LIMITS } from '../../domain/text-limits';
import {
  APPOINTMENT_EVENT_LABELS,
  APPOINTMENT_REASON_LABELS,
  APPOINTMENT_STATUS_LABELS,
  MAX_SLOTS_PER_OFFER,
  type AppointmentEventKind,
} from '../../domain/contracts/appointment';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? `Terminanfrage #${data.appointment.id}` : 'Terminanfrage'} · Klarmeter` },
];

type Side = 'tenant' | 'technician' | null;

/** Which side of the appointment the user acts for: the tenant who asked, or the technician side (technician, managers). */
function sideOf(user: SessionUser, row: AppointmentRow): Side {
  if (user.role === 'tenant') return row.tenantId === user.id ? 'tenant' : null;
  return hasPermission(user, 'handle:appointment:own') ? 'technician' : null;
}

/** The history's wording: the portal's exchange offer opens a request with a proposal, the tenant's own slots answer it. */
function eventLabel(event: { seq: number; kind: AppointmentEventKind; actorId: number | null }, tenantId: number): string {
  if (event.kind === 'proposed' && event.seq === 1) return 'Terminangebot zum Gerätetausch';
  if (event.kind === 'proposed' && event.actorId === tenantId) return 'Gegenvorschlag der Mietpartei';
  return APPOINTMENT_EVENT_LABELS[event.kind];
}

async function load(request: Request, params: { id?: string }) {
  const user = await requireUserWithPermission(request, 'read:appointment:own');
  const id = parseId(params.id);
  const row = id ? await findAppointment(user, id) : null;
  if (!row) throw notFound();
  return { user, row, side: sideOf(user, row) };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, row, side } = await load(request, params);
  const { timeline, ...appointment } = row;
  const open = !isFinished(row.status);
  const confirmed = row.slots.find((s) => s.position === row.confirmedSlot) ?? null;
  const started = confirmed !== null && Date.parse(confirmed.startsAt) <= Date.now();
  // Only the portal's device-exchange offer carries a deadline and lets the tenant answer with own slots.
  const exchange = row.reason === 'device_exchange' ? await exchangeOfferOf(row.id) : null;
  // The slots this user may take: those the other side offered last.
  const choosable =
    open && row.status !== 'confirmed' && side !== null
      ? row.slots.filter((s) => row.openOffer.includes(s.position) && s.offeredBy !== side).map((s) => s.position)
      : [];
  const items: TimelineItem[] = timeline.map((e) => ({
    key: e.seq,
    label: eventLabel(e, row.tenantId),
    at: e.at,
    actor: e.actorId === user.id ? 'Sie' : e.actorName,
    body: e.body,
    tone:
      e.kind === 'confirmation_overdue' || e.kind === 'no_show' ? 'red' : e.kind === 'confirmed' || e.kind === 'done' ? 'green' : 'unknown',
  }));
  return {
    // Filed while the workflow service was away: stored; the technician is told once the relay delivers.
    queued: row.status === 'requested' && (await appointmentQueued(row.id)),
    appointment: {
      ...appointment,
      reasonLabel: APPOINTMENT_REASON_LABELS[row.reason],
      statusLabel: APPOINTMENT_STATUS_LABELS[row.status],
      slots: row.slots.map((s) => ({
        ...s,
        label: describeSlot(s),
        current: row.openOffer.includes(s.position),
        confirmed: s.position === row.confirmedSlot,
      })),
    },
    timeline: items,
    side,
    counterProposal: open && awaitsCounterAnswer(row),
    can: {
      choose: choosable,
      propose: open && side === 'technician',
      // The workflow accepts the tenant's own slots only while the exchange offer is open (status proposed).
      counter: open && side === 'tenant' && row.status === 'proposed' && exchange !== null,
      outcome: side === 'technician' && row.status === 'confirmed' && started,
      cancel: open && side !== null,
    },
    windows: SLOT_WINDOWS.map(({ value, label }) => ({ value, label })),
    slotCount: MAX_SLOTS_PER_OFFER,
    exchangeDueAt: exchange?.dueAt ?? null,
    earliestDate: addDays(calendarDate(new Date()), 1),
  };
}

type ActionData = { ok: boolean; message: string; errors?: CounterErrors; values?: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const { user, row, side } = await load(request, params);
  if (side === null) throw notFound();
  const form = await request.formData();
  const actor = actorOf(user);
  const intent = form.get('intent');
  let outcome;
  if (intent === 'choose') {
    const position = Number(form.get('position'));
    outcome = await updateAppointment(row.id, 'choose', { actor, position });
  } else if (intent === 'propose') {
    const parsed = slotsFromForm(form);
    if ('error' in parsed) return { ok: false, message: parsed.error };
    outcome = await updateAppointment(row.id, 'propose', { actor, slots: parsed.slots, note: String(form.get('note') ?? '') });
  } else if (intent === 'counter') {
    // Only the request's own tenant answers its exchange offer (other tenants got 404 from the scoped query above).
    if (side !== 'tenant') throw new Response('Nur die Mietpartei kann eigene Termine vorschlagen.', { status: 403 });
    const exchange = await exchangeOfferOf(row.id);
    if (!exchange) return { ok: false, message: 'Eigene Termine können Sie nur auf ein Terminangebot zum Gerätetausch vorschlagen.' };
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : '';
    };
    const parsed = counterProposalFromFields(field, { nowMs: Date.now(), dueAt: exchange.dueAt });
    if (!parsed.ok) {
      const values = Object.fromEntries([...form.keys()].filter((k) => k !== 'intent').map((k) => [k, field(k)]));
      return { ok: false, message: Object.values(parsed.errors)[0] ?? 'Bitte prüfen Sie Ihre Eingaben.', errors: parsed.errors, values };
    }
    outcome = await updateAppointment(row.id, 'propose', { actor, slots: parsed.slots, note: parsed.note ?? undefined });
  } else if (intent === 'done' || intent === 'no_show') {
    outcome = await updateAppointment(row.id, 'record', { actor, outcome: intent, note: String(form.get('note') ?? '') });
  } else if (intent === 'cancel') {
    outcome = await updateAppointment(row.id, 'cancel', { actor, reason: String(form.get('reason') ?? '') });
  } else {
    throw new Response('Ungültige Anfrage', { status: 400 });
  }
  const done: Record<string, string> = {
    choose: 'Der Termin ist bestätigt.',
    propose: 'Die Vorschläge wurden gesendet.',
    counter: 'Ihre Terminvorschläge wurden an die Technik gesendet.',
    done: 'Als erledigt erfasst.',
    no_show: 'Als nicht angetroffen erfasst.',
    cancel: 'Der Termin ist abgesagt.',
  };
  return outcome.ok ? { ok: true, message: done[String(intent)] ?? 'Erledigt.' } : { ok: false, message: outcome.message };
}

export default function AppointmentDetail() {
  const {
    appointment: a,
    timeline,
    side,
    can,
    windows,
    slotCount,
    earliestDate,
    exchangeDueAt,
    counterProposal,
    queued,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const backTo = side === 'tenant' ? 'Meine Termine' : 'Termine';
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/termine">← {backTo}</Link>}
        title={`${a.reasonLabel}: ${a.propertyStreet}, ${a.unitLabel}`}
        description={
          <>
            Terminanfrage #{a.id} · {a.tenantName} · <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          <span className="status-line">
            Status{' '}
            <span className="status status--current" data-status={a.status} id="appointment-status">
              {a.statusLabel}
            </span>
          </span>
        }
      />
      <ActionMessage data={result} />
      {queued ? (
        <div className="alert alert--info" role="status" id="appointment-queued">
          Die Terminanfrage ist gespeichert und wird bearbeitet; sie wird weitergeleitet, sobald der Dienst wieder erreichbar ist.
        </div>
      ) : null}
      <div className="grid-2 case-layout">
        <div>
          <Panel id="request" title="Anfrage">
            <Facts
              items={[
                ['Anlass', a.reasonLabel],
                ['Ort', `${a.propertyName}, ${a.unitLabel}`],
                ['Technik', a.technicianName ?? 'Hausverwaltung'],
                ['Angefragt', formatDateTime(a.createdAt)],
                ...(a.status === 'requested' && a.confirmDueAt
                  ? [['Bestätigung bis', formatDateTime(a.confirmDueAt)] as [string, string]]
                  : []),
                ...(a.escalatedAt ? [['Eskaliert', formatDateTime(a.escalatedAt)] as [string, string]] : []),
                ...(a.remindedAt ? [['Erinnert', formatDateTime(a.remindedAt)] as [string, string]] : []),
              ]}
            />
            {a.note ? <p className="case-body">{a.note}</p> : null}
          </Panel>
          <Panel id="slots" title="Termine">
            {counterProposal ? (
              <p className="alert alert--info" id="counter-proposal">
                {side === 'technician'
                  ? 'Die Mietpartei passt keiner der angebotenen Termine und schlägt eigene vor. Bitte bestätigen Sie einen davon oder schlagen Sie andere vor.'
                  : 'Sie haben eigene Termine vorgeschlagen. Die Technik bestätigt einen davon.'}
              </p>
            ) : null}
            <ul className="slots">
              {a.slots.map((slot) => (
                <li
                  key={slot.position}
                  className={`slots__item${slot.confirmed ? ' slots__item--confirmed' : ''}${slot.current || slot.confirmed ? '' : ' slots__item--stale'}`}
                  data-position={slot.position}
                >
                  <span className="slots__when">{slot.label}</span>
                  <span className="muted">{slot.offeredBy === 'tenant' ? 'Wunsch des Mieters' : 'Vorschlag der Technik'}</span>
                  {slot.confirmed ? <ToneBadge tone="green">Bestätigt</ToneBadge> : null}
                  {can.choose.includes(slot.position) ? (
                    <Form method="post">
                      <input type="hidden" name="position" value={slot.position} />
                      <button type="submit" name="intent" value="choose" className="button button--primary button--small" disabled={busy}>
                        {side === 'tenant' ? 'Diesen Termin nehmen' : 'Bestätigen'}
                      </button>
                    </Form>
                  ) : null}
                </li>
              ))}
            </ul>
          </Panel>
          <HistoryPanel items={timeline} label="Verlauf der Terminanfrage" />
        </div>
        <div className="case-actions" key={timeline.length}>
          {can.outcome ? (
            <Panel id="outcome" title="Ergebnis erfassen">
              <Form method="post" className="form">
                <div className="field">
                  <label htmlFor="outcome-note">Notiz (optional)</label>
                  <LimitedTextArea id="outcome-note" name="note" rows={2} max={TEXT_LIMITS.appointmentNote} />
                </div>
                <div className="case-action__buttons">
                  <button type="submit" name="intent" value="done" className="button button--primary" disabled={busy}>
                    Erledigt
                  </button>
                  <button type="submit" name="intent" value="no_show" className="button" disabled={busy}>
                    Nicht angetroffen
                  </button>
                </div>
              </Form>
            </Panel>
          ) : null}
          {can.counter ? (
            <Panel id="counter" title="Andere Termine vorschlagen">
              <CounterProposalForm
                count={slotCount}
                earliestDate={earliestDate}
                dueAt={exchangeDueAt}
                errors={result?.errors}
                values={result?.values}
                busy={busy}
              />
            </Panel>
          ) : null}
          {can.propose ? (
            <Panel id="propose" title={a.status === 'confirmed' ? 'Termin verlegen' : 'Andere Termine vorschlagen'}>
              <Form method="post" className="form">
                <SlotFields count={slotCount} windows={windows} earliestDate={earliestDate} firstRequired />
                <div className="field">
                  <label htmlFor="propose-note">Nachricht an den Mieter (optional)</label>
                  <LimitedTextArea id="propose-note" name="note" rows={2} max={TEXT_LIMITS.appointmentNote} />
                </div>
                <div>
                  <button type="submit" name="intent" value="propose" className="button" disabled={busy}>
                    Vorschläge senden
                  </button>
                </div>
              </Form>
            </Panel>
          ) : null}
          {can.cancel ? (
            <Panel id="cancel" title="Absagen">
              <Form method="post" className="form">
                <div className="field">
                  <label htmlFor="cancel-reason">Grund</label>
                  <LimitedTextArea id="cancel-reason" name="reason" rows={2} required max={TEXT_LIMITS.appointmentCancelReason} />
                </div>
                <div>
                  <button type="submit" name="intent" value="cancel" className="button" disabled={busy}>
                    Termin absagen
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
