import { Form, Link } from '@remix-run/react';
import { FINDINGS_PATH } from '../../domain/contracts/proof-verification';
import { formatDateTime, formatNumber } from '../../domain/format';

/** The alarm that stays until every finding is resolved: on the compliance desk and the dashboard. */
export function FindingsBanner({ count, linked = true }: { count: number; linked?: boolean }) {
  if (count === 0) return null;
  return (
    <div className="alert alert--error" role="alert">
      <strong>Nachweisprüfung: {count === 1 ? 'ein offener Befund' : `${formatNumber(count)} offene Befunde`}.</strong> Eine Nachweiskette,
      ein Dokument oder das Prüfprotokoll weicht vom signierten Stand ab.{' '}
      {linked ? <Link to={FINDINGS_PATH}>Befunde ansehen und bearbeiten</Link> : null}
    </div>
  );
}

export interface FindingItem {
  id: number;
  subjectLabel: string;
  link: string | null;
  message: string;
  foundAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

/** One open finding, with the compliance officer's resolution form (a plain POST, so it works without JavaScript). */
export function OpenFinding({
  finding,
  canResolve,
  error,
  noteMax,
}: {
  finding: FindingItem;
  canResolve: boolean;
  error: string | null;
  noteMax: number;
}) {
  const noteId = `note-${finding.id}`;
  return (
    <li className="finding">
      <h3 className="finding__title">{finding.link ? <Link to={finding.link}>{finding.subjectLabel}</Link> : finding.subjectLabel}</h3>
      <p>{finding.message}</p>
      <p className="finding__meta">
        Gefunden am {formatDateTime(finding.foundAt)}, zuletzt bestätigt am {formatDateTime(finding.lastSeenAt)}
      </p>
      {canResolve ? (
        <Form method="post" className="finding__resolve">
          <input type="hidden" name="findingId" value={finding.id} />
          <div className="field">
            <label htmlFor={noteId}>Vermerk zur Erledigung (Pflicht)</label>
            <textarea
              id={noteId}
              name="note"
              rows={2}
              required
              maxLength={noteMax}
              {...(error ? { 'aria-invalid': true, 'aria-describedby': `${noteId}-error` } : {})}
            />
            {error ? (
              <p className="field-error" id={`${noteId}-error`}>
                {error}
              </p>
            ) : null}
          </div>
          <button type="submit" name="intent" value="resolve" className="button">
            Als erledigt vermerken
          </button>
        </Form>
      ) : null}
    </li>
  );
}
