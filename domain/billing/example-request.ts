// The statement request of the test house (tests/support/statement-fixtures.ts), also the input of
// the billing benchmark: one realistic cost sheet shared by both so the bench measures what is tested.
import type { StatementRequest } from './statement';

export const EXAMPLE_PERIOD = { start: '2025-01-01', end: '2025-12-31' } as const;

/** The request the manager would enter for the fixture house: 11 000 € plant cost, 1 000 € cold water, CO2. */
export function exampleStatementRequest(propertyId: number): StatementRequest {
  return {
    propertyId,
    period: { ...EXAMPLE_PERIOD },
    costs: [
      {
        kind: 'fuel',
        category: 'Erdgas',
        description: 'Jahresabrechnung Gas',
        invoiceDate: '2026-01-20',
        amount: 10000,
        taxesAndLevies: 2000,
        kwh: 100000,
        litres: null,
      },
      {
        kind: 'operating',
        category: 'Betriebsstrom',
        description: null,
        invoiceDate: null,
        amount: 300,
        taxesAndLevies: null,
        kwh: null,
        litres: null,
      },
      {
        kind: 'operating',
        category: 'Messgerätemiete',
        description: null,
        invoiceDate: null,
        amount: 450,
        taxesAndLevies: null,
        kwh: null,
        litres: null,
      },
      {
        kind: 'operating',
        category: 'Abrechnungskosten',
        description: null,
        invoiceDate: null,
        amount: 250,
        taxesAndLevies: null,
        kwh: null,
        litres: null,
      },
    ],
    parameters: {
      heatingConsumptionShare: 0.7,
      hotWaterConsumptionShare: 0.7,
      heatingAgreed: false,
      hotWaterAgreed: false,
      coldWaterCost: 1000,
      coldWaterConsumptionShare: 1,
      hotWaterMethod: 'volume',
      hotWaterTempC: 60,
      hotWaterKwhMeasured: null,
      hotWaterM3Entered: null,
      districtHeating: false,
      grossCalorific: false,
      co2Kg: 20000,
      co2Cost: 900,
      heatedAreaM2: null,
      manualCuts: [],
    },
  };
}
