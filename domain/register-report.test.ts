import { describe, expect, test } from 'vitest';
import { calibrationStatus, summariseByType } from './register-report';

describe('calibration status in the report', () => {
  test('meters: valid until, expired, or year unknown; allocators and smoke alarms have no duty', () => {
    expect(calibrationStatus({ type: 'WZ-K', installedAt: '2024-03-01', calibratedYear: 2024 }, '2026-11-30')).toEqual({
      text: 'Eichung 2024, gültig bis 31.12.2030',
      state: 'ok',
    });
    expect(calibrationStatus({ type: 'WZ-W', installedAt: '2018-03-01', calibratedYear: 2018 }, '2026-11-30')).toEqual({
      text: 'Eichung 2018, abgelaufen am 31.12.2024',
      state: 'expired',
    });
    expect(calibrationStatus({ type: 'WZ-K', installedAt: '2021-06-01', calibratedYear: null }, '2026-11-30').state).toBe('unknown');
    expect(calibrationStatus({ type: 'HKV', installedAt: '2021-06-01', calibratedYear: null }, '2026-11-30')).toEqual({
      text: 'keine Eichpflicht',
      state: 'none',
    });
  });
});

describe('summary by type', () => {
  test('counts per light in the register’s type order, empty types left out', () => {
    const summary = summariseByType([
      { type: 'RWM', light: 'green' },
      { type: 'HKV', light: 'red' },
      { type: 'HKV', light: null },
      { type: 'HKV', light: 'green' },
    ]);
    expect(summary.map((s) => [s.type, s.total, s.counts])).toEqual([
      ['HKV', 3, { red: 1, yellow: 0, green: 1, unknown: 1 }],
      ['RWM', 1, { red: 0, yellow: 0, green: 1, unknown: 0 }],
    ]);
  });
});
