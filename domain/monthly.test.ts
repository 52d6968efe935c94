import { describe, expect, test } from 'vitest';
import { zonedTimeToInstant } from './calendar';
import {
  DEFAULT_CONVERSION,
  HISTORY_MONTHS,
  formatChange,
  formatKwh,
  PEER_MONTHS,
  addMonthsTo,
  composeMonthlyInformation,
  firstOwnMonth,
  hotWaterKwh,
  meterConsumption,
  monthBoundaries,
  monthStartInstant,
  monthsEnding,
  peerAverageFor,
  peerBaseline,
  percentChange,
  reportingMonthFor,
  unitMonthKinds,
  type Assumptions,
  type BoundaryReading,
  type MonthlyInput,
  type PeerMonth,
  type UnitDevice,
} from './monthly';

const MONTH = '2026-10';
const assumptions: Assumptions = { ...DEFAULT_CONVERSION, source: 'default' };

/** Cumulative boundary readings of a meter whose monthly consumptions are given (oldest first). */
function readingsFor(monthly: ReadonlyArray<number>, start = 1000): BoundaryReading[] {
  const readings: BoundaryReading[] = [{ value: start, setDateValue: null, estimated: false }];
  for (const used of monthly) readings.push({ value: readings[readings.length - 1]!.value + used, setDateValue: null, estimated: false });
  return readings;
}

function device(type: UnitDevice['type'], monthly: ReadonlyArray<number>, overrides: Partial<UnitDevice> = {}): UnitDevice {
  return {
    serial: `${type}-${monthly[monthly.length - 1]}`,
    type,
    location: 'Bad',
    remoteReadable: true,
    radioStatus: 'ok',
    readings: readingsFor(monthly),
    ...overrides,
  };
}

/** A unit heat meter (kWh directly): the docs/rules.md examples need exact kWh without a conversion. */
function heatMeterWith(previousYear: number, previousMonth: number, current: number): UnitDevice {
  const monthly = Array.from({ length: HISTORY_MONTHS }, () => 250);
  monthly[HISTORY_MONTHS - 13] = previousYear;
  monthly[HISTORY_MONTHS - 2] = previousMonth;
  monthly[HISTORY_MONTHS - 1] = current;
  return device('WMZ', monthly, { serial: 'WMZ-1', location: 'Flur' });
}

/** Comparison groups whose average comparable user of `areaM2` used `kwh` (all heating) in every month. */
function peersAveraging(kwh: number, areaM2: number, units = 3): PeerMonth[] {
  return monthsEnding(MONTH, PEER_MONTHS).map((month) => {
    const group = { units, areaM2: areaM2 * units, heatingKwh: kwh * units, hotWaterKwh: 0 };
    return { month, classes: [0, 1, 2, 3, 4].map(() => group), property: group };
  });
}

function input(overrides: Partial<MonthlyInput>): MonthlyInput {
  return { month: MONTH, areaM2: 60, devices: [], assumptions, peers: [], visibleFrom: null, ...overrides };
}

describe('percentChange (docs/rules.md §3, monthly information)', () => {
  test.each([
    [312, 280, 11.43],
    [312, 350, -10.86],
    [312, 300, 4],
    [280, 280, 0],
  ])('%d kWh against %d kWh → %d %', (current, reference, expected) => {
    expect(percentChange(current, reference)).toBe(expected);
  });

  test('shown German: +11,43 %, −10,86 %, 1.234 kWh', () => {
    expect([formatChange(11.43), formatChange(-10.86), formatChange(0), formatChange(null)]).toEqual([
      '+11,43 %',
      '−10,86 %',
      '±0,00 %',
      '–',
    ]);
    expect([formatKwh(1234.4), formatKwh(null)]).toEqual(['1.234 kWh', '–']);
  });

  test('a reference of 0 has no percentage', () => {
    expect(() => percentChange(10, 0)).toThrow(RangeError);
  });
});

