import { describe, expect, it } from 'vitest';
import { coverageOf, type ExpectedObligation } from './coverage';

const obligation = (workflowId: string, mayBeCompleted = false): ExpectedObligation => ({
  workflowId,
  label: workflowId,
  property: 'Parkring 3',
  pagePath: '/',
  mayBeCompleted,
});

describe('coverage', () => {
  it('counts running ones and final ends as covered, names every other case', () => {
    const statuses = new Map([
      ['device-1', 'Running'],
      ['device-2', 'Completed'],
      ['device-3', 'Terminated'],
      ['statement-1-v1', 'Completed'],
    ]);
    const section = coverageOf(
      [obligation('device-1'), obligation('device-2'), obligation('device-3'), obligation('device-4'), obligation('statement-1-v1', true)],
      statuses,
    );
    expect(section).toMatchObject({ expected: 5, covered: 2 });
    expect(section.gaps.map((gap) => [gap.workflowId, gap.reason])).toEqual([
      ['device-2', 'Überwachung beendet, obwohl das Objekt noch besteht'],
      ['device-3', 'Workflow von außen beendet'],
      ['device-4', 'Kein Workflow vorhanden'],
    ]);
  });
});
