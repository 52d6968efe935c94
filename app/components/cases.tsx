// Pieces the ticket and appointment pages share: the live SLA countdown, status badges and the
// history timeline.
import { useEffect, useState, type ReactNode } from 'react';
import { businessTimeBetween } from '../../domain/business-hours';
import { describeRemaining, formatSpan } from '../../domain/sla';
import { EmptyState, Panel } from '~/components/page-header';
import { formatDateTime } from '../../domain/format';
import type { Tone, CountdownSla, TimelineItem } from '../../domain/timeline';

const SYMBOL: Record<Tone, string> = { green: '✓', yellow: '!', red: '✕', unknown: '•' };

/** A badge in the traffic-light style: colour, symbol and word. */
export function ToneBadge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span className={`badge badge--${tone}`} data-tone={tone}>
      <span className="badge__symbol" aria-hidden="true">
        {SYMBOL[tone]}
      </span>
      <span className="badge__text">{children}</span>
    </span>
  );
}

/**
 * The current time, ticking every `intervalMs`. It starts at the server's time so that the first
 * client render matches the server's HTML, and moves on once the page is hydrated.
 */
export function useNow(serverNow: string, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.parse(serverNow));
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

const MEASURE_LABELS = { reaction: 'Reaktion', resolution: 'Lösung' } as const;

/** SLA time between two instants on the deadline's clock (business hours skip nights, weekends and holidays). */
function slaSpan(sla: CountdownSla, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return -slaSpan(sla, toMs, fromMs);
  return sla.clock === 'business' ? businessTimeBetween(fromMs, toMs, { federalState: sla.federalState }) : toMs - fromMs;
}

/**
 * "4 h verbleibend · Innerhalb SLA", counted down live. Business-hour deadlines count working
 * time, so the figure stands still at night and over the weekend, as the deadline does.
 */
export function SlaCountdown({ sla, now, compact = false }: { sla: CountdownSla; now: number; compact?: boolean }) {
  if (sla.measure === null) {
    return <ToneBadge tone={sla.breached ? 'red' : 'green'}>{sla.breached ? 'SLA verletzt' : 'SLA eingehalten'}</ToneBadge>;
  }
  const label = MEASURE_LABELS[sla.measure];
  const business = sla.clock === 'business' ? ' Arbeitszeit' : '';
  if (sla.remainingMs !== null && sla.dueAt === null) {
    const overdue = sla.remainingMs <= 0;
    return (
      <span className="sla" data-sla-state="paused">
        <ToneBadge tone={overdue ? 'red' : 'unknown'}>{overdue ? 'SLA verletzt' : 'Pausiert'}</ToneBadge>
        <span className="sla__time">
          {compact ? null : `${label}: `}
          {overdue
            ? describeRemaining(sla.remainingMs, sla.clock)
            : `${formatSpan(sla.remainingMs, { days: sla.clock === 'calendar' })}${business} übrig, ruht`}
        </span>
      </span>
    );
  }
  if (sla.dueAt === null) return <span className="muted">–</span>;
  const remaining = slaSpan(sla, now, Date.parse(sla.dueAt));
  const overdue = remaining <= 0;
  return (
    <span className="sla" data-sla-state={overdue ? 'breached' : 'running'}>
      <ToneBadge tone={overdue ? 'red' : 'green'}>{overdue ? 'SLA verletzt' : 'Innerhalb SLA'}</ToneBadge>
      <span className="sla__time" title={`${label} fällig ${formatDateTime(sla.dueAt)}`}>
        {compact ? null : `${label}: `}
        {describeRemaining(remaining, sla.clock)}
        {overdue ? '' : business}
      </span>
    </span>
  );
}

/** The history, oldest first: what happened, who did it, when, and what was written. */
export function Timeline({ items, label }: { items: TimelineItem[]; label: string }) {
  return (
    <ol className="timeline" aria-label={label}>
      {items.map((item) => (
        <li key={item.key} className={`timeline__item timeline__item--${item.tone ?? 'unknown'}`} data-kind={item.label}>
          <div className="timeline__head">
            <strong className="timeline__label">{item.label}</strong>
            {item.internal ? <span className="timeline__internal">intern</span> : null}
            <span className="timeline__meta">
              {item.actor} · <time dateTime={item.at}>{formatDateTime(item.at)}</time>
            </span>
          </div>
          {item.note ? <p className="timeline__note">{item.note}</p> : null}
          {item.body ? <p className="timeline__body">{item.body}</p> : null}
        </li>
      ))}
    </ol>
  );
}

/** A case page's history panel ("Verlauf"); a case without steps says so. */
export function HistoryPanel({ items, label }: { items: TimelineItem[]; label: string }) {
  return (
    <Panel id="history" title="Verlauf">
      {items.length === 0 ? <EmptyState>Noch keine Schritte.</EmptyState> : <Timeline items={items} label={label} />}
    </Panel>
  );
}

/** A form's outcome after an action: the workflow's refusal or a short confirmation. */
export function ActionMessage({ data }: { data: { ok: boolean; message: string } | undefined }) {
  if (!data) return null;
  return (
    <div className={data.ok ? 'alert alert--info' : 'alert alert--error'} role={data.ok ? 'status' : 'alert'}>
      {data.message}
    </div>
  );
}

/** Up to `count` slot rows (date and time window); the server reads them with slotsFromForm. */
export function SlotFields({
  count,
  windows,
  earliestDate,
  firstRequired = false,
}: {
  count: number;
  windows: Array<{ value: string; label: string }>;
  earliestDate: string;
  firstRequired?: boolean;
}) {
  return (
    <fieldset className="slot-fields">
      <legend>Mögliche Termine (bis zu {count})</legend>
      {Array.from({ length: count }, (_, i) => i + 1).map((n) => (
        <div key={n} className="slot-fields__row">
          <div className="field">
            <label htmlFor={`slot${n}Date`}>Termin {n}: Datum</label>
            <input id={`slot${n}Date`} name={`slot${n}Date`} type="date" min={earliestDate} required={firstRequired && n === 1} />
          </div>
          <div className="field">
            <label htmlFor={`slot${n}Window`}>Uhrzeit</label>
            <select id={`slot${n}Window`} name={`slot${n}Window`} defaultValue="" required={firstRequired && n === 1}>
              <option value="">–</option>
              {windows.map((w) => (
                <option key={w.value} value={w.value}>
                  {w.label}
                </option>
              ))}
            </select>
          </div>
        </div>
      ))}
    </fieldset>
  );
}