describe('months', () => {
  test('a run covers the month before its own', () => {
    expect(reportingMonthFor('2026-11-05')).toBe('2026-10');
    expect(reportingMonthFor('2027-01-05')).toBe('2026-12');
  });

  test('months and their German-time boundaries (summer and winter time)', () => {
    expect(monthsEnding('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(addMonthsTo('2026-10', -12)).toBe('2025-10');
    expect(monthStartInstant('2026-10').toISOString()).toBe('2026-09-30T22:00:00.000Z');
    expect(monthStartInstant('2026-11').toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(monthBoundaries(['2026-09', '2026-10']).map((d) => d.toISOString())).toEqual([
      '2026-08-31T22:00:00.000Z',
      '2026-09-30T22:00:00.000Z',
      '2026-10-31T23:00:00.000Z',
    ]);
  });

  test('clock changes: the skipped hour reads as winter time, the repeated hour as its first occurrence', () => {
    expect(zonedTimeToInstant('2026-03-29', '02:30').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedTimeToInstant('2026-10-25', '02:30').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedTimeToInstant('2026-10-25', '03:30').toISOString()).toBe('2026-10-25T02:30:00.000Z');
  });

  test('a tenancy’s own months start with its first full month', () => {
    expect(firstOwnMonth('2025-03-16')).toBe('2025-04');
    expect(firstOwnMonth('2025-03-01')).toBe('2025-03');
  });
});

describe('readings to consumption', () => {
  const at = (value: number, setDateValue: number | null = null): BoundaryReading => ({ value, setDateValue, estimated: false });

  test('the difference of the boundary readings; none without both', () => {
    expect(meterConsumption('WZ-W', at(10.5), at(12.75))).toBe(2.25);
    expect(meterConsumption('WZ-W', null, at(12))).toBeNull();
    expect(meterConsumption('HKV', at(100), null)).toBeNull();
  });

  test('a heat cost allocator that restarted at its set date adds up both parts', () => {
    expect(meterConsumption('HKV', at(940), at(35, 1000))).toBe(95);
    // A count that went down without a set-date value (or a water meter going backwards) is not a consumption.
    expect(meterConsumption('HKV', at(940), at(35))).toBeNull();
    expect(meterConsumption('WZ-K', at(940), at(35, 1000))).toBeNull();
  });

  test('hot water energy by the §9 formula (docs/rules.md §1: 47.2 m³ at 60 °C → 5 900 kWh; district heating 5 130.43)', () => {
    expect(hotWaterKwh(47.2, DEFAULT_CONVERSION)).toBe(5900);
    expect(hotWaterKwh(47.2, { ...DEFAULT_CONVERSION, districtHeating: true })).toBe(5130.43);
    expect(hotWaterKwh(2, { ...DEFAULT_CONVERSION, hotWaterTempC: 55 })).toBe(225);
  });

  test('allocator units by the property factor plus hot water by the formula', () => {
    const devices = [device('HKV', [40, 60]), device('HKV', [20, 30]), device('WZ-W', [1.2, 1.5])];
    const [, month] = unitMonthKinds(devices, 2, { ...DEFAULT_CONVERSION, hkvKwhPerUnit: 5 });
    expect(month).toMatchObject({ heatingUnits: 90, heatingKwh: 450, hotWaterM3: 1.5, hotWaterKwh: 187.5, incomplete: [] });
  });
});

describe('the monthly information', () => {
  test('docs/rules.md §3: 312 kWh against 280 (previous month), 350 (a year ago) and an average user of 300', () => {
    const info = composeMonthlyInformation(input({ devices: [heatMeterWith(350, 280, 312)], peers: peersAveraging(300, 60) }));
    expect(info.totalKwh).toBe(312);
    expect(info.comparisons.previousMonth).toEqual({ kwh: 280, changePercent: 11.43 });
    expect(info.comparisons.previousYear).toEqual({ kwh: 350, changePercent: -10.86 });
    expect(info.comparisons.peers).toMatchObject({ kwh: 300, changePercent: 4, units: 3, basis: 'class', classLabel: '50–70 m²' });
    expect(info.hints.map((h) => h.text)).toEqual([
      'Verbrauch 11 % unter Vorjahr',
      'Verbrauch 11 % über Vormonat',
      'Verbrauch 4 % über dem Durchschnitt vergleichbarer Wohnungen',
      'Alle Geräte funktionstüchtig',
    ]);
    expect(info.estimated).toBe(false);
    expect(info.devicesOk).toBe(true);
    // Above the average: heating tips.
    expect(info.tips).toHaveLength(2);
  });

  test('"Verbrauch 15 % über Vorjahr", and no tips below the average', () => {
    const info = composeMonthlyInformation(input({ devices: [heatMeterWith(300, 345, 345)], peers: peersAveraging(400, 60) }));
    expect(info.hints.map((h) => h.text)).toContain('Verbrauch 15 % über Vorjahr');
    expect(info.hints.map((h) => h.text)).toContain('Verbrauch wie im Vormonat');
    expect(info.comparisons.peers?.changePercent).toBe(-13.75);
    expect(info.tips).toEqual([]);
  });

  test('the series: 24 months ending with this one, and the comparable users’ line for the last 12', () => {
    const info = composeMonthlyInformation(input({ devices: [heatMeterWith(350, 280, 312)], peers: peersAveraging(300, 60) }));
    expect(info.series).toHaveLength(HISTORY_MONTHS);
    expect(info.series[0]).toEqual({ month: '2024-11', kwh: 250 });
    expect(info.series[HISTORY_MONTHS - 1]).toEqual({ month: MONTH, kwh: 312 });
    expect(info.peerSeries).toHaveLength(PEER_MONTHS);
    expect(info.peerSeries.every((p) => p.kwh === 300)).toBe(true);
  });

  describe('missing readings', () => {
    function withMissingEnd(meter: UnitDevice): UnitDevice {
      return { ...meter, readings: meter.readings.map((r, i) => (i === HISTORY_MONTHS ? null : r)) };
    }

    test('are replaced by the unit’s own value a year earlier, marked as a substitute', () => {
      const info = composeMonthlyInformation(
        input({ devices: [withMissingEnd(heatMeterWith(350, 280, 312))], peers: peersAveraging(300, 60) }),
      );
      expect(info.heatingKwh).toBe(350);
      expect(info.substitutes).toEqual([{ kind: 'heating', method: 'previous-year', kwh: 350 }]);
      expect(info.estimated).toBe(true);
      expect(info.devicesOk).toBe(false);
      expect(info.devices[0]).toMatchObject({ serial: 'WMZ-1', ok: false });
      expect(info.hints.map((h) => h.text)).toEqual(
        expect.arrayContaining([
          '1 Gerät hat im Monat keine vollständigen Funkwerte gesendet',
          'Verbrauch teilweise geschätzt (Ersatzwert)',
        ]),
      );
    });

    test('without a value a year earlier, by comparable units scaled to the unit’s area', () => {
      const meter = withMissingEnd(heatMeterWith(350, 280, 312));
      meter.readings = meter.readings.map((r, i) => (i === HISTORY_MONTHS - 12 ? null : r));
      const info = composeMonthlyInformation(input({ devices: [meter], peers: peersAveraging(300, 60) }));
      expect(info.substitutes).toEqual([{ kind: 'heating', method: 'comparable-units', kwh: 300 }]);
      expect(info.totalKwh).toBe(300);
    });

    test('without either, there is no figure and the information says so', () => {
      const silent: UnitDevice = { ...device('HKV', [10]), readings: Array(HISTORY_MONTHS + 1).fill(null) };
      const info = composeMonthlyInformation(input({ devices: [silent] }));
      expect(info.totalKwh).toBeNull();
      expect(info.substitutes).toEqual([]);
      expect(info.hints[0]).toMatchObject({ kind: 'no-data', tone: 'warning' });
    });
  });

  test('months before the tenancy are neither shown nor used (a previous tenant’s consumption)', () => {
    const info = composeMonthlyInformation(
      input({ devices: [heatMeterWith(350, 280, 312)], visibleFrom: '2026-04', peers: peersAveraging(300, 60) }),
    );
    expect(info.series.filter((p) => p.kwh !== null).map((p) => p.month)).toEqual(monthsEnding(MONTH, 7));
    expect(info.comparisons.previousYear).toBeNull();
    expect(info.comparisons.previousMonth?.kwh).toBe(280);
    expect(info.hints.map((h) => h.kind)).not.toContain('previous-year');
  });

  test('a device counts only for the months it was installed (an exchange)', () => {
    const monthly = Array.from({ length: HISTORY_MONTHS }, () => 100);
    const old = device('WMZ', monthly, { serial: 'WMZ-alt', inService: monthly.map((_, i) => i < 20) });
    const successor = device('WMZ', monthly, { serial: 'WMZ-neu', inService: monthly.map((_, i) => i >= 20) });
    const info = composeMonthlyInformation(input({ devices: [old, successor] }));
    expect(info.totalKwh).toBe(100);
    expect(info.series.every((p) => p.kwh === 100)).toBe(true);
    expect(info.devices.map((d) => d.serial)).toEqual(['WMZ-neu']);
  });

  test('devices that are not remotely readable are flagged', () => {
    const info = composeMonthlyInformation(
      input({ devices: [heatMeterWith(350, 280, 312), device('WZ-K', [3, 3], { remoteReadable: false, serial: 'WZ-K-1' })] }),
    );
    expect(info.remoteReadable).toBe(false);
    expect(info.hints.map((h) => h.text)).toContain('1 Gerät ist nicht fernablesbar');
  });
});

describe('comparable units', () => {
  const kinds = (heatingKwh: number | null, usesEstimate = false) => [
    { heatingKwh, hotWaterKwh: 0, heatingUnits: 0, heatingMeterKwh: heatingKwh, hotWaterM3: 0, incomplete: [], usesEstimate },
  ];
  const heated = [{ type: 'WMZ' as const }];

  test('measured units of the same size class, per m², scaled to the unit’s area', () => {
    const [month] = peerBaseline(
      [MONTH],
      [
        { areaM2: 55, devices: heated, kinds: kinds(550) },
        { areaM2: 65, devices: heated, kinds: kinds(650) },
        { areaM2: 60, devices: heated, kinds: kinds(900) },
        { areaM2: 60, devices: heated, kinds: kinds(null) }, // gap: not a comparable user
        { areaM2: 60, devices: heated, kinds: kinds(10, true) }, // estimate: neither
        { areaM2: 60, devices: [], kinds: kinds(0) }, // no devices: neither
        { areaM2: 100, devices: heated, kinds: kinds(100) },
      ],
    );
    expect(month!.classes[1]).toEqual({ units: 3, areaM2: 180, heatingKwh: 2100, hotWaterKwh: 0 });
    expect(peerAverageFor(60, month!)).toMatchObject({ totalKwh: 700, basis: 'class', units: 3 });
    // The 100 m² class has one unit: the whole property (4 units, 2 200 kWh on 280 m²) stands in.
    expect(peerAverageFor(100, month)).toMatchObject({ totalKwh: 785.71, basis: 'property', units: 4, classLabel: '90–110 m²' });
  });

  test('fewer than three measured units in the whole property: no comparison', () => {
    const [month] = peerBaseline(
      [MONTH],
      [
        { areaM2: 55, devices: heated, kinds: kinds(550) },
        { areaM2: 65, devices: heated, kinds: kinds(650) },
      ],
    );
    expect(peerAverageFor(60, month!)).toBeNull();
  });
});

describe('the average user of a small building (§6a, from a wider group)', () => {
  const smallHouse = peersAveraging(300, 60, 2);

  test('comes from the organisation’s units of the same size class, and names them', () => {
    const info = composeMonthlyInformation(
      input({ devices: [heatMeterWith(350, 280, 312)], peers: smallHouse, organisationPeers: peersAveraging(240, 60, 12) }),
    );
    expect(info.comparisons.peers).toEqual({
      kwh: 240,
      changePercent: 30,
      units: 12,
      basis: 'organisation',
      classLabel: '50–70 m²',
      groupLabel: 'Wohnungen 50–70 m² aller Liegenschaften der Verwaltung, 12 Wohnungen',
    });
    expect(info.peerSeries.every((p) => p.kwh === 240)).toBe(true);
  });

  test('without any group big enough: the documented reference value, with its source; never a substitute from it', () => {
    const info = composeMonthlyInformation(input({ devices: [heatMeterWith(350, 280, 312)], peers: smallHouse }));
    // October: 80 ‰ of 130 kWh/m² × 60 m² = 624 kWh heating; hot water 32 × 60 × 31/365 = 163.07 kWh.
    expect(info.comparisons.peers).toMatchObject({
      kwh: 787.07,
      units: 0,
      basis: 'reference',
      source: expect.stringContaining('130 kWh/m²'),
    });
    expect(info.comparisons.peers?.groupLabel).toBe('Referenzwert (zu wenige vergleichbare Wohnungen)');
    const missing = {
      ...heatMeterWith(350, 280, 312),
      readings: heatMeterWith(350, 280, 312).readings.map((r, i) => (i === HISTORY_MONTHS ? null : r)),
    };
    const withoutOwnYear = composeMonthlyInformation(input({ devices: [missing], peers: smallHouse, visibleFrom: MONTH }));
    expect(withoutOwnYear.substitutes).toEqual([]);
    expect(withoutOwnYear.totalKwh).toBeNull();
  });
});
