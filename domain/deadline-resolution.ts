// Which device deadline a piece of recorded work resolved, and on which day. A recalibration or an
// inspection moves the device's deadline, so the old one is gone from the register afterwards; the
// portal keeps it (device_deadline_resolutions) so the coverage report can still say whether it was
// met or resolved late. Pure: the caller passes the facts before and after the work.
import { compareDates } from './dates';
import { deadlineOf, type Deadline, type DeviceFacts } from './deadlines';

export const RESOLUTION_HOWS = ['recalibrated', 'inspected', 'replaced'] as const;
export type ResolutionHow = (typeof RESOLUTION_HOWS)[number];

/** How a deadline was resolved, in the words of the report ("Nacheichung 15.01.2026"). */
export const RESOLUTION_LABELS: Readonly<Record<ResolutionHow, string>> = {
  recalibrated: 'Nacheichung',
  inspected: 'Inspektion',
  replaced: 'Austausch',
};

/**
 * The deadline the work resolved: a replacement resolves the old device's deadline; a recalibration
 * or inspection only when it moves the deadline later (recording the same year again, or work that
 * does not touch the deadline, resolves nothing).
 */
export function resolvedDeadline(before: DeviceFacts, after: DeviceFacts | 'replaced'): Deadline | null {
  const old = deadlineOf(before);
  if (after === 'replaced') return old;
  const next = deadlineOf(after);
  return compareDates(next.dueAt, old.dueAt) > 0 ? old : null;
}

/**
 * The day a recalibration resolved its deadline. The form gives only the year on the new marking: the
 * work was done in that year, so at the latest on its last day, and never after it was recorded.
 */
export function recalibratedOn(calibratedYear: number, recordedOn: string): string {
  const endOfYear = `${String(calibratedYear).padStart(4, '0')}-12-31`;
  return compareDates(endOfYear, recordedOn) < 0 ? endOfYear : recordedOn;
}
