import { describe, expect, test } from 'vitest';
import {
  classifyDeadline,
  classifyRecipient,
  deviceDeadlineReport,
  mergeResolvedDeadlines,
  monthlyInformationDueOn,
  monthlyInformationReport,
  parseReportFilters,
  reportQuery,
  statementDeliveryReport,
  type DeviceDeadlineRow,
  type MonthlyUnitRow,
  type StatementRecipientRow,
} from './coverage-reports';
import { recalibratedOn, resolvedDeadline } from '../deadline-resolution';

const unit = (unitId: number, patch: Partial<MonthlyUnitRow>): MonthlyUnitRow => ({
  propertyId: 1,
  property: 'Parkring 3',
  unitId,
  unit: `Whg. ${unitId}`,
  delivery: 'portal',
  providedAt: '2026-11-05T05:10:00Z',
  openedAt: null,
  ...patch,
});

describe('§6a monthly information', () => {
  test('October is due by 5 November, December by 5 January', () => {
    expect(monthlyInformationDueOn('2026-10')).toBe('2026-11-05');
    expect(monthlyInformationDueOn('2026-12')).toBe('2027-01-05');
    expect(() => monthlyInformationDueOn('2026-13')).toThrow(/month/);
  });

  test('provided until the end of the 5th German time is on time, a minute later is late', () => {
    // 5 November 2026 ends at 23:00 UTC (CET).
    const report = monthlyInformationReport('2026-10', [
      unit(1, { providedAt: '2026-11-05T22:59:59Z', openedAt: '2026-11-06T08:00:00Z' }),
      unit(2, { providedAt: '2026-11-05T23:00:00Z' }),
    ]);
    expect(report.totals).toEqual({ units: 2, due: 2, informed: 2, onTime: 1, late: 1, opened: 1, missing: 0 });
    expect(report.properties[0]!.findings.map((f) => [f.unitId, f.outcome])).toEqual([[2, 'late']]);
  });

  test('a unit without information or without an account is missing and named; vacant and changed tenancies are not due', () => {
    const report = monthlyInformationReport('2026-10', [
      unit(1, {}),
      unit(2, { delivery: null, providedAt: null }),
      // Kept for the manager: published, but provided to no tenant.
      unit(3, { delivery: 'no-account', providedAt: '2026-11-05T05:10:00Z' }),
      unit(4, { delivery: 'vacant', providedAt: null }),
      unit(5, { delivery: 'tenant-change', providedAt: null }),
      unit(6, { propertyId: 2, property: 'Zweitstraße', providedAt: '2026-11-05T06:00:00Z' }),
    ]);
    expect(report.totals).toEqual({ units: 6, due: 4, informed: 2, onTime: 2, late: 0, opened: 0, missing: 2 });
    const [first, second] = report.properties;
    expect(first).toMatchObject({ units: 5, due: 3, informed: 1, missing: 2 });
    expect(first!.findings.map((f) => `${f.unit}: ${f.outcome} (${f.reason})`)).toEqual([
      'Whg. 2: missing (Keine Monatsinformation erstellt)',
      'Whg. 3: missing (Kein Portalzugang: andere Zustellung nötig)',
      'Whg. 4: not-due (Leerstand: niemand zu informieren)',
      expect.stringMatching(/^Whg\. 5: not-due \(Nutzerwechsel/),
    ]);
    expect(first!.findings[1]!.providedAt).toBeNull();
    expect(second).toMatchObject({ property: 'Zweitstraße', units: 1, due: 1, onTime: 1, findings: [] });
  });
});

const recipient = (patch: Partial<StatementRecipientRow>): StatementRecipientRow => ({
  propertyId: 1,
  property: 'Parkring 3',
  statementId: 7,
  documentNumber: 'DOC-2026-00007',
  version: 1,
  periodEnd: '2025-12-31',
  unit: 'Whg. 1',
  tenant: 'Anna Neumieter',
  channel: 'post',
  receivedOn: '2026-12-31',
  deliveryDeadline: '2026-12-31',
  ...patch,
});

describe('BGB §556(3) statement delivery', () => {
  test('received on the deadline is in time, a day later is late; undelivered is open until the deadline, then overdue', () => {
    expect(classifyRecipient(recipient({}), '2027-02-01')).toMatchObject({ outcome: 'in-time', daysLate: 0 });
    expect(classifyRecipient(recipient({ receivedOn: '2027-01-04' }), '2027-02-01')).toMatchObject({ outcome: 'late', daysLate: 4 });
    expect(classifyRecipient(recipient({ receivedOn: null, channel: null }), '2026-12-31')).toMatchObject({ outcome: 'open', daysLate: 0 });
    expect(classifyRecipient(recipient({ receivedOn: null, channel: null }), '2027-01-02')).toMatchObject({
      outcome: 'overdue',
      daysLate: 2,
    });
  });

  test('counts per property and names every recipient not received in time', () => {
    const report = statementDeliveryReport(
      2025,
      [
        recipient({ tenant: 'A' }),
        recipient({ tenant: 'B', receivedOn: '2027-01-04' }),
        recipient({ tenant: 'C', propertyId: 2, property: 'Zweitstraße', receivedOn: null, channel: null }),
      ],
      '2027-01-10',
    );
    expect(report.totals).toEqual({ recipients: 3, inTime: 1, late: 1, overdue: 1, open: 0 });
    expect(report.properties.map((p) => [p.property, p.findings.map((f) => `${f.tenant} ${f.outcome} ${f.daysLate}`)])).toEqual([
      ['Parkring 3', ['B late 4']],
      ['Zweitstraße', ['C overdue 10']],
    ]);
  });
});

const deadline = (patch: Partial<DeviceDeadlineRow>): DeviceDeadlineRow => ({
  deviceId: 1,
  type: 'WZ-W',
  serial: 'WZ-1',
  property: 'Parkring 3',
  unit: 'Whg. 1',
  kind: 'calibration',
  dueAt: '2026-12-31',
  resolvedOn: null,
  resolvedBy: null,
  ...patch,
});

describe('device deadlines per type', () => {
  test('replaced on the due day is met, a day later resolved late; unresolved is pending until the day, then missed', () => {
    expect(classifyDeadline(deadline({ resolvedOn: '2026-12-31', resolvedBy: 'replaced' }), '2027-03-01').outcome).toBe('met');
    expect(classifyDeadline(deadline({ resolvedOn: '2027-01-15', resolvedBy: 'replaced' }), '2027-03-01')).toMatchObject({
      outcome: 'resolved-late',
      daysLate: 15,
    });
    expect(classifyDeadline(deadline({}), '2026-12-31').outcome).toBe('pending');
    expect(classifyDeadline(deadline({}), '2027-01-01')).toMatchObject({ outcome: 'missed', daysLate: 1 });
  });

  test('counts per type in a fixed order and names the missed and late ones', () => {
    const report = deviceDeadlineReport(
      2026,
      [
        deadline({ deviceId: 1, type: 'RWM', kind: 'inspection', dueAt: '2026-03-01' }),
        deadline({ deviceId: 2, type: 'HKV', kind: 'replacement', dueAt: '2026-05-01', resolvedOn: '2026-04-01', resolvedBy: 'replaced' }),
        deadline({ deviceId: 3, type: 'HKV', kind: 'replacement', dueAt: '2026-05-01', resolvedOn: '2026-06-01', resolvedBy: 'replaced' }),
        deadline({ deviceId: 4, type: 'WZ-W' }),
      ],
      '2026-11-30',
    );
    expect(report.types.map((t) => [t.type, t.deadlines, t.met, t.resolvedLate, t.missed, t.pending])).toEqual([
      ['HKV', 2, 1, 1, 0, 0],
      ['WZ-W', 1, 0, 0, 0, 1],
      ['RWM', 1, 0, 0, 1, 0],
    ]);
    expect(report.totals).toEqual({ deadlines: 4, met: 1, resolvedLate: 1, missed: 1, pending: 1 });
    expect(report.findings.map((f) => `${f.deviceId} ${f.outcome}`)).toEqual(['1 missed', '3 resolved-late']);
  });
});

describe('deadlines resolved by recorded work', () => {
  test('a recalibration after the old due date counts as resolved late, on it as met', () => {
    const report = deviceDeadlineReport(
      2025,
      [
        deadline({ deviceId: 5, dueAt: '2025-12-31', resolvedOn: '2026-01-20', resolvedBy: 'recalibrated' }),
        deadline({ deviceId: 6, dueAt: '2025-12-31', resolvedOn: '2025-12-31', resolvedBy: 'recalibrated' }),
      ],
      '2026-03-01',
    );
    expect(report.totals).toEqual({ deadlines: 2, met: 1, resolvedLate: 1, missed: 0, pending: 0 });
    expect(report.findings).toMatchObject([{ deviceId: 5, outcome: 'resolved-late', daysLate: 20, resolvedBy: 'recalibrated' }]);
  });

  test('the register’s row of a deadline already resolved is dropped, so each deadline counts once', () => {
    const resolved = deadline({ deviceId: 5, dueAt: '2025-12-31', resolvedOn: '2026-01-20', resolvedBy: 'recalibrated' });
    // The workflow has not moved devices.due_at yet: the register still shows the old deadline, open.
    const stale = deadline({ deviceId: 5, dueAt: '2025-12-31' });
    const other = deadline({ deviceId: 7, dueAt: '2025-06-30', serial: 'WZ-0' });
    expect(mergeResolvedDeadlines([stale, other], [resolved])).toEqual([other, resolved]);
    // A replaced device's last deadline as recorded at its exchange wins over the register's.
    const exchanged = deadline({ deviceId: 8, dueAt: '2025-05-01', resolvedOn: '2025-04-01', resolvedBy: 'replaced' });
    const registerOfReplaced = deadline({ deviceId: 8, dueAt: '2025-05-02', resolvedOn: '2025-04-01', resolvedBy: 'replaced' });
    expect(mergeResolvedDeadlines([registerOfReplaced], [exchanged])).toEqual([exchanged]);
  });

  test('work resolves the old deadline only when it moves it later; a replacement always resolves it', () => {
    const meter = { type: 'WZ-W' as const, installedAt: '2019-03-01', calibratedYear: 2019 };
    expect(resolvedDeadline(meter, { ...meter, calibratedYear: 2026 })).toEqual({ kind: 'calibration', dueAt: '2025-12-31' });
    expect(resolvedDeadline(meter, { ...meter, calibratedYear: 2019 })).toBeNull();
    expect(resolvedDeadline(meter, 'replaced')).toEqual({ kind: 'calibration', dueAt: '2025-12-31' });
  });

  test('a recalibration counts on the day it was recorded, at the latest on the last day of its year', () => {
    expect(recalibratedOn(2026, '2026-01-20')).toBe('2026-01-20');
    expect(recalibratedOn(2025, '2026-01-20')).toBe('2025-12-31');
  });
});

describe('filters', () => {
  test('defaults from today: last month, last billing year, this deadline year', () => {
    const none = new URLSearchParams();
    expect(parseReportFilters(none, 'monatsinformation', '2026-01-03').filters).toEqual({ propertyId: null, month: '2025-12', year: 2025 });
    expect(parseReportFilters(none, 'fristen', '2026-01-03').filters.year).toBe(2026);
  });

  test('bad input names its field and keeps the default', () => {
    const parsed = parseReportFilters(new URLSearchParams('property=x&month=2026-13&year=99'), 'abrechnungen', '2026-11-30');
    expect(Object.keys(parsed.errors).sort()).toEqual(['month', 'propertyId', 'year']);
    expect(parsed.errors.year).toMatch(/^Jahr:/);
    expect(parsed.filters).toEqual({ propertyId: null, month: '2026-10', year: 2025 });
  });

  test('the query string round-trips', () => {
    const filters = { propertyId: 4, month: '2026-10', year: 2025 };
    expect(
      parseReportFilters(new URLSearchParams(reportQuery('monatsinformation', filters)), 'monatsinformation', '2026-11-30').filters,
    ).toEqual({
      ...filters,
      year: 2025,
    });
    expect(reportQuery('fristen', filters)).toBe('property=4&year=2025');
  });
});
