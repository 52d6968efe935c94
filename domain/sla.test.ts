import { describe, expect, it } from 'vitest';
import { berlinWallTime } from './business-hours';
import {
  DEFAULT_SLA_MATRIX,
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  describeBudget,
  describeRemaining,
  dueAtOf,
  dueEscalation,
  endMeasure,
  measureState,
  nextEscalationAt,
  pauseMeasure,
  recordEscalation,
  remainingAt,
  resumeMeasure,
  retargetMeasure,
  slaMatrixWith,
  startMeasure,
  warningAtOf,
} from './sla';

const berlin = { federalState: 'BE' } as const;
const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-02T10:00:00Z');

describe('the SLA matrix', () => {
  it('has a target for every category and priority; more pressing never means more time', () => {
    for (const category of TICKET_CATEGORIES) {
      const targets = TICKET_PRIORITIES.map((p) => DEFAULT_SLA_MATRIX[category][p]);
      for (const target of targets) expect(target.reactionMs).toBeLessThan(target.resolutionMs);
      for (let i = 1; i < targets.length; i++) {
        if (targets[i]!.clock === targets[i - 1]!.clock) expect(targets[i - 1]!.resolutionMs).toBeLessThanOrEqual(targets[i]!.resolutionMs);
      }
    }
  });

  it('runs emergencies and data-protection requests around the clock, within the GDPR month', () => {
    expect(DEFAULT_SLA_MATRIX.device_report.urgent).toEqual({ reactionMs: 2 * HOUR, resolutionMs: 24 * HOUR, clock: 'calendar' });
    for (const priority of TICKET_PRIORITIES) {
      const target = DEFAULT_SLA_MATRIX.data_protection[priority];
      expect(target.clock).toBe('calendar');
      expect(target.resolutionMs).toBeLessThanOrEqual(28 * 24 * HOUR);
    }
    expect(describeBudget({ ms: DEFAULT_SLA_MATRIX.reading.normal.resolutionMs, clock: 'business' })).toBe('5 Arbeitstage');
  });

  it('takes an organisation’s overrides cell by cell, in seconds', () => {
    const matrix = slaMatrixWith([
      { category: 'reading', priority: 'normal', reactionSeconds: 4, resolutionSeconds: 8, businessHours: false },
    ]);
    expect(matrix.reading.normal).toEqual({ reactionMs: 4_000, resolutionMs: 8_000, clock: 'calendar' });
    expect(matrix.reading.high).toEqual(DEFAULT_SLA_MATRIX.reading.high);
    expect(DEFAULT_SLA_MATRIX.reading.normal.reactionMs).toBe(9 * HOUR); // the defaults stay untouched
    expect(() =>
      slaMatrixWith([{ category: 'reading', priority: 'low', reactionSeconds: 0, resolutionSeconds: 8, businessHours: false }]),
    ).toThrow(RangeError);
  });
});

