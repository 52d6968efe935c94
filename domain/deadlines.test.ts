import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMINDER_DAYS,
  DEVICE_TYPES,
  ValidationError,
  calibrationValidUntil,
  calibrationValidity,
  deadlineOf,
  exceedsLegionellaActionValue,
  legionellaDueAt,
  requiresLegionellaSampling,
  lightAt,
  lightForDue,
  parseDevice,
  parseDeviceFacts,
  reminderDates,
  type DeviceFacts,
} from './deadlines';
import { percentChange } from './monthly';
import { checkDelivery, claimableBalanceCents, deliveredInTime, deliveryDeadline, objectionDeadline } from './statement-deadlines';
import { ValidationError as SharedValidationError } from './validation';

describe('deadlineOf: calibration (MessEV)', () => {
  it('ends on 31 December of the year it expires: calibrated 2021 → 2027-12-31 (docs/rules.md §3)', () => {
    expect(deadlineOf({ type: 'WZ-K', installedAt: '2021-06-01', calibratedYear: 2021 })).toEqual({
      kind: 'calibration',
      dueAt: '2027-12-31',
    });
  });

  it.each([
    ['WZ-K', '2027-12-31'],
    ['WZ-W', '2027-12-31'], // 6 years since the 2021 amendment, not 5
    ['WMZ', '2027-12-31'],
    ['GZ', '2029-12-31'],
  ] as const)('%s calibrated 2021 → %s', (type, dueAt) => {
    expect(deadlineOf({ type, installedAt: '2022-03-15', calibratedYear: 2021 })).toEqual({ kind: 'calibration', dueAt });
  });

  it('takes the year of installation when calibratedYear is absent or null', () => {
    expect(deadlineOf({ type: 'WMZ', installedAt: '2021-01-01' }).dueAt).toBe('2027-12-31');
    expect(deadlineOf({ type: 'GZ', installedAt: '2021-12-31', calibratedYear: null }).dueAt).toBe('2029-12-31');
  });

  it('does not depend on the day of installation within the year', () => {
    expect(deadlineOf({ type: 'WZ-W', installedAt: '2021-01-01' })).toEqual(deadlineOf({ type: 'WZ-W', installedAt: '2021-12-31' }));
  });
});

describe('calibration validity counts from the year of calibration (MessEV §34(2))', () => {
  it('marked 2020, installed 2021 → valid until 31.12.2026, not 2027', () => {
    expect(calibrationValidUntil('WZ-K', 2020)).toBe('2026-12-31');
    expect(deadlineOf({ type: 'WZ-K', installedAt: '2021-03-01', calibratedYear: 2020 }).dueAt).toBe('2026-12-31');
    expect(calibrationValidity('WZ-K', 2020, '2021-03-01')).toEqual({ yearKnown: true, calibratedYear: 2020, validUntil: '2026-12-31' });
  });

  it('gas meters 8 years, hot-water meters 6 (since the 2021 amendment)', () => {
    expect(calibrationValidUntil('GZ', 2021)).toBe('2029-12-31');
    expect(calibrationValidUntil('WZ-W', 2021)).toBe('2027-12-31');
  });

  it('an unknown year gives no deadline, only the latest possible one (calibrated no later than installed)', () => {
    expect(calibrationValidity('WMZ', null, '2021-03-01')).toEqual({
      yearKnown: false,
      calibratedYear: null,
      validUntil: null,
      validUntilAtTheLatest: '2027-12-31',
    });
    expect(calibrationValidity('WMZ', undefined, '2021-03-01').yearKnown).toBe(false);
  });
});

describe('legionella (TrinkwV §31)', () => {
  it('is due 3 years after the last sampling: 14.06.2023 → 14.06.2026', () => {
    expect(legionellaDueAt('2023-06-14')).toBe('2026-06-14');
    expect(legionellaDueAt('2024-02-29')).toBe('2027-02-28');
  });

  it('applies to large systems (storage over 400 l or over 3 l of pipe) in rented buildings with showers', () => {
    expect(requiresLegionellaSampling({ storageLitres: 401, pipeLitres: 0, rentedWithShowers: true })).toBe(true);
    expect(requiresLegionellaSampling({ storageLitres: 400, pipeLitres: 3, rentedWithShowers: true })).toBe(false);
    expect(requiresLegionellaSampling({ storageLitres: 0, pipeLitres: 3.1, rentedWithShowers: true })).toBe(true);
    expect(requiresLegionellaSampling({ storageLitres: 1000, pipeLitres: 10, rentedWithShowers: false })).toBe(false);
  });

  it('a finding above 100 CFU/100 ml exceeds the technical action value', () => {
    expect(exceedsLegionellaActionValue(100)).toBe(false);
    expect(exceedsLegionellaActionValue(101)).toBe(true);
  });
});

