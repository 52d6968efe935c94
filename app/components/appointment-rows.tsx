import { Link } from '@remix-run/react';
import { ToneBadge } from '~/components/cases';
import type { AppointmentStatus } from '../../domain/contracts/appointment';
import { formatDateTime } from '../../domain/format';
import type { Tone } from '../../domain/timeline';

const STATUS_TONES: Record<AppointmentStatus, Tone> = {
  requested: 'yellow',
  proposed: 'yellow',
  confirmed: 'green',
  done: 'green',
  no_show: 'red',
  cancelled: 'unknown',
};

export interface AppointmentListRow {
  id: number;
  reasonLabel: string;
  status: AppointmentStatus;
  statusLabel: string;
  place: string;
  tenantName: string;
  when: string[];
  confirmed: boolean;
  confirmDueAt: string | Date | null;
  overdue: boolean;
  /** The tenant proposed own slots in answer to the technician's offer. */
  counterProposal?: boolean;
}

/** One appointment request in a list (Termine, Arbeitsliste); the tenant column only for those who handle requests. */
export function AppointmentRow({ a, showTenant }: { a: AppointmentListRow; showTenant: boolean }) {
  return (
    <tr data-appointment-id={a.id}>
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
        {a.counterProposal ? <span className="cell-sub counter-proposal">Gegenvorschlag der Mietpartei</span> : null}
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
  );
}
