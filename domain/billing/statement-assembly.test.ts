// The statement assembly on the integer engine (whose input check takes the assembly's own
// occupancies as built) against the same assembly on the rational reference engine with the full
// input check: the same statement and input, for houses with changes of tenant, missing readings
// and vacancies.
import { describe, expect, it } from 'vitest';
import { EXAMPLE_PERIOD, exampleStatementRequest } from './example-request';
import { computeAssembledBilling, computeBilling } from './engine';
import { computeBillingRational } from './rational-engine';
import { assembleStatement, type BillingFacts, type DeviceFacts, type UnitFacts } from './statement';

const point = (day: string, value: number) => ({ day, at: Date.parse(`${day}T04:00:00Z`), value, setDateValue: null });

function house(size: number): BillingFacts {
  let deviceId = 0;
  const units: UnitFacts[] = Array.from({ length: size }, (_, i) => {
    const change = i % 3 === 1 ? '2025-05-10' : null;
    const device = (type: DeviceFacts['type'], start: number, used: number): DeviceFacts => ({
      id: ++deviceId,
      serial: `${type}-${deviceId}`,
      type,
      location: null,
      installedAt: '2020-01-01',
      remoteReadable: i % 4 !== 2,
      readings: [
        point(EXAMPLE_PERIOD.start, start),
        ...(change && i % 6 !== 4 ? [point(change, start + Math.round(used * 0.4 * 1000) / 1000)] : []),
        ...(i % 5 === 3 && type === 'HKV' ? [] : [point('2026-01-01', start + used)]),
      ],
    });
    return {
      id: i + 1,
      label: `Whg. ${i + 1}`,
      floor: null,
      areaM2: 40 + ((i * 7) % 50) + (i % 2) * 0.5,
      devices: [
        device('HKV', 100 * i, 300 + 37 * i),
        device('HKV', 7 * i, 120 + i),
        device('WZ-W', 1.5 * i, 2.125 + (i % 7)),
        device('WZ-K', i, 20.25 + 2 * i),
      ],
      tenancies: change
        ? [
            { id: 100 + i, tenantName: `A${i}`, startsOn: '2015-01-01', endsOn: '2025-05-09' },
            ...(i % 9 === 7 ? [] : [{ id: 200 + i, tenantName: `B${i}`, startsOn: change, endsOn: null }]),
          ]
        : [{ id: 100 + i, tenantName: `A${i}`, startsOn: '2015-01-01', endsOn: null }],
    };
  });
  return {
    organisationName: 'Test',
    property: { id: 1, organisationId: 1, name: 'H', street: 'H 1', postalCode: '10115', city: 'Berlin', federalState: 'BE' },
    period: { ...EXAMPLE_PERIOD },
    units,
  };
}

describe('assembleStatement', () => {
  it.each([1, 6, 40])('gives the same statement on the integer and on the rational engine (%i units)', (size) => {
    const facts = house(size);
    const request = exampleStatementRequest(1);
    const integer = assembleStatement(facts, request);
    const rational = assembleStatement(facts, request, computeBillingRational);
    expect(integer).toEqual(rational);
    expect(integer.input.units.some((unit) => unit.occupancies.length > 0)).toBe(size > 1);
    // The assembly's own check of its input bills exactly as the full one.
    expect(computeAssembledBilling(integer.input)).toEqual(computeBilling(integer.input));
  });
});
