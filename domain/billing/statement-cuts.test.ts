// The pure rules behind the cuts a statement applies on its own (statement-cuts.ts).
import { describe, expect, test } from 'vitest';
import { co2Cut, monthlyInformationCut, owedInformationMonths, percentOfCents, remoteReadingCut } from './statement-cuts';

const YEAR_2025 = { start: '2025-01-01', end: '2025-12-31' };
const device = (installedAt: string, remoteReadable = false) => ({ serial: 'HKV-1', type: 'HKV' as const, installedAt, remoteReadable });

describe('§12(1) S.2 with §5(2)/(3): devices not remotely readable', () => {
  test('a device installed after 1.12.2021 cuts at once; an older one only for a period past 31.12.2026', () => {
    expect(remoteReadingCut([device('2021-12-01')], YEAR_2025)).toBeNull();
    expect(remoteReadingCut([device('2021-12-02')], YEAR_2025)).toContain('§5 Abs. 2 HKVO');
    expect(remoteReadingCut([device('2015-01-01')], { start: '2026-01-01', end: '2026-12-31' })).toBeNull();
    expect(remoteReadingCut([device('2015-01-01')], { start: '2026-02-01', end: '2027-01-31' })).toContain(
      'bis 31.12.2026 nicht auf Fernablesung umgerüstet (§5 Abs. 3 HKVO): Heizkostenverteiler HKV-1 (eingebaut am 01.01.2015)',
    );
    expect(remoteReadingCut([device('2023-01-01', true)], { start: '2027-01-01', end: '2027-12-31' })).toBeNull();
  });
});

describe('§12(1) S.3 with §6a: months without monthly information', () => {
  const tenancy = { startsOn: '2020-01-01', endsOn: null };

  test('whole months of the tenancy, from the first month the portal informed, once the next month has passed', () => {
    expect(owedInformationMonths(tenancy, YEAR_2025, undefined, '2025-10')).toEqual(['2025-10', '2025-11', '2025-12']);
    // Information for November is due within December: as of 31 December it is not yet missing.
    expect(owedInformationMonths(tenancy, YEAR_2025, '2025-12-31', '2025-10')).toEqual(['2025-10']);
    // A month of a tenant change is owed to neither tenant.
    expect(owedInformationMonths({ startsOn: '2025-03-16', endsOn: null }, YEAR_2025, undefined, '2022-01')[0]).toBe('2025-04');
    expect(owedInformationMonths(tenancy, { start: '2021-07-01', end: '2022-06-30' }, undefined)[0]).toBe('2022-01');
  });

  test('unknown information or an informed tenant is not cut', () => {
    expect(monthlyInformationCut(tenancy, YEAR_2025, undefined, undefined)).toBeNull();
    expect(monthlyInformationCut({ ...tenancy, informedMonths: [] }, YEAR_2025, undefined, undefined)).toBeNull();
    expect(monthlyInformationCut({ ...tenancy, informedMonths: ['2025-11', '2025-12'] }, YEAR_2025, undefined, '2025-11')).toBeNull();
    expect(monthlyInformationCut({ ...tenancy, informedMonths: ['2025-12'] }, YEAR_2025, undefined, '2025-11')).toBe(
      'Die monatliche Verbrauchsinformation (§6a HKVO) wurde für 1 von 2 Monaten nicht bereitgestellt: 11/2025.',
    );
  });
});

describe('CO2KostAufG §7(4)', () => {
  test('only for priced fuels, periods from 2023, and when the split is not shown', () => {
    expect(co2Cut(YEAR_2025, ['Erdgas'], false)).toContain('(Erdgas)');
    expect(co2Cut(YEAR_2025, ['Erdgas'], true)).toBeNull();
    expect(co2Cut(YEAR_2025, ['Holzpellets'], false)).toBeNull();
    expect(co2Cut({ start: '2022-01-01', end: '2022-12-31' }, ['Heizöl'], false)).toBeNull();
  });
});

test('a cut is rounded half up to cents', () => {
  // 3 % of 2 300 € = 69 €; 3 % of 0.50 € = 1.5 ct → 2 ct; 15 % of 950 € = 142.50 € (HKVO.md §1).
  expect(percentOfCents(230000, 3)).toBe(6900);
  expect(percentOfCents(50, 3)).toBe(2);
  expect(percentOfCents(95000, 15)).toBe(14250);
});