describe('a measure on the wall clock', () => {
  const start = startMeasure(8_000, 'calendar', T0);

  it('is due after its budget, warns at 75 %', () => {
    expect(dueAtOf(start, berlin)).toBe(T0 + 8_000);
    expect(warningAtOf(start, berlin)).toBe(T0 + 6_000);
    expect(remainingAt(start, T0 + 5_000, berlin)).toBe(3_000);
  });

  it('pauses: time while waiting for the tenant does not count', () => {
    const paused = pauseMeasure(start, T0 + 3_000, berlin);
    expect(measureState(paused, T0 + 60_000, berlin)).toBe('paused');
    expect(remainingAt(paused, T0 + 60_000, berlin)).toBe(5_000);
    expect(dueAtOf(paused, berlin)).toBeNull();
    expect(nextEscalationAt(paused, berlin)).toBeNull();
    expect(dueEscalation(paused, T0 + 60_000, berlin)).toBeNull();
    const resumed = resumeMeasure(paused, T0 + 60_000);
    expect(dueAtOf(resumed, berlin)).toBe(T0 + 65_000);
    expect(warningAtOf(resumed, berlin)).toBe(T0 + 63_000);
  });

  it('escalates once at 75 % and once at the breach; a breach found late settles the warning too', () => {
    expect(dueEscalation(start, T0 + 5_999, berlin)).toBeNull();
    expect(dueEscalation(start, T0 + 6_000, berlin)).toBe('warning');
    const warned = recordEscalation(start, 'warning', T0 + 6_000);
    expect(dueEscalation(warned, T0 + 7_000, berlin)).toBeNull();
    expect(nextEscalationAt(warned, berlin)).toBe(T0 + 8_000);
    expect(dueEscalation(warned, T0 + 8_000, berlin)).toBe('breach');
    const breached = recordEscalation(warned, 'breach', T0 + 8_000);
    expect(dueEscalation(breached, T0 + 99_000, berlin)).toBeNull();
    expect(nextEscalationAt(breached, berlin)).toBeNull();
    expect(measureState(breached, T0 + 9_000, berlin)).toBe('breached');

    expect(dueEscalation(start, T0 + 20_000, berlin)).toBe('breach');
    expect(recordEscalation(start, 'breach', T0 + 20_000)).toMatchObject({ warnedAtMs: T0 + 20_000, breachedAtMs: T0 + 20_000 });
  });

  it('ends met or met late', () => {
    expect(measureState(endMeasure(start, T0 + 7_000, berlin), T0 + 99_000, berlin)).toBe('met');
    expect(measureState(endMeasure(start, T0 + 9_000, berlin), T0 + 99_000, berlin)).toBe('met_late');
    expect(dueEscalation(endMeasure(start, T0 + 1_000, berlin), T0 + 99_000, berlin)).toBeNull();
  });

  it('keeps the time used when the budget changes', () => {
    const retargeted = retargetMeasure(start, 20_000, 'calendar', T0 + 5_000, berlin);
    expect(remainingAt(retargeted, T0 + 5_000, berlin)).toBe(15_000);
    expect(dueAtOf(retargeted, berlin)).toBe(T0 + 20_000);
  });
});

describe('a measure in business hours', () => {
  it('pauses over night and weekend by itself, and over the tenant’s silence on top', () => {
    const fridayAfternoon = berlinWallTime('2025-05-02', 15);
    const measure = startMeasure(4 * HOUR, 'business', fridayAfternoon);
    expect(dueAtOf(measure, berlin)).toBe(berlinWallTime('2025-05-05', 10));
    const paused = pauseMeasure(measure, berlinWallTime('2025-05-02', 16), berlin); // 1 h used
    const resumed = resumeMeasure(paused, berlinWallTime('2025-05-06', 12));
    expect(dueAtOf(resumed, berlin)).toBe(berlinWallTime('2025-05-06', 15));
    expect(remainingAt(resumed, berlinWallTime('2025-05-06', 13), berlin)).toBe(2 * HOUR);
  });
});

describe('wording', () => {
  it.each([
    [4 * HOUR, '4 h verbleibend'],
    [4 * HOUR + 12 * 60_000, '4 h 12 min verbleibend'],
    [52 * HOUR, '2 T 4 h verbleibend'],
    [45_000, '45 s verbleibend'],
    [-2 * HOUR, 'seit 2 h überfällig'],
  ])('%i ms → %s', (ms, text) => {
    expect(describeRemaining(ms)).toBe(text);
  });

  it('tells business time in hours and budgets as people state them', () => {
    expect(describeRemaining(44 * HOUR + 10 * 60_000, 'business')).toBe('44 h 10 min verbleibend');
    expect(describeBudget({ ms: 24 * HOUR, clock: 'calendar' })).toBe('24 h');
    expect(describeBudget({ ms: 28 * 24 * HOUR, clock: 'calendar' })).toBe('28 Tage');
    expect(describeBudget({ ms: 4 * HOUR, clock: 'business' })).toBe('4 Arbeitsstunden');
    expect(describeBudget({ ms: 8_000, clock: 'calendar' })).toBe('8 s');
  });
});
