// The recipients of a statement version on the manager's page: each tenant's channel, receipt,
// §556(3) check, objection window, opening and objections, filterable by state.
import { useState } from 'react';
import { Link } from '@remix-run/react';
import { DataTable } from './data-table';
import { ToneBadge } from './cases';
import { formatDate, formatDateTime } from '../../domain/format';
import { RECIPIENT_STATE_LABELS, type RecipientState, type RecipientView } from '../../domain/statement-recipients';
import type { Tone } from '../../domain/timeline';

const TONES: Record<RecipientState, Tone> = { 'in-transit': 'yellow', delivered: 'green', opened: 'green', objection: 'yellow' };

/** Each row links the recipient's own proof page: its timeline, bundle and the receipt correction. */
export function RecipientsTable({
  statementId,
  recipients,
  summary,
}: {
  statementId: number;
  recipients: RecipientView[];
  summary: string;
}) {
  const [filter, setFilter] = useState<RecipientState | 'all'>('all');
  const shown = filter === 'all' ? recipients : recipients.filter((r) => r.state === filter);
  const present = (Object.keys(RECIPIENT_STATE_LABELS) as RecipientState[]).filter((s) => recipients.some((r) => r.state === s));
  return (
    <section id="empfaenger" aria-labelledby="empfaenger-title">
      <h3 id="empfaenger-title" data-recipient-summary>
        {summary}
      </h3>
      <label>
        Anzeigen{' '}
        <select value={filter} onChange={(e) => setFilter(e.target.value as RecipientState | 'all')}>
          <option value="all">alle</option>
          {present.map((s) => (
            <option key={s} value={s}>
              {RECIPIENT_STATE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <DataTable
        label="Empfänger"
        caption="Zustellung je Mieter"
        head={
          <tr>
            <th scope="col">Wohnung</th>
            <th scope="col">Mieter</th>
            <th scope="col">Weg</th>
            <th scope="col">Zugang</th>
            <th scope="col">Einspruch möglich bis</th>
            <th scope="col">Stand</th>
          </tr>
        }
      >
        {shown.map((r) => (
          <tr key={r.occupancyId} data-recipient={r.occupancyId} data-recipient-state={r.state}>
            <td>
              <Link
                to={`/abrechnungen/${statementId}/nachweis/${r.occupancyId}`}
                aria-label={`Zustellnachweis ${r.unitLabel}, ${r.tenantName}`}
              >
                {r.unitLabel}
              </Link>
            </td>
            <td>{r.tenantName}</td>
            <td>{r.channel === 'portal' ? 'Portal' : `Post, versandt ${formatDate(r.dispatchedOn)}`}</td>
            <td>
              {formatDate(r.receivedOn)}
              {r.deadlineMissed ? ' · Frist versäumt (BGB §556 Abs. 3)' : ''}
            </td>
            <td>{formatDate(r.objectionDeadline)}</td>
            <td>
              <ToneBadge tone={TONES[r.state]}>{RECIPIENT_STATE_LABELS[r.state]}</ToneBadge>
              {r.openedAt ? ` ${formatDateTime(r.openedAt)}` : ''}
              {r.objections > 1 ? ` (${r.objections})` : ''}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
