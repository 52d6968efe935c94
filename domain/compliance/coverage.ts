// Coverage: every object that must have an obligation running has one. The expected workflows
// come from the database (devices in service, statement versions in force), what runs from
// Temporal visibility; the gaps are what an auditor asks about.

/** Temporal's status of a workflow's newest run, as visibility names it. */
export type RunStatus = 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'ContinuedAsNew' | 'TimedOut';

export interface ExpectedObligation {
  workflowId: string;
  /** What the object is called on the page ("WZ-2021-0042, Whg. 1.03"). */
  label: string;
  property: string;
  /** The object's own portal page. */
  pagePath: string;
  /** Whether a completed run is the expected end (a final statement), or a gap (a device in service). */
  mayBeCompleted: boolean;
}

export interface CoverageGap extends ExpectedObligation {
  /** Why it is a gap, in German. */
  reason: string;
}

export interface CoverageSection {
  expected: number;
  covered: number;
  gaps: CoverageGap[];
}

const ENDED: Readonly<Record<string, string>> = {
  Completed: 'Überwachung beendet, obwohl das Objekt noch besteht',
  Failed: 'Workflow fehlgeschlagen',
  Canceled: 'Workflow abgebrochen',
  Terminated: 'Workflow von außen beendet',
  TimedOut: 'Workflow-Zeitlimit überschritten',
};

export function coverageOf(expected: readonly ExpectedObligation[], statuses: ReadonlyMap<string, string>): CoverageSection {
  const gaps: CoverageGap[] = [];
  for (const obligation of expected) {
    const status = statuses.get(obligation.workflowId);
    if (status === undefined) gaps.push({ ...obligation, reason: 'Kein Workflow vorhanden' });
    else if (status === 'Running' || status === 'ContinuedAsNew' || (status === 'Completed' && obligation.mayBeCompleted)) continue;
    else gaps.push({ ...obligation, reason: ENDED[status] ?? `Status ${status}` });
  }
  return { expected: expected.length, covered: expected.length - gaps.length, gaps };
}
