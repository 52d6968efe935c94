// The statement lifecycle on the pages: state, deadline countdowns, the proof timeline
// (Erzeugt, Freigegeben, Zugestellt, Geöffnet, Einspruch …) and the chain's verification.
import type { ReactNode } from 'react';
import { Form, Link } from '@remix-run/react';
import { Timeline, ToneBadge, useNow } from './cases';
import { Facts, Panel } from './page-header';
import { LimitedTextArea } from './length-hint';
import { TEXT_LIMITS } from '../../domain/text-limits';
import { formatDate, formatDateTime } from '../../domain/format';
import type { LifecycleView, Tone } from '../../domain/timeline';
import { LATE_REQUEST_INTENT, LATE_REQUEST_LABELS } from '../../domain/late-objections';
import type { LateRequestOutcome, TenantLateObjection } from '../../server/late-objections';
import { LateObjectionFields } from './late-objection-fields';

const STATE_TONES: Record<string, Tone> = {
  draft: 'unknown',
  approved: 'yellow',
  delivered: 'green',
  opened: 'green',
  final: 'green',
  superseded: 'unknown',
};

export function LifecycleBadge({ state, label }: { state: string; label: string }) {
  return (
    <span data-lifecycle-state={state}>
      <ToneBadge tone={STATE_TONES[state] ?? 'unknown'}>{label}</ToneBadge>
    </span>
  );
}

/** "noch 12 Tage" / "seit 3 Tagen abgelaufen", ticking with the page's clock. */
export function Countdown({ until, now }: { until: string; now: number }) {
  const ms = Date.parse(until) - now;
  const days = Math.floor(Math.abs(ms) / 86_400_000);
  const hours = Math.floor((Math.abs(ms) % 86_400_000) / 3_600_000);
  const span =
    days > 0
      ? `${days} ${days === 1 ? 'Tag' : 'Tagen'}`
      : hours > 0
        ? `${hours} Std.`
        : `${Math.max(1, Math.ceil(Math.abs(ms) / 60_000))} Min.`;
  return (
    <span className={ms <= 0 ? 'countdown countdown--over' : 'countdown'} title={formatDateTime(until)}>
      {ms <= 0 ? `seit ${span} abgelaufen` : `noch ${span.replace('Tagen', 'Tage')}`}
    </span>
  );
}

export function VerificationResult({ verdict }: { verdict: LifecycleView['verdict'] }) {
  return verdict.ok ? (
    <p className="alert alert--info" data-proof-verified="true">
      Nachweiskette geprüft: {verdict.checked} Ereignisse, lückenlos und unverändert.
    </p>
  ) : (
    <p className="alert alert--error" role="alert" data-proof-verified="false">
      Nachweiskette gebrochen bei Ereignis Nr. {verdict.brokenAt?.seq} ({verdict.brokenAt?.step}): {verdict.brokenAt?.reason}.
    </p>
  );
}