describe('deadlineOf: heat cost allocator (HKV)', () => {
  it('is replaced 10 years after installation, on the exact day', () => {
    expect(deadlineOf({ type: 'HKV', installedAt: '2016-05-12' })).toEqual({ kind: 'replacement', dueAt: '2026-05-12' });
  });

  it('takes a per-model lifetime', () => {
    expect(deadlineOf({ type: 'HKV', installedAt: '2016-05-12', hkvLifetimeYears: 12 }).dueAt).toBe('2028-05-12');
  });

  it('clamps 29 February to 28 February', () => {
    expect(deadlineOf({ type: 'HKV', installedAt: '2016-02-29' }).dueAt).toBe('2026-02-28');
  });

  it('ignores calibratedYear: allocators are not calibrated', () => {
    expect(deadlineOf({ type: 'HKV', installedAt: '2016-05-12', calibratedYear: 2010 }).dueAt).toBe('2026-05-12');
  });
});

describe('deadlineOf: smoke alarm (RWM, DIN 14676)', () => {
  it('commissioned 10.03.2016 → replace by 10.09.2026 (docs/rules.md §3)', () => {
    expect(deadlineOf({ type: 'RWM', installedAt: '2016-03-10', lastInspectionAt: '2026-03-01' })).toEqual({
      kind: 'replacement',
      dueAt: '2026-09-10',
    });
  });

  it('is inspected at the latest 15 months after the last inspection', () => {
    expect(deadlineOf({ type: 'RWM', installedAt: '2020-01-15', lastInspectionAt: '2025-08-20' })).toEqual({
      kind: 'inspection',
      dueAt: '2026-11-20',
    });
  });

  it('counts the first inspection from commissioning', () => {
    expect(deadlineOf({ type: 'RWM', installedAt: '2025-01-15' })).toEqual({ kind: 'inspection', dueAt: '2026-04-15' });
    expect(deadlineOf({ type: 'RWM', installedAt: '2025-01-15', lastInspectionAt: null }).dueAt).toBe('2026-04-15');
  });

  it('clamps month arithmetic to the month end: 2016-11-30 + 15 months → 2018-02-28', () => {
    expect(deadlineOf({ type: 'RWM', installedAt: '2016-11-30' })).toEqual({ kind: 'inspection', dueAt: '2018-02-28' });
  });

  it('adds 10 years + 6 months in one step, clamping once', () => {
    expect(deadlineOf({ type: 'RWM', installedAt: '2016-02-29', lastInspectionAt: '2026-01-01' }).dueAt).toBe('2026-08-29');
  });

  it('picks the replacement on a tie', () => {
    // installed 2016-03-10 → replacement 2026-09-10; inspected 2025-06-10 → inspection 2026-09-10
    expect(deadlineOf({ type: 'RWM', installedAt: '2016-03-10', lastInspectionAt: '2025-06-10' })).toEqual({
      kind: 'replacement',
      dueAt: '2026-09-10',
    });
    expect(deadlineOf({ type: 'RWM', installedAt: '2016-03-10', lastInspectionAt: '2025-06-09' })).toEqual({
      kind: 'inspection',
      dueAt: '2026-09-09',
    });
  });
});

