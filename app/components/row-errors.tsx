import type { ReactNode } from 'react';
import { formatNumber } from '../../domain/format';
import type { RowError } from '../../domain/readings-csv';

/** An import's refused (or skipped) lines, one per line and field, and how many more there are than shown. */
export function RowErrorTable({
  errors,
  errorCount,
  label = 'Fehler je Zeile',
  reason = 'Fehler',
}: {
  errors: readonly RowError[];
  errorCount: number;
  label?: string;
  reason?: string;
}) {
  if (errors.length === 0) return null;
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className="table">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Zeile
            </th>
            <th scope="col">Feld</th>
            <th scope="col">{reason}</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, i) => (
            <tr key={`${e.line}-${e.field}-${i}`}>
              <td className="num">{e.line}</td>
              <td>{e.field}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {errorCount > errors.length ? <p className="muted">… und {formatNumber(errorCount - errors.length)} weitere.</p> : null}
    </div>
  );
}

/** The result of an uploaded file's import, headed with the file's name. */
export function ImportResultSection({ id, fileName, children }: { id: string; fileName: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="import-result">
      <h3 id={id} className="subheading">
        Ergebnis{fileName ? ` für ${fileName}` : ''}
      </h3>
      {children}
    </section>
  );
}