export function LifecycleSection({
  statementId,
  lifecycle,
  actions,
}: {
  statementId: number;
  lifecycle: LifecycleView;
  actions?: ReactNode;
}) {
  const now = useNow(lifecycle.now, 30_000);
  const undelivered = lifecycle.state === 'draft' || lifecycle.state === 'approved';
  return (
    <Panel
      id="lifecycle"
      title="Zustellnachweis"
      actions={
        <Link to={`/abrechnungen/${statementId}/nachweis`} className="button button--small">
          Nachweis ansehen
        </Link>
      }
    >
      {lifecycle.live ? <p className="muted">{lifecycle.live}</p> : null}
      <Facts
        items={[
          ['Stand', <LifecycleBadge key="s" state={lifecycle.state} label={lifecycle.stateLabel} />],
          ...(undelivered && lifecycle.deliveryDueAt
            ? [
                [
                  'Zustellfrist (BGB §556 Abs. 3)',
                  <>
                    {formatDateTime(lifecycle.deliveryDueAt)} · <Countdown until={lifecycle.deliveryDueAt} now={now} />
                    {lifecycle.deliveryDeadlineMissed ? ' · versäumt' : ''}
                  </>,
                ] as [string, ReactNode],
              ]
            : []),
          ...(lifecycle.recipientSummary ? [['Empfänger', lifecycle.recipientSummary] as [string, ReactNode]] : []),
          ...(lifecycle.delivery && !lifecycle.recipientSummary
            ? [
                [
                  'Zugang',
                  `${formatDate(lifecycle.delivery.receivedOn)} (${lifecycle.delivery.channel === 'post' ? `per Post, versandt ${formatDate(lifecycle.delivery.dispatchedOn)}` : 'im Portal'})`,
                ] as [string, ReactNode],
              ]
            : []),
          ...(lifecycle.objectionDeadline && lifecycle.objectionWindowEndsAt
            ? [
                [
                  'Einspruchsfrist bis',
                  <>
                    {formatDate(lifecycle.objectionDeadline)} · <Countdown until={lifecycle.objectionWindowEndsAt} now={now} />
                  </>,
                ] as [string, ReactNode],
              ]
            : []),
        ]}
      />
      {actions}
      <Timeline items={lifecycle.timeline} label="Zustellnachweis" />
      <VerificationResult verdict={lifecycle.verdict} />
    </Panel>
  );
}

