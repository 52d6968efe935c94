import { formatNumber } from '../../domain/format';
import type { RowError } from '../../domain/readings-csv';

/** An import's errors, one per row and field, and how many more there are than shown. */
export function RowErrorTable({ errors, errorCount }: { errors: readonly RowError[]; errorCount: number }) {
  if (errors.length === 0) return null;
  return (
    <div className="table-wrap" role="region" aria-label="Fehler je Zeile" tabIndex={0}>
      <table className="table">
        <caption className="visually-hidden">Fehler je Zeile</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Zeile
            </th>
            <th scope="col">Feld</th>
            <th scope="col">Fehler</th>
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
      {errorCount > errors.length ? <p className="muted">… und {formatNumber(errorCount - errors.length)} weitere Fehler.</p> : null}
    </div>
  );
}
