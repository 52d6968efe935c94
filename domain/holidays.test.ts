import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FEDERAL_STATES, easterSunday, holidayOn, holidaysOf, repentanceDay, weekdayOf } from './holidays';

const names = (year: number, state: (typeof FEDERAL_STATES)[number]) => holidaysOf(year, state).map((h) => `${h.date} ${h.name}`);

describe('Easter and the days that move with it', () => {
  it.each([
    [1818, '1818-03-22'], // the earliest possible date
    [2000, '2000-04-23'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2038, '2038-04-25'], // the latest possible date
  ])('Easter Sunday %i is %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('is always a Sunday between 22 March and 25 April', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1600, max: 4000 }), (year) => {
        const easter = easterSunday(year);
        expect(weekdayOf(easter)).toBe(0);
        expect(easter.slice(5) >= '03-22' && easter.slice(5) <= '04-25').toBe(true);
      }),
    );
  });

  it('Buß- und Bettag is the Wednesday between 16 and 22 November', () => {
    expect([2023, 2024, 2025, 2026].map(repentanceDay)).toEqual(['2023-11-22', '2024-11-20', '2025-11-19', '2026-11-18']);
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 3000 }), (year) => {
        const day = repentanceDay(year);
        expect(weekdayOf(day)).toBe(3);
        expect(day.slice(5) >= '11-16' && day.slice(5) <= '11-22').toBe(true);
      }),
    );
  });
});

describe('holidays per federal state', () => {
  it('Bavaria 2025: Epiphany, Corpus Christi and All Saints (municipal Assumption not modelled)', () => {
    expect(names(2025, 'BY')).toEqual([
      '2025-01-01 Neujahr',
      '2025-01-06 Heilige Drei Könige',
      '2025-04-18 Karfreitag',
      '2025-04-21 Ostermontag',
      '2025-05-01 Tag der Arbeit',
      '2025-05-29 Christi Himmelfahrt',
      '2025-06-09 Pfingstmontag',
      '2025-06-19 Fronleichnam',
      '2025-10-03 Tag der Deutschen Einheit',
      '2025-11-01 Allerheiligen',
      '2025-12-25 1. Weihnachtstag',
      '2025-12-26 2. Weihnachtstag',
    ]);
  });

  it('Berlin 2025: Women’s Day and the one-off 8 May', () => {
    expect(holidayOn('2025-03-08', 'BE')?.name).toBe('Internationaler Frauentag');
    expect(holidayOn('2025-05-08', 'BE')?.name).toBe('Tag der Befreiung');
    expect(holidayOn('2026-05-08', 'BE')).toBeNull();
    expect(holidayOn('2018-03-08', 'BE')).toBeNull();
    expect(holidaysOf(2025, 'BE')).toHaveLength(11);
  });

  it('Saxony keeps Buß- und Bettag and Reformation Day; its neighbours do not keep the first', () => {
    expect(holidayOn('2025-11-19', 'SN')?.name).toBe('Buß- und Bettag');
    expect(holidayOn('2025-10-31', 'SN')?.name).toBe('Reformationstag');
    expect(holidayOn('2025-11-19', 'BE')).toBeNull();
    expect(holidayOn('2025-11-19', 'TH')).toBeNull();
    expect(holidayOn('1993-11-17', 'BE')?.name).toBe('Buß- und Bettag'); // nationwide until 1994
  });

  it('Reformation Day in the north since 2018, everywhere in 2017', () => {
    expect(holidayOn('2016-10-31', 'NI')).toBeNull();
    expect(holidayOn('2018-10-31', 'NI')?.name).toBe('Reformationstag');
    for (const state of FEDERAL_STATES) expect(holidayOn('2017-10-31', state)?.name, state).toBe('Reformationstag');
    expect(holidayOn('2018-10-31', 'BW')).toBeNull();
  });

  it('Corpus Christi in the Catholic west and south, Assumption in Saarland, Children’s Day in Thuringia', () => {
    const corpusChristi = '2025-06-19';
    expect(FEDERAL_STATES.filter((s) => holidayOn(corpusChristi, s))).toEqual(['BW', 'BY', 'HE', 'NW', 'RP', 'SL']);
    expect(FEDERAL_STATES.filter((s) => holidayOn('2025-08-15', s))).toEqual(['SL']);
    expect(FEDERAL_STATES.filter((s) => holidayOn('2025-09-20', s))).toEqual(['TH']);
    expect(FEDERAL_STATES.filter((s) => holidayOn('2025-01-06', s))).toEqual(['BW', 'BY', 'ST']);
  });

  it('the nine nationwide holidays hold in every state', () => {
    for (const state of FEDERAL_STATES) {
      const dates = holidaysOf(2026, state).map((h) => h.date);
      for (const date of [
        '2026-01-01',
        '2026-04-03',
        '2026-04-06',
        '2026-05-01',
        '2026-05-14',
        '2026-05-25',
        '2026-10-03',
        '2026-12-25',
        '2026-12-26',
      ]) {
        expect(dates, `${state} ${date}`).toContain(date);
      }
    }
  });
});
