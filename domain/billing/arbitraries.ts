// Generated billing input for the property tests (test support, not used by production code):
// buildings with and without cost-type sections, agreed shares, combined plants of every kind,
// tenant changes with and without intermediate readings, per-cost-type cuts and CO₂ periods.
import fc from 'fast-check';
import { addDays } from '../dates';
import { overlappingCut } from './cuts';
import { COST_TYPES, CUT_INPUTS, type CostType, type CutInput } from './types';

export type RawInput = Record<string, unknown>;

const euros = (max: number) => fc.integer({ min: 0, max }).map((value) => value / 100);

/** Readings as meters print them (a few decimals), now and then any double at all. */
const reading = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map((value) => value / 10) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 10_000_000 }).map((value) => value / 1000) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
);
const area = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((value) => value / 100) },
  { weight: 1, arbitrary: fc.double({ min: 0.001, max: 500, noNaN: true, noDefaultInfinity: true }) },
);
const readings = fc.record({ heating: reading, hotWater: reading, coldWater: reading });

/** Cuts as a unit may list them: no cost type cut twice for the same reason. */
const cuts = fc.subarray([...CUT_INPUTS]).filter((list: CutInput[]) => overlappingCut(list) === null);

function hkvoShare() {
  return fc.oneof(
    fc.integer({ min: 500, max: 700 }).map((value) => ({ consumptionShare: value / 1000 })),
    fc.integer({ min: 50, max: 100 }).map((value) => ({ consumptionShare: value / 100, agreed: true })),
  );
}

/**
 * A unit whose occupancies (possibly none) split `days` days and whose readings are their sum;
 * some cost types without intermediate readings (§9b(3)).
 */
function unitArbitrary(start: string, days: number) {
  return fc
    .record({
      area,
      estimated: fc.subarray([...COST_TYPES]),
      cuts,
      boundaries: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, days - 1) }), { maxLength: Math.min(4, days - 1) }),
      occupancyReadings: fc.array(readings, { minLength: 5, maxLength: 5 }),
      ownReadings: readings,
      hasOccupancies: fc.boolean(),
      withoutReadings: fc.subarray([...COST_TYPES]),
    })
    .map(({ area, estimated, cuts, boundaries, occupancyReadings, ownReadings, hasOccupancies, withoutReadings }) => {
      if (!hasOccupancies) return { area, estimated, cuts, ...ownReadings };
      const starts = [0, ...boundaries.sort((a, b) => a - b)];
      const used = occupancyReadings.slice(0, starts.length);
      const occupancies = starts.map((offset, index) => {
        const occupancy: RawInput = {
          id: `O${index}`,
          from: addDays(start, offset),
          to: addDays(start, (starts[index + 1] ?? days) - 1),
        };
        for (const type of COST_TYPES) if (!withoutReadings.includes(type)) occupancy[type] = used[index]![type];
        return occupancy;
      });
      const total = (type: CostType) => (withoutReadings.includes(type) ? ownReadings[type] : used.reduce((sum, r) => sum + r[type], 0));
      return { area, estimated, cuts, heating: total('heating'), hotWater: total('hotWater'), coldWater: total('coldWater'), occupancies };
    });
}

/** §9 plants of every kind; energy large enough for any Q these units can produce. */
const combinedArbitrary = fc.oneof(
  fc.record({ hotWaterKwh: fc.integer({ min: 0, max: 1000 }) }),
  fc.record({
    hotWaterM3: fc.integer({ min: 0, max: 10_000 }).map((value) => value / 100),
    hotWaterTempC: fc.option(fc.integer({ min: 10, max: 90 }), { nil: undefined }),
    grossCalorific: fc.boolean(),
    districtHeating: fc.boolean(),
  }),
  fc.record({
    hotWaterM3: fc.constant(null),
    area: fc.option(
      fc.integer({ min: 1, max: 400_000 }).map((value) => value / 100),
      { nil: undefined },
    ),
    grossCalorific: fc.boolean(),
    districtHeating: fc.boolean(),
  }),
);

export const buildingArbitrary = fc
  .record({ startOffset: fc.integer({ min: 0, max: 2000 }), days: fc.integer({ min: 1, max: 800 }) })
  .chain(({ startOffset, days }) => {
    const start = addDays('2020-01-01', startOffset);
    return fc.record({
      period: fc.constant({ start, end: addDays(start, days - 1) }),
      heating: fc.option(fc.tuple(euros(10_000_000), hkvoShare()), { nil: undefined, freq: 6 }),
      hotWater: fc.option(fc.tuple(euros(1_000_000), hkvoShare()), { nil: undefined, freq: 4 }),
      coldWater: fc.option(fc.record({ cost: euros(1_000_000), consumptionShare: fc.integer({ min: 0, max: 100 }).map((v) => v / 100) }), {
        nil: undefined,
        freq: 4,
      }),
      units: fc
        .array(unitArbitrary(start, days), { minLength: 1, maxLength: 8 })
        .map((units) => units.map((unit, index) => ({ id: `U${index}`, ...unit }))),
      combined: fc.option(
        fc.record({ cost: euros(10_000_000), energyKwh: fc.integer({ min: 200_000, max: 1_000_000 }), plant: combinedArbitrary }),
        { nil: undefined },
      ),
      co2: fc.option(
        fc.record({
          kg: fc.integer({ min: 0, max: 10_000_000 }).map((value) => value / 100),
          cost: euros(1_000_000),
          area: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }),
        }),
        { nil: undefined },
      ),
    });
  })
  .map(({ heating, hotWater, coldWater, combined, co2, ...rest }): RawInput => {
    const input: RawInput = { period: rest.period };
    if (combined) {
      const share = (section: typeof heating) => section?.[1] ?? { consumptionShare: 0.5 };
      input.heating = share(heating);
      input.hotWater = share(hotWater);
      input.combined = { cost: combined.cost, energyKwh: combined.energyKwh, ...combined.plant };
    } else {
      if (heating) input.heating = { cost: heating[0], ...heating[1] };
      if (hotWater) input.hotWater = { cost: hotWater[0], ...hotWater[1] };
    }
    if (coldWater) input.coldWater = coldWater;
    // A cost type without a section needs no consumption: leave it out where nothing must add up.
    const billed = (type: CostType) => input[type] !== undefined;
    input.units = rest.units.map((unit) => {
      if ('occupancies' in unit) return unit;
      const copy: RawInput = { ...unit };
      for (const type of COST_TYPES) if (!billed(type) && unit[type] > 1000) delete copy[type];
      return copy;
    });
    if (co2) input.co2 = co2;
    return input;
  });
