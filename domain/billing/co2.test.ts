import { describe, expect, it } from 'vitest';
import { co2Band, co2BandFactor, co2LandlordShare, printedKgPerM2, splitCo2Cost } from './co2';
import { Ratio } from './ratio';

describe('CO2KostAufG', () => {
  it('20 000 kg over 700 m² = 28.57 kg/m² → 40 % → 360 of 900 €', () => {
    expect(splitCo2Cost({ kg: 20000, cost: 900, area: 700 }, Ratio.ONE)).toEqual({
      kgPerM2: 28.57,
      landlordShare: 0.4,
      landlordCost: 360,
      tenantCost: 540,
    });
  });

  it.each([
    [0, 0],
    [11.99, 0],
    [12, 0.1],
    [16.99, 0.1],
    [17, 0.2],
    [22, 0.3],
    [27, 0.4],
    [32, 0.5],
    [37, 0.6],
    [42, 0.7],
    [47, 0.8],
    [51.99, 0.8],
    [52, 0.95],
    [200, 0.95],
  ])('%d kg/m² → landlord share %d', (kgPerM2, share) => {
    expect(co2LandlordShare(Ratio.fromNumber(kgPerM2)).toNumber(2)).toBe(share);
  });

  it('looks the stage up with the unrounded kg/m² and prints it inside its band (16.9999 → 16.99, 10 %)', () => {
    expect(splitCo2Cost({ kg: 169999, cost: 100, area: 10000 }, Ratio.ONE)).toEqual({
      kgPerM2: 16.99,
      landlordShare: 0.1,
      landlordCost: 10,
      tenantCost: 90,
    });
  });

  it('rounds the landlord cost half up to cents', () => {
    // 0.05 € × 10 % = 0.5 cents → 1 cent
    expect(splitCo2Cost({ kg: 12, cost: 0.05, area: null }, Ratio.ONE)).toMatchObject({ landlordCost: 0.01, tenantCost: 0.04 });
  });
});

describe('CO2KostAufG §5(1) S.4: bands of a shorter period', () => {
  it.each([
    ['2025-01-01', '2025-12-31', Ratio.ONE],
    ['2024-01-01', '2024-12-31', Ratio.ONE], // a leap year is a year
    ['2025-07-01', '2026-06-30', Ratio.ONE],
    ['2025-01-01', '2025-09-30', Ratio.of(273, 365)],
    ['2025-01-01', '2025-06-30', Ratio.of(181, 365)],
    ['2025-03-01', '2025-03-01', Ratio.of(1, 365)],
    ['2025-01-01', '2026-01-01', Ratio.of(366, 365)], // longer than BGB allows: scaled the same way
  ])('%s – %s → limits × %o', (start, end, factor) => {
    expect(co2BandFactor({ start, end })).toEqual(factor);
  });

  it('names the band with its scaled limits', () => {
    const band = co2Band(Ratio.fromNumber(28.57), Ratio.of(273, 365));
    expect(band.landlordPercent).toBe(60);
    expect(band.from).toEqual(Ratio.of(37 * 273, 365));
    expect(band.to).toEqual(Ratio.of(42 * 273, 365));
    expect(co2Band(Ratio.of(60), Ratio.ONE)).toMatchObject({ landlordPercent: 95, to: null });
  });

  it('prints every value of a band inside it, even in a one-day period where bands are 0.0137 kg/m² wide', () => {
    const factor = Ratio.of(1, 365);
    for (let tenThousandths = 0; tenThousandths < 2000; tenThousandths++) {
      const value = Ratio.of(tenThousandths, 10000);
      const band = co2Band(value, factor);
      const printed = Ratio.fromNumber(printedKgPerM2(value, band));
      expect(printed.compare(band.from)).toBeGreaterThanOrEqual(0);
      if (band.to) expect(printed.compare(band.to)).toBeLessThan(0);
      expect(printed.sub(value).abs().compare(Ratio.of(1, 100))).toBeLessThan(0);
    }
  });
});
