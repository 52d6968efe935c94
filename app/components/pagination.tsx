import { Link } from '@remix-run/react';
import { formatNumber } from '../../domain/format';

export function Pagination({
  page,
  pageCount,
  total,
  pageSize,
  hrefFor,
}: {
  page: number;
  pageCount: number;
  total: number;
  pageSize: number;
  hrefFor: (page: number) => string;
}) {
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pagination" aria-label="Seitennavigation">
      <p className="pagination__info">
        {formatNumber(first)}–{formatNumber(last)} von {formatNumber(total)} · Seite {formatNumber(page)} von {formatNumber(pageCount)}
      </p>
      <ul className="pagination__links">
        <li>{page > 1 ? <Link to={hrefFor(1)}>« Erste</Link> : <span aria-disabled="true">« Erste</span>}</li>
        <li>
          {page > 1 ? (
            <Link to={hrefFor(page - 1)} rel="prev">
              ‹ Zurück
            </Link>
          ) : (
            <span aria-disabled="true">‹ Zurück</span>
          )}
        </li>
        <li>
          {page < pageCount ? (
            <Link to={hrefFor(page + 1)} rel="next">
              Weiter ›
            </Link>
          ) : (
            <span aria-disabled="true">Weiter ›</span>
          )}
        </li>
        <li>{page < pageCount ? <Link to={hrefFor(pageCount)}>Letzte »</Link> : <span aria-disabled="true">Letzte »</span>}</li>
      </ul>
    </nav>
  );
}
