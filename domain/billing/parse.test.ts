import { describe, expect, it } from 'vitest';
import { ValidationError } from '../validation';
import { parseBillingInput } from './parse';
import { combinedPlant, contractInput, fixtureInput } from './test-fixtures';

type Raw = Record<string, unknown>;
type Mutation = (input: Raw) => void;

const unit = (input: Raw, index: number) => (input.units as Raw[])[index]!;
const occupancy = (input: Raw, index: number) => (unit(input, 0).occupancies as Raw[])[index]!;

function rejection(mutate: Mutation, base: () => Raw = contractInput): ValidationError {
  const input = base();
  mutate(input);
  try {
    parseBillingInput(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('input was accepted');
}

describe('parseBillingInput', () => {
  it('accepts the contract example and fills defaults', () => {
    const parsed = parseBillingInput(fixtureInput({ coldWater: undefined }));
    // A section left out stays out: that cost type costs nothing.
    expect(parsed).not.toHaveProperty('coldWater');
    expect(parseBillingInput(fixtureInput({ coldWater: { cost: 5 } })).coldWater).toEqual({ cost: 5, consumptionShare: 1 });
    expect(parsed.units[0]).toEqual({
      id: 'A',
      area: 60,
      heating: 1000,
      hotWater: 20,
      coldWater: 0,
      estimated: [],
      cuts: [],
      occupancies: [],
    });
    expect(parseBillingInput(contractInput()).units[0]!.occupancies).toHaveLength(2);
  });

  it('is idempotent on its own output', () => {
    const parsed = parseBillingInput(contractInput());
    expect(parseBillingInput(parsed)).toEqual(parsed);
  });

  it.each<[string, Mutation, string]>([
    [
      'not an object',
      (input) => {
        input.units = 'x';
      },
      'units: must be an array',
    ],
    [
      'missing period',
      (input) => {
        delete input.period;
      },
      'period: is required',
    ],
    [
      'bad date',
      (input) => {
        input.period = { start: '2025-02-30', end: '2025-12-31' };
      },
      'period.start: must be a date YYYY-MM-DD',
    ],
    [
      'end before start',
      (input) => {
        input.period = { start: '2025-01-01', end: '2024-12-31' };
      },
      'period.end: must not be before period.start',
    ],
    [
      'heating share too high',
      (input) => {
        input.heating = { cost: 1, consumptionShare: 0.71 };
      },
      'heating.consumptionShare: must be between 0.5 and 0.7',
    ],
    [
      'hot water share too low',
      (input) => {
        input.hotWater = { cost: 1, consumptionShare: 0.49 };
      },
      'hotWater.consumptionShare: must be between 0.5 and 0.7',
    ],
    [
      'cold water share above 1',
      (input) => {
        input.coldWater = { cost: 1, consumptionShare: 1.2 };
      },
      'coldWater.consumptionShare: must be between 0 and 1',
    ],
    [
      'missing share',
      (input) => {
        input.heating = { cost: 1 };
      },
      'heating.consumptionShare: is required',
    ],
    [
      'missing cost',
      (input) => {
        input.hotWater = { consumptionShare: 0.5 };
      },
      'hotWater.cost: is required',
    ],
    [
      'negative cost',
      (input) => {
        input.heating = { cost: -1, consumptionShare: 0.7 };
      },
      'heating.cost: must be a non-negative amount in euros with at most 2 decimals',
    ],
    [
      'fractions of a cent',
      (input) => {
        input.heating = { cost: 1.005, consumptionShare: 0.7 };
      },
      'heating.cost: must be a non-negative amount',
    ],
    [
      'cost as a string',
      (input) => {
        input.heating = { cost: '10000', consumptionShare: 0.7 };
      },
      'heating.cost: must be a non-negative amount',
    ],
    [
      'no units',
      (input) => {
        input.units = [];
      },
      'units: must contain at least one unit',
    ],
    [
      'area zero',
      (input) => {
        unit(input, 1).area = 0;
      },
      'units[1].area: must be a positive number',
    ],
    [
      'area missing',
      (input) => {
        delete unit(input, 2).area;
      },
      'units[2].area: is required',
    ],
    [
      'negative consumption',
      (input) => {
        unit(input, 1).hotWater = -3;
      },
      'units[1].hotWater: must be a non-negative number',
    ],
    [
      'missing consumption',
      (input) => {
        delete unit(input, 1).heating;
      },
      'units[1].heating: is required',
    ],
    [
      'empty id',
      (input) => {
        unit(input, 1).id = '';
      },
      'units[1].id: must be a non-empty string',
    ],
    [
      'duplicate unit id',
      (input) => {
        unit(input, 2).id = 'A';
      },
      'units[2].id: duplicate id "A" (also units[0].id)',
    ],
    [
      'unknown estimated',
      (input) => {
        unit(input, 1).estimated = ['gas'];
      },
      'units[1].estimated[0]: must be one of "heating", "hotWater", "coldWater"',
    ],
    [
      'estimated twice',
      (input) => {
        unit(input, 1).estimated = ['heating', 'heating'];
      },
      'units[1].estimated[1]: "heating" is listed twice',
    ],
    [
      'unknown cut',
      (input) => {
        unit(input, 0).cuts = ['no-remote-reading', 'too-cold'];
      },
      'units[0].cuts[1]: must be one of "not-consumption-based", "not-consumption-based:heating", "not-consumption-based:hotWater", "no-remote-reading", "no-monthly-info"',
    ],
    [
      'occupancy to before from',
      (input) => {
        occupancy(input, 1).to = '2025-03-01';
      },
      'units[0].occupancies[1].to: must not be before units[0].occupancies[1].from',
    ],
    [
      'occupancy before the period',
      (input) => {
        occupancy(input, 0).from = '2024-12-31';
      },
      'units[0].occupancies[0].from: must not be before period.start (2025-01-01)',
    ],
    [
      'occupancy after the period',
      (input) => {
        occupancy(input, 1).to = '2026-01-01';
      },
      'units[0].occupancies[1].to: must not be after period.end (2025-12-31)',
    ],
    [
      'overlap',
      (input) => {
        occupancy(input, 1).from = '2025-03-15';
      },
      'units[0].occupancies[1].from: overlaps units[0].occupancies[0], which ends 2025-03-15',
    ],
    [
      'wrong order',
      (input) => {
        (unit(input, 0).occupancies as Raw[]).reverse();
      },
      'units[0].occupancies[1].from: overlaps units[0].occupancies[0]',
    ],
    [
      'gap',
      (input) => {
        occupancy(input, 1).from = '2025-03-17';
      },
      'units[0].occupancies[1].from: leaves a gap after units[0].occupancies[0]',
    ],
    [
      'not covering the start',
      (input) => {
        occupancy(input, 0).from = '2025-01-02';
      },
      'units[0].occupancies[0].from: must be period.start (2025-01-01)',
    ],
    [
      'not covering the end',
      (input) => {
        occupancy(input, 1).to = '2025-12-30';
      },
      'units[0].occupancies[1].to: must be period.end (2025-12-31)',
    ],
    [
      'readings do not sum up',
      (input) => {
        occupancy(input, 1).heating = 399;
      },
      'units[0].occupancies: heating readings sum to 999, but units[0].heating is 1000',
    ],
    [
      'duplicate occupancy id',
      (input) => {
        occupancy(input, 1).id = 'A-1';
      },
      'units[0].occupancies[1].id: duplicate id "A-1"',
    ],
    [
      'combined with heating cost',
      (input) => {
        input.combined = combinedPlant();
      },
      'heating.cost: must be omitted or 0 when combined is given',
    ],
    [
      'combined with hot-water cost',
      (input) => {
        input.combined = combinedPlant();
        input.heating = { consumptionShare: 0.7 };
      },
      'hotWater.cost: must be omitted or 0 when combined is given',
    ],
    [
      'combined without volume: Q = 32 kWh/m² × the units’ 200 m² exceeds the energy',
      (input) => {
        input.combined = combinedPlant({ hotWaterM3: null, energyKwh: 6399 });
        input.heating = { consumptionShare: 0.7 };
        input.hotWater = { consumptionShare: 0.5 };
      },
      'combined.energyKwh: must be at least the hot-water energy Q = 6400 kWh',
    ],
    [
      'combined without a heating section',
      (input) => {
        input.combined = combinedPlant();
        delete input.heating;
      },
      'heating: is required when combined is given',
    ],
    [
      'combined area zero',
      (input) => {
        input.combined = combinedPlant({ area: 0 });
      },
      'combined.area: must be a positive number',
    ],
    [
      'combined grossCalorific not boolean',
      (input) => {
        input.combined = combinedPlant({ grossCalorific: 1 });
      },
      'combined.grossCalorific: must be true or false',
    ],
    [
      'agreed share above 1',
      (input) => {
        input.heating = { cost: 1, consumptionShare: 1.01, agreed: true };
      },
      'heating.consumptionShare: must be between 0.5 and 1',
    ],
    [
      'agreed share below 0.5',
      (input) => {
        input.hotWater = { cost: 1, consumptionShare: 0.49, agreed: true };
      },
      'hotWater.consumptionShare: must be between 0.5 and 1',
    ],
    [
      'share above 0.7 without agreement',
      (input) => {
        input.heating = { cost: 1, consumptionShare: 0.8, agreed: false };
      },
      'heating.consumptionShare: must be between 0.5 and 0.7 (up to 1 with "agreed": true, §10 HKVO)',
    ],
    [
      'agreed not boolean',
      (input) => {
        input.heating = { cost: 1, consumptionShare: 0.8, agreed: 'yes' };
      },
      'heating.agreed: must be true or false',
    ],
    [
      'mixed occupancy readings (one has heating, the other not)',
      (input) => {
        delete occupancy(input, 1).heating;
      },
      'units[0].occupancies[1].heating: is required because units[0].occupancies[0].heating is given',
    ],
    [
      'mixed occupancy readings (null counts as absent)',
      (input) => {
        occupancy(input, 0).coldWater = null;
      },
      'units[0].occupancies[0].coldWater: is required because units[0].occupancies[1].coldWater is given',
    ],
    [
      'a cut listed for both cost types and for one again',
      (input) => {
        unit(input, 1).cuts = ['not-consumption-based', 'no-monthly-info', 'not-consumption-based:hotWater'];
      },
      'units[1].cuts[2]: "not-consumption-based:hotWater" cuts again what units[1].cuts[0] already cuts',
    ],
    [
      'a non-finite number (JSON 1e999)',
      (input) => {
        unit(input, 2).area = Infinity;
      },
      'units[2].area: must be a finite number',
    ],
    [
      'a consumption as a string',
      (input) => {
        unit(input, 2).heating = '1500';
      },
      'units[2].heating: must be a non-negative number (got a string)',
    ],
    [
      'hot-water consumption missing while there is a hotWater section',
      (input) => {
        delete unit(input, 1).hotWater;
      },
      'units[1].hotWater: is required',
    ],
    [
      'combined temperature below 10 °C',
      (input) => {
        input.combined = combinedPlant({ hotWaterTempC: 5 });
      },
      'combined.hotWaterTempC: must be at least 10 (°C)',
    ],
    [
      'combined Q above the energy',
      (input) => {
        input.combined = combinedPlant({ energyKwh: 5000 });
      },
      'combined.energyKwh: must be at least the hot-water energy Q = 5900 kWh',
    ],
    [
      'combined measured Q above the energy',
      (input) => {
        input.combined = combinedPlant({ hotWaterKwh: 40000 });
      },
      'combined.hotWaterKwh: must not exceed combined.energyKwh',
    ],
    [
      'combined zero energy',
      (input) => {
        input.combined = combinedPlant({ energyKwh: 0 });
      },
      'combined.energyKwh: must be a positive number',
    ],
    [
      'combined district heating not boolean',
      (input) => {
        input.combined = combinedPlant({ districtHeating: 'yes' });
      },
      'combined.districtHeating: must be true or false',
    ],
    [
      'co2 area zero',
      (input) => {
        input.co2 = { kg: 1, cost: 1, area: 0 };
      },
      'co2.area: must be a positive number',
    ],
    [
      'co2 negative kg',
      (input) => {
        input.co2 = { kg: -1, cost: 1 };
      },
      'co2.kg: must be a non-negative number',
    ],
  ])('rejects %s', (_, mutate, message) => {
    const error = rejection(mutate);
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message.startsWith(`${error.field}: `)).toBe(true);
  });

  it('rejects a non-object input', () => {
    for (const raw of [null, 42, 'x', []]) expect(() => parseBillingInput(raw)).toThrow('input: must be a JSON object');
  });

  it('allows combined with heating and hot-water cost omitted or 0', () => {
    const input = {
      ...contractInput(),
      combined: combinedPlant(),
      heating: { consumptionShare: 0.7 },
      hotWater: { cost: 0, consumptionShare: 0.5 },
    };
    expect(parseBillingInput(input).combined).toEqual({ ...combinedPlant(), grossCalorific: false, area: null });
  });

  it('defaults hotWaterTempC to 60, grossCalorific to false, area to null (the units’ area)', () => {
    const input = {
      ...contractInput(),
      combined: { cost: 100, energyKwh: 34000, hotWaterM3: 47.2 },
      heating: { consumptionShare: 0.7 },
      hotWater: { consumptionShare: 0.5 },
    };
    expect(parseBillingInput(input).combined).toEqual({
      cost: 100,
      energyKwh: 34000,
      hotWaterKwh: null,
      hotWaterM3: 47.2,
      hotWaterTempC: 60,
      districtHeating: false,
      grossCalorific: false,
      area: null,
    });
  });

  it('accepts a building without hot-water and cold-water sections: units need no such consumption', () => {
    const parsed = parseBillingInput({
      period: { start: '2025-01-01', end: '2025-12-31' },
      heating: { cost: 1000, consumptionShare: 0.7 },
      units: [{ id: 'A', area: 50, heating: 10 }],
    });
    expect(parsed).not.toHaveProperty('hotWater');
    expect(parsed).not.toHaveProperty('coldWater');
    expect(parsed.units[0]).toMatchObject({ heating: 10, hotWater: 0, coldWater: 0 });
    expect(parseBillingInput(parsed)).toEqual(parsed);
  });

  it('keeps "agreed" only when true, and occupancies without a reading as null (§9b(3))', () => {
    const input = contractInput();
    input.heating = { cost: 10000, consumptionShare: 0.9, agreed: true };
    input.hotWater = { cost: 3000, consumptionShare: 0.5, agreed: false };
    for (const index of [0, 1]) delete occupancy(input, index).heating;
    const parsed = parseBillingInput(input);
    expect(parsed.heating).toEqual({ cost: 10000, consumptionShare: 0.9, agreed: true });
    expect(parsed.hotWater).toEqual({ cost: 3000, consumptionShare: 0.5 });
    expect(parsed.units[0]!.occupancies.map((o) => o.heating)).toEqual([null, null]);
    expect(parseBillingInput(parsed)).toEqual(parsed);
  });

  // A quadratic check would run for minutes and hit the test's timeout; speed itself is the bench's business.
  it('checks duplicate ids among 100 000 units', () => {
    const units = Array.from({ length: 100_000 }, (_, i) => ({ id: `U${i}`, area: 50 + (i % 40), heating: i % 1000, hotWater: 1.5 }));
    expect(parseBillingInput({ ...fixtureInput(), units }).units).toHaveLength(100_000);
    units.push({ ...units[4]! });
    expect(() => parseBillingInput({ ...fixtureInput(), units })).toThrow('units[100000].id: duplicate id "U4" (also units[4].id)');
  });

  it('accepts occupancy readings that miss the unit’s only by float noise', () => {
    const input = contractInput();
    unit(input, 0).hotWater = 0.3;
    occupancy(input, 0).hotWater = 0.1;
    occupancy(input, 1).hotWater = 0.2 + 1e-12;
    expect(() => parseBillingInput(input)).not.toThrow();
  });
});
