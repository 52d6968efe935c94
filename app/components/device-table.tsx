import { Link } from '@remix-run/react';
import type { DeviceRow } from '../../server/devices';
import { deadlineKindLabel, deviceTypeLabel, formatDate, formatPercent, radioLabel } from '../../domain/format';
import { isCalibratedType } from '../../domain/deadlines';
import { LightBadge } from './light-badge';
import { DataTable } from './data-table';

/** The device list used by the register, the tenant's page and property pages. */
export function DeviceTable({
  rows,
  caption,
  showProperty = true,
  showUnit = true,
}: {
  rows: DeviceRow[];
  caption: string;
  showProperty?: boolean;
  showUnit?: boolean;
}) {
  return (
    <DataTable
      label={caption}
      caption={<>{caption}</>}
      className="table--cards"
      head={
        <tr>
          <th scope="col">Seriennummer</th>
          <th scope="col">Gerätetyp</th>
          {showProperty ? <th scope="col">Liegenschaft</th> : null}
          <th scope="col">{showUnit ? 'Einheit / Einbauort' : 'Einbauort'}</th>
          <th scope="col">Eingebaut</th>
          <th scope="col">Frist</th>
          <th scope="col" className="num">
            Batterie
          </th>
          <th scope="col">Funk</th>
          <th scope="col">Ampel</th>
        </tr>
      }
    >
      {rows.map((row) => (
        <tr key={row.id} data-device-id={row.id}>
          <th scope="row" className="mono">
            <Link to={`/geraete/${row.id}`}>{row.serial}</Link>
          </th>
          <td data-label="Gerätetyp">{deviceTypeLabel(row.type)}</td>
          {showProperty ? <td data-label="Liegenschaft">{row.propertyName}</td> : null}
          <td data-label={showUnit ? 'Einheit / Einbauort' : 'Einbauort'}>
            {showUnit ? <span className="cell-main">{row.unitLabel ?? 'Gebäude'}</span> : null}
            {row.location ? <span className={showUnit ? 'cell-sub' : undefined}>{row.location}</span> : null}
          </td>
          <td data-label="Eingebaut">{formatDate(row.installedAt)}</td>
          <td data-label="Frist">
            <span className="cell-main">{deadlineKindLabel(row.deadlineKind)}</span>
            {isCalibratedType(row.type) && row.calibratedYear === null ? (
              // MessEV §34(2): the validity counts from the calibration year; from the installation year it is only a latest bound.
              <span className="cell-sub">
                spätestens {formatDate(row.dueAt)} · <strong>Eichjahr unbekannt</strong>
              </span>
            ) : (
              <span className="cell-sub">{formatDate(row.dueAt)}</span>
            )}
          </td>
          <td className="num" data-label="Batterie">
            {formatPercent(row.batteryPercent)}
          </td>
          <td data-label="Funk">
            <RadioStatus status={row.radioStatus} />
          </td>
          <td data-label="Ampel">
            <LightBadge light={row.light} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

export function RadioStatus({ status }: { status: string }) {
  return <span className={`radio radio--${status}`}>{radioLabel(status)}</span>;
}