describe('lightForDue: the traffic light as of D', () => {
  const asOf = '2026-11-26';

  it.each([
    ['2026-11-25', 'red'], // expired
    ['2026-11-26', 'red'], // deadline = D counts as expired
    ['2026-11-27', 'yellow'],
    ['2027-02-26', 'yellow'], // exactly D + 3 calendar months
    ['2027-02-27', 'green'],
    ['2027-12-31', 'green'],
  ] as const)('due %s → %s', (dueAt, light) => {
    expect(lightForDue(dueAt, asOf)).toBe(light);
  });

  it('uses calendar months, clamped: D = 2026-11-30 → yellow up to 2027-02-28', () => {
    expect(lightForDue('2027-02-28', '2026-11-30')).toBe('yellow');
    expect(lightForDue('2027-03-01', '2026-11-30')).toBe('green');
  });

  describe('battery and reception', () => {
    const green = '2027-12-31';
    const yellow = '2027-01-15';
    const red = '2026-11-01';

    it('battery ≤ 25 % makes a green device yellow; 26 % does not', () => {
      expect(lightForDue(green, asOf, { batteryPercent: 25 })).toBe('yellow');
      expect(lightForDue(green, asOf, { batteryPercent: 1 })).toBe('yellow');
      expect(lightForDue(green, asOf, { batteryPercent: 26 })).toBe('green');
    });

    it('a low battery never improves a light', () => {
      expect(lightForDue(yellow, asOf, { batteryPercent: 25 })).toBe('yellow');
      expect(lightForDue(red, asOf, { batteryPercent: 25 })).toBe('red');
    });

    it('a flat battery (0 %) is red', () => {
      expect(lightForDue(green, asOf, { batteryPercent: 0 })).toBe('red');
      expect(lightForDue(yellow, asOf, { batteryPercent: 0 })).toBe('red');
    });

    it('no reading for more than 30 days is red; exactly 30 days is not', () => {
      expect(lightForDue(green, asOf, { lastReadingAt: '2026-10-27' })).toBe('green'); // 30 days
      expect(lightForDue(green, asOf, { lastReadingAt: '2026-10-26' })).toBe('red'); // 31 days
      expect(lightForDue(yellow, asOf, { lastReadingAt: '2026-10-27', batteryPercent: 80 })).toBe('yellow');
    });

    it('absent or null health facts change nothing', () => {
      expect(lightForDue(green, asOf, { batteryPercent: null, lastReadingAt: null })).toBe('green');
      expect(lightForDue(green, asOf, {})).toBe('green');
    });
  });
});

describe('lightAt', () => {
  const meter: DeviceFacts = {
    type: 'WZ-K',
    installedAt: '2021-06-01',
    calibratedYear: 2021,
    batteryPercent: 78,
    lastReadingAt: '2026-11-20',
  };

  it('combines the deadline with the device health (docs/rules.md §4 example)', () => {
    expect(lightAt(meter, '2026-11-26')).toBe('green');
    expect(lightAt({ ...meter, lastReadingAt: '2027-09-30' }, '2027-09-30')).toBe('green'); // D + 3 months = 2027-12-30
    expect(lightAt({ ...meter, lastReadingAt: '2027-10-01' }, '2027-10-01')).toBe('yellow');
    expect(lightAt(meter, '2027-10-01')).toBe('red'); // silent since 2026-11-20
    expect(lightAt({ ...meter, lastReadingAt: '2027-12-31' }, '2027-12-31')).toBe('red');
    expect(lightAt({ ...meter, batteryPercent: 20 }, '2026-11-26')).toBe('yellow');
  });

  it('reports an expired smoke alarm red', () => {
    expect(lightAt({ type: 'RWM', installedAt: '2016-03-10', lastInspectionAt: '2026-03-01' }, '2026-09-10')).toBe('red');
    expect(lightAt({ type: 'RWM', installedAt: '2016-03-10', lastInspectionAt: '2026-03-01' }, '2026-09-09')).toBe('yellow');
  });
});

describe('reminderDates', () => {
  it('lists the days 90, 30 and 7 before the deadline, ascending', () => {
    expect(DEFAULT_REMINDER_DAYS).toEqual([90, 30, 7]);
    expect(reminderDates('2027-12-31', DEFAULT_REMINDER_DAYS)).toEqual(['2027-10-02', '2027-12-01', '2027-12-24']);
  });

  it('sorts, de-duplicates and skips lead days that are not before the deadline', () => {
    expect(reminderDates('2026-03-01', [1, 0, -5, 28, 1])).toEqual(['2026-02-01', '2026-02-28']);
    expect(reminderDates('2026-03-01', [])).toEqual([]);
  });
});

