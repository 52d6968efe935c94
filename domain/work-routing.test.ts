import { describe, expect, test } from 'vitest';
import { isDeviceWork, slaStanding } from './work-routing';

const NOW = Date.parse('2026-03-10T10:00:00Z');
const running = (dueAt: string) => ({ measure: 'reaction', state: 'running', dueAt, remainingMs: null });

describe('slaStanding', () => {
  test('overdue or recorded as breached, due within 24 h, later', () => {
    expect(slaStanding(running('2026-03-10T09:59:59Z'), NOW)).toBe('breached');
    expect(slaStanding({ ...running('2026-03-12T10:00:00Z'), state: 'breached' }, NOW)).toBe('breached');
    expect(slaStanding(running('2026-03-11T10:00:00Z'), NOW)).toBe('at_risk');
    expect(slaStanding(running('2026-03-11T10:00:01Z'), NOW)).toBe('on_track');
  });

  test('paused while the tenant is asked (breached if no time was left), done without a deadline', () => {
    expect(slaStanding({ measure: 'resolution', state: 'paused', dueAt: null, remainingMs: 3_600_000 }, NOW)).toBe('paused');
    expect(slaStanding({ measure: 'resolution', state: 'breached', dueAt: null, remainingMs: -1 }, NOW)).toBe('breached');
    expect(slaStanding({ measure: null, state: 'done', dueAt: null, remainingMs: null }, NOW)).toBe('done');
  });
});

test('device reports are device work; questions, readings and objections are not', () => {
  expect(isDeviceWork('device_report')).toBe(true);
  for (const category of ['statement_objection', 'reading', 'general_question', 'data_protection'] as const)
    expect(isDeviceWork(category)).toBe(false);
});
