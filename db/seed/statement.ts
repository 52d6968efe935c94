// The demo's heating statement (issue 10 item 7): which property, which period and the cost sheet
// the manager would enter for it. Whole euros scaled to the property's heated area, so the amounts
// look like a real house's and need no rounding of money.
import type { StatementRequest } from '../../domain/billing/statement';
import type { BillingPeriod } from '../../domain/billing/types';

/** The demo property whose statement is delivered: the demo tenant's house, with tenants with and without portal accounts. */
export const DEMO_STATEMENT_PROPERTY = 'Musterstraße 12';

/** Last calendar year before `today` (YYYY-MM-DD): the period a statement is made for in the demo. */
export function demoStatementPeriod(today: string): BillingPeriod {
  const year = Number(today.slice(0, 4)) - 1;
  return { start: `${year}-01-01`, end: `${year}-12-31` };
}

/**
 * The cost sheet of the demo statement: a year's gas (about 130 kWh per m²), the plant's operating
 * costs, cold water and the CO2 price (CO2KostAufG), for `heatedAreaM2` and `units` flats.
 */
export function demoStatementRequest(
  propertyId: number,
  period: BillingPeriod,
  house: { heatedAreaM2: number; units: number },
): StatementRequest {
  const area = Math.max(1, Math.round(house.heatedAreaM2));
  const kwh = area * 130;
  const gas = Math.round(kwh / 10); // 10 ct per kWh, gross
  const co2Kg = Math.round(kwh * 0.201);
  const line = (category: string, amount: number) => ({
    kind: 'operating' as const,
    category,
    description: null,
    invoiceDate: null,
    amount,
    taxesAndLevies: null,
    kwh: null,
    litres: null,
  });
  return {
    propertyId,
    period: { ...period },
    costs: [
      {
        kind: 'fuel',
        category: 'Erdgas',
        description: `Jahresabrechnung Gas ${period.start.slice(0, 4)}`,
        invoiceDate: null,
        amount: gas,
        taxesAndLevies: Math.round(gas / 5),
        kwh,
        litres: null,
      },
      line('Betriebsstrom', Math.round(area * 0.15)),
      line('Wartung', 650),
      line('Messgerätemiete', house.units * 85),
      line('Abrechnungskosten', house.units * 28),
    ],
    parameters: {
      heatingConsumptionShare: 0.7,
      hotWaterConsumptionShare: 0.7,
      heatingAgreed: false,
      hotWaterAgreed: false,
      coldWaterCost: Math.round(area * 1.2),
      coldWaterConsumptionShare: 1,
      hotWaterMethod: 'volume',
      hotWaterTempC: 60,
      hotWaterKwhMeasured: null,
      hotWaterM3Entered: null,
      districtHeating: false,
      grossCalorific: false,
      co2Kg,
      co2Cost: Math.round((co2Kg / 1000) * 55),
      heatedAreaM2: null,
      manualCuts: [],
    },
  };
}
