import type { ReactNode } from 'react';

/**
 * A table in a scrollable, keyboard-focusable region: `label` names the region, `caption` (read by
 * screen readers only) describes the table, `head` is the header row(s), the children the body rows.
 */
export function DataTable({
  label,
  caption,
  head,
  className,
  children,
}: {
  label: string;
  caption: ReactNode;
  head: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className={className ? `table ${className}` : 'table'}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>{head}</thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
