import { describe, expect, it } from 'vitest';
import { co2LandlordShare, splitCo2Cost } from './co2';
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

  it('looks the stage up with the unrounded kg/m² (16.9999 prints as 17 but is still 10 %)', () => {
    expect(splitCo2Cost({ kg: 169999, cost: 100, area: 10000 }, Ratio.ONE)).toEqual({
      kgPerM2: 17,
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
