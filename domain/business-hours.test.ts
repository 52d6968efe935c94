import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FederalState } from './holidays';
import { addBusinessTime, berlinDateOf, berlinOffsetMinutes, berlinWallTime, businessTimeBetween, isBusinessDay } from './business-hours';

const HOUR = 3_600_000;
const berlin = { federalState: 'BE' } as const;
const iso = (ms: number) => new Date(ms).toISOString();

describe('German local time', () => {
  it('switches to summer time on the last Sunday of March and back on the last Sunday of October, at 01:00 UTC', () => {
    expect(berlinOffsetMinutes(Date.parse('2025-03-30T00:59:59Z'))).toBe(60);
    expect(berlinOffsetMinutes(Date.parse('2025-03-30T01:00:00Z'))).toBe(120);
    expect(berlinOffsetMinutes(Date.parse('2025-10-26T00:59:59Z'))).toBe(120);
    expect(berlinOffsetMinutes(Date.parse('2025-10-26T01:00:00Z'))).toBe(60);
  });

  it('agrees with the time zone database for every hour of two years', () => {
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Berlin',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    for (let ms = Date.parse('2025-01-01T00:30:00Z'); ms < Date.parse('2027-01-01T00:00:00Z'); ms += HOUR) {
      const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
      const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), 30);
      expect((local - ms) / 60_000, iso(ms)).toBe(berlinOffsetMinutes(ms));
    }
  });

  it('maps wall-clock times and dates both ways', () => {
    expect(iso(berlinWallTime('2025-07-01', 8))).toBe('2025-07-01T06:00:00.000Z');
    expect(iso(berlinWallTime('2025-12-01', 17))).toBe('2025-12-01T16:00:00.000Z');
    expect(berlinDateOf(Date.parse('2025-07-01T22:30:00Z'))).toBe('2025-07-02');
  });
});

describe('business time (Mon–Fri 8–17, holidays of the state)', () => {
  it('skips the weekend', () => {
    const fridayAfternoon = berlinWallTime('2025-05-02', 16);
    expect(iso(addBusinessTime(fridayAfternoon, 2 * HOUR, berlin))).toBe(iso(berlinWallTime('2025-05-05', 9)));
  });

  it('skips the state’s holidays only: 8 May 2025 in Berlin, not in Brandenburg', () => {
    const wednesday = berlinWallTime('2025-05-07', 16);
    expect(iso(addBusinessTime(wednesday, 2 * HOUR, berlin))).toBe(iso(berlinWallTime('2025-05-09', 9)));
    expect(iso(addBusinessTime(wednesday, 2 * HOUR, { federalState: 'BB' }))).toBe(iso(berlinWallTime('2025-05-08', 9)));
  });

  it('skips Easter from Good Friday to Easter Monday', () => {
    const maundyThursday = berlinWallTime('2025-04-17', 16);
    expect(iso(addBusinessTime(maundyThursday, 2 * HOUR, berlin))).toBe(iso(berlinWallTime('2025-04-22', 9)));
  });

  it('skips Buß- und Bettag in Saxony (winter time)', () => {
    const tuesday = berlinWallTime('2025-11-18', 16);
    expect(iso(addBusinessTime(tuesday, 2 * HOUR, { federalState: 'SN' }))).toBe('2025-11-20T08:00:00.000Z');
    expect(iso(addBusinessTime(tuesday, 2 * HOUR, berlin))).toBe('2025-11-19T08:00:00.000Z');
  });

  it('crosses the change to summer time', () => {
    expect(iso(addBusinessTime(berlinWallTime('2025-03-28', 16), 2 * HOUR, berlin))).toBe('2025-03-31T07:00:00.000Z');
  });

  it('starts counting at opening time, and a full day ends at 17:00 of the same day', () => {
    expect(iso(addBusinessTime(berlinWallTime('2025-06-02', 6), HOUR, berlin))).toBe(iso(berlinWallTime('2025-06-02', 9)));
    expect(iso(addBusinessTime(berlinWallTime('2025-06-02', 8), 9 * HOUR, berlin))).toBe(iso(berlinWallTime('2025-06-02', 17)));
    expect(iso(addBusinessTime(berlinWallTime('2025-06-02', 20), 9 * HOUR, berlin))).toBe(iso(berlinWallTime('2025-06-03', 17)));
  });

  it('measures spans: a week with Ascension Day has four working days', () => {
    expect(businessTimeBetween(berlinWallTime('2025-05-26', 0), berlinWallTime('2025-05-31', 0), berlin)).toBe(4 * 9 * HOUR);
    expect(businessTimeBetween(berlinWallTime('2025-05-26', 12), berlinWallTime('2025-05-26', 10), berlin)).toBe(0);
    expect(isBusinessDay('2025-05-29', 'BE')).toBe(false);
  });

  it('adding and measuring are inverse', () => {
    const start = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') });
    const duration = fc.integer({ min: 1, max: 30 * 9 * HOUR });
    fc.assert(
      fc.property(start, duration, fc.constantFrom<FederalState>('BE', 'BY', 'SN', 'NW'), (startMs, durationMs, federalState) => {
        const calendar = { federalState };
        const end = addBusinessTime(startMs, durationMs, calendar);
        expect(businessTimeBetween(startMs, end, calendar)).toBe(durationMs);
      }),
      { numRuns: 300 },
    );
  });
});
