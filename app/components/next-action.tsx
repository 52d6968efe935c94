import { Link } from '@remix-run/react';
import type { NextAction as NextActionData } from '../../server/properties';
import { deadlineKindLabel, formatDate } from '../../domain/format';

/** "Eichfrist WZ-2021-01887 am 31.12.2026", or "… seit … überfällig" once the date has passed. */
export function NextAction({ action, today }: { action: NextActionData | null; today: string }) {
  if (!action) return <span className="muted">Keine offenen Fristen</span>;
  const overdue = action.dueAt < today;
  return (
    <span>
      {deadlineKindLabel(action.deadlineKind)}{' '}
      <Link to={`/geraete/${action.deviceId}`} className="mono">
        {action.serial}
      </Link>{' '}
      {overdue ? <strong className="overdue">seit {formatDate(action.dueAt)} überfällig</strong> : <>am {formatDate(action.dueAt)}</>}
    </span>
  );
}