/** The tenant's timeline of its statement version, with its own objections. */
export function TenantLifecycleSection({
  lifecycle,
  objections,
}: {
  lifecycle: LifecycleView;
  objections: Array<{ id: number; positions: string[]; reason: string; filedAt: string }>;
}) {
  const now = useNow(lifecycle.now, 30_000);
  return (
    <Panel id="lifecycle" title="Zustellung und Einspruchsfrist">
      <Facts
        items={[
          ['Stand', <LifecycleBadge key="s" state={lifecycle.state} label={lifecycle.stateLabel} />],
          ...(lifecycle.delivery ? [['Zugegangen am', formatDate(lifecycle.delivery.receivedOn)] as [string, ReactNode]] : []),
          ...(lifecycle.objectionDeadline && lifecycle.objectionWindowEndsAt
            ? [
                [
                  'Einspruch möglich bis',
                  <>
                    {formatDate(lifecycle.objectionDeadline)} · <Countdown until={lifecycle.objectionWindowEndsAt} now={now} />
                  </>,
                ] as [string, ReactNode],
              ]
            : []),
        ]}
      />
      <Timeline items={lifecycle.timeline} label="Verlauf Ihrer Abrechnung" />
      {objections.length > 0 ? (
        <ul className="objections">
          {objections.map((o) => (
            <li key={o.id}>
              Einspruch vom {formatDateTime(o.filedAt)}: {o.positions.join(', ')} – {o.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </Panel>
  );
}

export function ObjectionForm({
  canObject,
  positions,
  outcome,
  objectionDeadline,
  objectionWindowEndsAt,
  now,
  token,
  late,
  lateOutcome,
}: {
  canObject: boolean;
  positions: readonly string[];
  outcome?: { ok: boolean; message: string };
  /** The tenant's own window (its own delivery's; the version's without one). */
  objectionDeadline: string | null;
  objectionWindowEndsAt: string | null;
  /** The server's now, so that the page reads the same on the server and in the browser. */
  now: string;
  /** From the loader, one per rendered form: a double submit files one objection. */
  token: string;
  /** The tenant's own late objection; null before delivery. */
  late?: TenantLateObjection | null;
  lateOutcome?: LateRequestOutcome;
}) {
  return (
    <Panel id="einspruch" title="Einspruch erheben">
      {outcome ? (
        <div className={outcome.ok ? 'alert alert--info' : 'alert alert--error'} role={outcome.ok ? 'status' : 'alert'}>
          {outcome.message}
        </div>
      ) : null}
      {canObject ? (
        // A new key after a filed objection remounts the form empty; after a refusal the text stays for correcting.
        <Form method="post" className="objection-form" key={outcome?.ok ? `filed-${token}` : 'draft'}>
          <input type="hidden" name="token" value={token} />
          <fieldset>
            <legend>Welche Positionen beanstanden Sie?</legend>
            {positions.map((p) => (
              <label key={p} className="objection-form__choice">
                <input type="checkbox" name="positions" value={p} /> {p}
              </label>
            ))}
          </fieldset>
          <label htmlFor="objection-reason">Begründung</label>
          <LimitedTextArea id="objection-reason" name="reason" rows={4} required max={TEXT_LIMITS.objectionReason} />
          <button type="submit" className="button button--primary">
            Einspruch einreichen
          </button>
          {objectionDeadline ? <p className="muted">Möglich bis einschließlich {formatDate(objectionDeadline)}.</p> : null}
        </Form>
      ) : (
        <>
          <p className="muted">
            {objectionDeadline === null || objectionWindowEndsAt === null
              ? 'Ein Einspruch ist möglich, sobald die Abrechnung zugestellt ist.'
              : Date.parse(objectionWindowEndsAt) <= Date.parse(now)
                ? `Ihre Einspruchsfrist endete am ${formatDate(objectionDeadline)}; ein Einspruch ist nicht mehr möglich.`
                : 'Gegen diese Abrechnungsversion ist kein Einspruch mehr möglich.'}
          </p>
          {late ? <LateObjectionRequest late={late} outcome={lateOutcome} /> : null}
        </>
      )}
    </Panel>
  );
}

/**
 * After the window: the tenant's own late objection (BGB §556 Abs. 3 Satz 6), which the management
 * accepts when the tenant is not responsible for the delay; then its state. Works without JavaScript.
 */
function LateObjectionRequest({ late, outcome }: { late: TenantLateObjection; outcome?: LateRequestOutcome }) {
  if (late.accepted)
    return (
      <p className="alert alert--info" role="status">
        Ihr verspäteter Einspruch (eingegangen am {formatDate(late.accepted.receivedOn)}) wurde von der Verwaltung angenommen und wird wie
        ein fristgerechter bearbeitet.
      </p>
    );
  if (late.request)
    return (
      <p className={outcome?.ok ? 'alert alert--info' : 'muted'} role="status">
        Ihre verspätete Einwendung ist am {formatDateTime(late.request.submittedAt)} Uhr eingegangen (
        <Link to={`/vorgaenge/${late.request.ticketId}`}>Vorgang Nr. {late.request.ticketId}</Link>). Die Verwaltung prüft, ob sie sie trotz
        Fristablauf berücksichtigen kann.
      </p>
    );
  if (!late.canRequest) return null;
  const failed = outcome && !outcome.ok ? outcome : null;
  return (
    <Form method="post" className="late-objection objection-form" aria-labelledby="late-request-title">
      <input type="hidden" name="intent" value={LATE_REQUEST_INTENT} />
      <h3 id="late-request-title">Verspätete Einwendung</h3>
      <p className="muted">
        Nach Ablauf der Frist kann die Verwaltung eine Einwendung nur berücksichtigen, wenn Sie die Verspätung nicht zu vertreten haben
        (§556 Abs. 3 Satz 6 BGB), etwa wegen Krankheit oder Abwesenheit. Nennen Sie den Grund; die Verwaltung entscheidet und antwortet
        Ihnen im Vorgang.
      </p>
      {failed ? (
        <div className="alert alert--error" role="alert">
          {failed.message}
        </div>
      ) : null}
      <LateObjectionFields
        labels={LATE_REQUEST_LABELS}
        reasonHint="Zum Beispiel: Krankenhausaufenthalt vom … bis …"
        errors={failed?.errors ?? {}}
        values={failed?.values ?? null}
      />
      <button type="submit" className="button button--primary">
        Verspätete Einwendung senden
      </button>
    </Form>
  );
}