describe('parseDeviceFacts', () => {
  it('returns the facts of a valid record and ignores unknown keys', () => {
    const facts = parseDeviceFacts({
      id: 'ignored here',
      model: 'X-1',
      type: 'RWM',
      installedAt: '2016-03-10',
      lastInspectionAt: '2025-06-01',
      batteryPercent: 55.5,
      lastReadingAt: null,
    });
    expect(facts).toEqual({ type: 'RWM', installedAt: '2016-03-10', lastInspectionAt: '2025-06-01', batteryPercent: 55.5 });
  });

  it('accepts the boundaries 0 and 100 % and a per-model HKV lifetime', () => {
    expect(parseDeviceFacts({ type: 'HKV', installedAt: '2020-01-01', batteryPercent: 0, hkvLifetimeYears: 12 })).toMatchObject({
      batteryPercent: 0,
      hkvLifetimeYears: 12,
    });
    expect(parseDeviceFacts({ type: 'HKV', installedAt: '2020-01-01', batteryPercent: 100 }).batteryPercent).toBe(100);
  });

  it.each([
    [null, '[2]: expected a device object, got null'],
    [['HKV'], '[2]: expected a device object, got ["HKV"]'],
    [{ installedAt: '2020-01-01' }, '[2].type: missing (expected HKV, WZ-K, WZ-W, WMZ, GZ, RWM)'],
    [{ type: 'XY', installedAt: '2020-01-01' }, '[2].type: unknown device type "XY" (expected HKV, WZ-K, WZ-W, WMZ, GZ, RWM)'],
    [{ type: 'hkv', installedAt: '2020-01-01' }, '[2].type: unknown device type "hkv" (expected HKV, WZ-K, WZ-W, WMZ, GZ, RWM)'],
    [{ type: 'HKV' }, '[2].installedAt: missing (expected a date YYYY-MM-DD)'],
    [{ type: 'HKV', installedAt: '2025-02-30' }, '[2].installedAt: expected a date YYYY-MM-DD, got "2025-02-30"'],
    [{ type: 'HKV', installedAt: 20250101 }, '[2].installedAt: expected a date YYYY-MM-DD, got 20250101'],
    [
      { type: 'GZ', installedAt: '2020-01-01', calibratedYear: 2020.5 },
      '[2].calibratedYear: expected an integer year from 1 to 9999, got 2020.5',
    ],
    [
      { type: 'GZ', installedAt: '2020-01-01', calibratedYear: Infinity },
      '[2].calibratedYear: expected an integer year from 1 to 9999, got Infinity (not a finite number)',
    ],
    [
      { type: 'GZ', installedAt: '2020-01-01', calibratedYear: '2020' },
      '[2].calibratedYear: expected an integer year from 1 to 9999, got "2020"',
    ],
    [
      { type: 'RWM', installedAt: '2020-01-01', lastInspectionAt: '2020-13-01' },
      '[2].lastInspectionAt: expected a date YYYY-MM-DD, got "2020-13-01"',
    ],
    [{ type: 'RWM', installedAt: '2020-01-01', batteryPercent: 101 }, '[2].batteryPercent: expected a number from 0 to 100, got 101'],
    [{ type: 'RWM', installedAt: '2020-01-01', batteryPercent: -1 }, '[2].batteryPercent: expected a number from 0 to 100, got -1'],
    [{ type: 'RWM', installedAt: '2020-01-01', batteryPercent: '50' }, '[2].batteryPercent: expected a number from 0 to 100, got "50"'],
    [
      { type: 'WMZ', installedAt: '2020-01-01', lastReadingAt: 'yesterday' },
      '[2].lastReadingAt: expected a date YYYY-MM-DD, got "yesterday"',
    ],
    [
      { type: 'HKV', installedAt: '2020-01-01', hkvLifetimeYears: 0 },
      '[2].hkvLifetimeYears: expected a positive integer number of years, got 0',
    ],
  ])('rejects %j', (input, message) => {
    const error = catchError(() => parseDeviceFacts(input, '[2]'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(message);
    expect((error as ValidationError).field).toBe(message.slice(0, message.indexOf(':')));
  });

  it('names fields without a prefix when no path is given', () => {
    expect(() => parseDeviceFacts({ type: 'HKV' })).toThrow('installedAt: missing (expected a date YYYY-MM-DD)');
    expect(() => parseDeviceFacts('HKV')).toThrow('device: expected a device object, got "HKV"');
  });

  it('shortens long values in messages', () => {
    const error = catchError(() => parseDeviceFacts({ type: 'x'.repeat(100), installedAt: '2020-01-01' }));
    expect(error.message.length).toBeLessThan(120);
  });

  it('re-exports the shared ValidationError', () => {
    expect(ValidationError).toBe(SharedValidationError);
    const error = new ValidationError('[0].id', 'missing');
    expect(error.message).toBe('[0].id: missing');
    expect(error.field).toBe('[0].id');
    expect(error).toBeInstanceOf(Error);
  });
});

describe('parseDevice', () => {
  it('returns the id and the facts', () => {
    expect(parseDevice({ id: 'WZ-1', type: 'GZ', installedAt: '2020-01-01' }, '[0]')).toMatchObject({
      id: 'WZ-1',
      facts: { type: 'GZ', installedAt: '2020-01-01' },
    });
  });

  it.each([
    [{ type: 'GZ', installedAt: '2020-01-01' }, '[0].id: missing (expected a non-empty string)'],
    [{ id: '  ', type: 'GZ', installedAt: '2020-01-01' }, '[0].id: expected a non-empty string, got "  "'],
    [{ id: 7, type: 'GZ', installedAt: '2020-01-01' }, '[0].id: expected a non-empty string, got 7'],
  ])('rejects %j', (input, message) => {
    expect(() => parseDevice(input, '[0]')).toThrow(message);
  });
});

describe('DEVICE_TYPES', () => {
  it('lists every type once and each has a deadline', () => {
    expect(DEVICE_TYPES).toEqual(['HKV', 'WZ-K', 'WZ-W', 'WMZ', 'GZ', 'RWM']);
    for (const type of DEVICE_TYPES) expect(deadlineOf({ type, installedAt: '2020-06-15' }).dueAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('statement deadlines (BGB §556)', () => {
  it('delivery: within 12 months after the period: period 2025 → 2026-12-31', () => {
    expect(deliveryDeadline('2025-12-31')).toBe('2026-12-31');
    expect(deliveryDeadline('2025-06-30')).toBe('2026-06-30');
    expect(deliveryDeadline('2024-02-29')).toBe('2025-02-28');
  });

  it('delivery: the same calendar day 12 months later (§188(2)), the month’s last day when shorter (§188(3))', () => {
    expect(deliveryDeadline('2025-04-15')).toBe('2026-04-15'); // not the end of April
    expect(deliveryDeadline('2025-05-31')).toBe('2026-05-31');
    expect(deliveryDeadline('2023-02-28')).toBe('2024-02-28'); // not the 29th of the leap year
    expect(deliveryDeadline('2025-09-30')).toBe('2026-09-30');
  });

  it('delivery is judged by receipt, per recipient: dispatched in time but received late misses it', () => {
    expect(checkDelivery('2025-12-31', '2026-12-31')).toEqual({
      deadline: '2026-12-31',
      receivedAt: '2026-12-31',
      inTime: true,
      daysLate: 0,
    });
    expect(checkDelivery('2025-12-31', '2027-01-02')).toEqual({
      deadline: '2026-12-31',
      receivedAt: '2027-01-02',
      inTime: false,
      daysLate: 2,
    });
    expect(deliveredInTime('2025-04-15', '2026-04-15')).toBe(true);
    expect(deliveredInTime('2025-04-15', '2026-04-16')).toBe(false);
    // Two tenants of one statement: each one's receipt counts for that tenant alone.
    expect(['2026-12-30', '2027-01-04'].map((receivedAt) => deliveredInTime('2025-12-31', receivedAt))).toEqual([true, false]);
  });

  it('after a late delivery a back payment is lost, a credit stays owed (unless the delay was not the landlord’s fault)', () => {
    expect(claimableBalanceCents(12_345, true)).toBe(12_345);
    expect(claimableBalanceCents(12_345, false)).toBe(0);
    expect(claimableBalanceCents(-4_200, false)).toBe(-4_200);
    expect(claimableBalanceCents(12_345, false, true)).toBe(12_345);
  });

  it('objection: end of the 12th month after receipt by default: 2025-12-20 → 2026-12-31', () => {
    expect(objectionDeadline('2025-12-20')).toBe('2026-12-31');
    expect(objectionDeadline('2025-12-20', 'end-of-month')).toBe('2026-12-31');
  });

  it('objection: the exact day 12 months later when configured', () => {
    expect(objectionDeadline('2025-12-20', 'exact-day')).toBe('2026-12-20');
    expect(objectionDeadline('2024-02-29', 'exact-day')).toBe('2025-02-28');
  });
});

describe('monthly information (§6a): percentChange', () => {
  it.each([
    [312, 280, 11.43],
    [312, 350, -10.86],
    [312, 300, 4],
    [300, 300, 0],
    [0, 300, -100],
  ])('%d against %d → %d %', (current, reference, expected) => {
    expect(percentChange(current, reference)).toBe(expected);
  });

  it('rounds half away from zero without binary noise', () => {
    expect(percentChange(20_001, 20_000)).toBe(0.01); // +0.005 %: exactly half a hundredth
    expect(percentChange(19_999, 20_000)).toBe(-0.01);
    expect(percentChange(20_201, 20_000)).toBe(1.01); // 1.005 * 100 is 100.49999999999999 in binary
    expect(percentChange(17_531, 20_000)).toBe(-12.35); // Math.round alone would give -12.34
    expect(Object.is(percentChange(100.001, 100), 0)).toBe(true); // no -0 either way
    expect(Object.is(percentChange(99.999, 100), 0)).toBe(true);
  });

  it('has no percentage against 0', () => {
    expect(() => percentChange(5, 0)).toThrow(RangeError);
    expect(() => percentChange(Number.NaN, 5)).toThrow(RangeError);
  });
});

function catchError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}
