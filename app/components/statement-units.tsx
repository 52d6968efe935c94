import type { ReactNode } from 'react';
import { formatNumber } from '../../domain/format';
import { formatEuro, formatQuantity } from '../../domain/statement-format';
import { DataTable } from './data-table';

type CostType = 'heating' | 'hotWater' | 'coldWater';
const COST_TYPES: ReadonlyArray<[CostType, string]> = [
  ['heating', 'Heizung'],
  ['hotWater', 'Warmwasser'],
  ['coldWater', 'Kaltwasser'],
];

export interface StatementUnitRow {
  unitId: number;
  label: string;
  areaM2: number;
  consumption: Record<CostType, number>;
  estimated: string[];
  amounts: Record<CostType | 'co2Credit' | 'amountDue', number>;
}

/**
 * The result per unit, as previewed and as stored: each amount with the consumption it comes from
 * below it (E marks a substitute value). The first and the last column are the caller's.
 */
export function StatementUnitsTable<T extends StatementUnitRow>({
  units,
  heatingUnit,
  selectedUnitId,
  label,
  extra,
}: {
  units: T[];
  heatingUnit: string;
  selectedUnitId: number | null;
  label: (unit: T) => ReactNode;
  extra: { title: string; cell: (unit: T) => ReactNode };
}) {
  const unitOf = (type: CostType) => (type === 'heating' ? (heatingUnit === 'kWh' ? 'kWh' : 'Einh.') : 'm³');
  return (
    <DataTable
      label="Ergebnis je Wohneinheit"
      caption="Ergebnis je Wohneinheit: Beträge, darunter der Verbrauch"
      className="statement-units"
      head={
        <tr>
          <th scope="col">Einheit</th>
          <th scope="col" className="num">
            Fläche
          </th>
          {COST_TYPES.map(([type, name]) => (
            <th key={type} scope="col" className="num">
              {name}
            </th>
          ))}
          <th scope="col" className="num">
            CO₂-Gutschrift
          </th>
          <th scope="col" className="num">
            Betrag
          </th>
          <th scope="col">{extra.title}</th>
        </tr>
      }
    >
      {units.map((unit) => (
        <tr key={unit.unitId} aria-current={selectedUnitId === unit.unitId ? 'true' : undefined}>
          <th scope="row">{label(unit)}</th>
          <td className="num">{formatNumber(unit.areaM2, true)} m²</td>
          {COST_TYPES.map(([type]) => (
            <td key={type} className="num">
              <span className="cell-main">{formatEuro(unit.amounts[type])}</span>
              <span className="cell-sub">
                {formatQuantity(unit.consumption[type])} {unitOf(type)}
                {unit.estimated.includes(type) ? (
                  <>
                    {' '}
                    <abbr title="Ersatzwert nach §9a HKVO">E</abbr>
                  </>
                ) : null}
              </span>
            </td>
          ))}
          <td className="num">{formatEuro(-unit.amounts.co2Credit)}</td>
          <td className="num">
            <strong>{formatEuro(unit.amounts.amountDue)}</strong>
          </td>
          <td>{extra.cell(unit)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
