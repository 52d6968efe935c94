import { describe, expect, test } from 'vitest';
import { effectiveReference, parseReference } from './comparison-reference';
import { DEFAULT_REFERENCE_CONSUMPTION, averageUserFor } from './monthly';
import { ValidationError } from './validation';

const fieldOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
};

describe('parseReference', () => {
  test('German decimal commas, trimmed source', () => {
    expect(parseReference({ heatingKwhPerM2Year: '112,5', hotWaterKwhPerM2Year: '25', source: '  Energieausweis\n 2024 ' })).toEqual({
      heatingKwhPerM2Year: 112.5,
      hotWaterKwhPerM2Year: 25,
      source: 'Energieausweis 2024',
    });
  });

  test.each([
    [{ heatingKwhPerM2Year: '', hotWaterKwhPerM2Year: '25', source: 'x' }, 'heatingKwhPerM2Year'],
    [{ heatingKwhPerM2Year: '4,99', hotWaterKwhPerM2Year: '25', source: 'x' }, 'heatingKwhPerM2Year'],
    [{ heatingKwhPerM2Year: '500,01', hotWaterKwhPerM2Year: '25', source: 'x' }, 'heatingKwhPerM2Year'],
    [{ heatingKwhPerM2Year: '1e2', hotWaterKwhPerM2Year: '25', source: 'x' }, 'heatingKwhPerM2Year'],
    [{ heatingKwhPerM2Year: '130', hotWaterKwhPerM2Year: '12,345', source: 'x' }, 'hotWaterKwhPerM2Year'],
    [{ heatingKwhPerM2Year: '130', hotWaterKwhPerM2Year: '0', source: 'x' }, 'hotWaterKwhPerM2Year'],
    [{ heatingKwhPerM2Year: '130', hotWaterKwhPerM2Year: '32' }, 'source'],
    [{ heatingKwhPerM2Year: '130', hotWaterKwhPerM2Year: '32', source: 'x'.repeat(301) }, 'source'],
  ])('%j is refused, naming %s', (input, field) => {
    expect(fieldOf(() => parseReference(input))).toBe(field);
  });

  test('the limits themselves are allowed', () => {
    expect(parseReference({ heatingKwhPerM2Year: '5', hotWaterKwhPerM2Year: '100', source: 'x' }).heatingKwhPerM2Year).toBe(5);
    expect(parseReference({ heatingKwhPerM2Year: 500, hotWaterKwhPerM2Year: 1, source: 'x' }).hotWaterKwhPerM2Year).toBe(1);
  });
});

describe('effectiveReference', () => {
  const organisation = { heatingKwhPerM2Year: 100, hotWaterKwhPerM2Year: 20, source: 'Auswertung 2025' };
  const property = { heatingKwhPerM2Year: 42.5, hotWaterKwhPerM2Year: 15, source: 'Passivhaus-Nachweis' };

  test('the property’s own value, else the organisation’s, else the default, each saying which', () => {
    expect(effectiveReference({ property: null, organisation: null })).toBe(DEFAULT_REFERENCE_CONSUMPTION);
    expect(effectiveReference({ property: null, organisation }).source).toBe(
      'Referenzwert der Verwaltung: Raumwärme 100 kWh/m² und Jahr, Warmwasser 20 kWh/m² und Jahr (Quelle: Auswertung 2025)',
    );
    expect(effectiveReference({ property, organisation })).toEqual({
      heatingKwhPerM2Year: 42.5,
      hotWaterKwhPerM2Year: 15,
      source:
        'Referenzwert für diese Liegenschaft: Raumwärme 42,5 kWh/m² und Jahr, Warmwasser 15 kWh/m² und Jahr (Quelle: Passivhaus-Nachweis)',
    });
  });

  test('the average user of a flat without comparison group follows it: 72 m² in October', () => {
    // Heating 42.5 × 72 × 80 ‰ = 244.8 kWh, hot water 15 × 72 × 31/365 = 91.73 kWh.
    const user = averageUserFor(72, '2026-10', {}, effectiveReference({ property, organisation }));
    expect(user).toMatchObject({ heatingKwh: 244.8, hotWaterKwh: 91.73, totalKwh: 336.53, basis: 'reference' });
    expect(user.source).toContain('Passivhaus-Nachweis');
  });
});
