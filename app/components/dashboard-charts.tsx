// The dashboard's charts: plain SVG drawn on the server (no script needed), each followed by the
// same figures as a table (behind "Werte als Tabelle", as on the tenant's consumption page), which
// is what screen readers, print and copy-paste use; the SVG's description summarises it.
import type { ReactNode } from 'react';
import type { HeatingMonth, InquiryMonth } from '../../domain/dashboard';
import { formatHundredths } from '../../domain/dashboard';
import { formatNumber } from '../../domain/format';
import { germanMonth, germanMonthShort } from '../../domain/monthly';
import { DataTable } from './data-table';

/** The chart's figures as a table, behind "Werte als Tabelle": a month per row, two value columns. */
function ChartTable({
  label,
  caption,
  columns,
  rows,
}: {
  label: string;
  caption: string;
  columns: [ReactNode, ReactNode];
  rows: Array<{ key: string; label: string; values: [string, string] }>;
}) {
  return (
    <details className="chart__data">
      <summary>Werte als Tabelle</summary>
      <DataTable
        label={label}
        caption={caption}
        className="table--compact"
        head={
          <tr>
            <th scope="col">Monat</th>
            {columns.map((column, i) => (
              <th key={i} scope="col" className="num">
                {column}
              </th>
            ))}
          </tr>
        }
      >
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            <td className="num">{row.values[0]}</td>
            <td className="num">{row.values[1]}</td>
          </tr>
        ))}
      </DataTable>
    </details>
  );
}

const BOX = { width: 640, height: 240, left: 56, right: 12, top: 12, bottom: 40 };

/** A round upper bound for the axis (1, 2, 2.5 or 5 times a power of ten) and its four ticks. */
function axis(max: number): { top: number; ticks: number[] } {
  if (max <= 0) return { top: 1, ticks: [0, 1] };
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s * 4 >= max) ?? magnitude * 10;
  return { top: step * 4, ticks: [0, step, step * 2, step * 3, step * 4] };
}

function Frame({ ticks, y, labels }: { ticks: number[]; y: (v: number) => number; labels: (v: number) => string }) {
  return (
    <>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={BOX.left} x2={BOX.width - BOX.right} y1={y(t)} y2={y(t)} className="chart__grid" />
          <text x={BOX.left - 8} y={y(t) + 4} textAnchor="end" className="chart__label">
            {labels(t)}
          </text>
        </g>
      ))}
      <line x1={BOX.left} x2={BOX.width - BOX.right} y1={y(0)} y2={y(0)} className="chart__axis" />
    </>
  );
}

export function HeatingChart({ months, title }: { months: HeatingMonth[]; title: string }) {
  const max = Math.max(0, ...months.flatMap((m) => [m.thisYear ?? 0, m.lastYear ?? 0]));
  const { top, ticks } = axis(max);
  const plotHeight = BOX.height - BOX.top - BOX.bottom;
  const y = (v: number) => BOX.top + plotHeight - (v / top) * plotHeight;
  const slot = (BOX.width - BOX.left - BOX.right) / Math.max(months.length, 1);
  const bar = Math.min(18, slot / 3);
  const year = months[0]?.month.slice(0, 4) ?? '';
  const known = months.filter((m) => m.thisYear !== null);
  const sumThis = known.reduce((s, m) => s + (m.thisYear ?? 0), 0);
  const sumLast = known.reduce((s, m) => s + (m.lastYear ?? 0), 0);
  const summary =
    known.length === 0
      ? `Für ${year} liegen noch keine Verbrauchsinformationen vor.`
      : `${formatNumber(sumThis)} kWh in ${known.length} Monaten ${year}, im Vorjahr in denselben Monaten ${formatNumber(sumLast)} kWh.`;
  return (
    <figure className="chart dashboard-chart">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-labelledby="heating-title heating-desc" className="chart__svg">
        <title id="heating-title">{title}</title>
        <desc id="heating-desc">{`${summary} Die Tabelle unter der Grafik enthält alle Werte.`}</desc>
        <Frame ticks={ticks} y={y} labels={(v) => formatNumber(v)} />
        {months.map((m, i) => {
          const x = BOX.left + slot * i + slot / 2;
          return (
            <g key={m.month}>
              {m.lastYear !== null ? (
                <rect x={x - bar - 1} y={y(m.lastYear)} width={bar} height={y(0) - y(m.lastYear)} className="chart__bar--last" />
              ) : null}
              {m.thisYear !== null ? (
                <rect x={x + 1} y={y(m.thisYear)} width={bar} height={y(0) - y(m.thisYear)} className="chart__bar--this" />
              ) : null}
              <text x={x} y={BOX.height - BOX.bottom + 16} textAnchor="middle" className="chart__label">
                {germanMonthShort(m.month)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="chart__legend">
        <span>
          <span className="swatch swatch--this" aria-hidden="true" />
          {year}
        </span>
        <span>
          <span className="swatch swatch--last" aria-hidden="true" />
          {Number(year) - 1}
        </span>
      </figcaption>
      <ChartTable
        label="Verbrauch Heizung als Tabelle"
        caption={`${title}: Werte je Monat`}
        columns={[<>{year} (kWh)</>, <>{Number(year) - 1} (kWh)</>]}
        rows={months.map((m) => ({
          key: m.month,
          label: germanMonth(m.month).split(' ')[0] ?? m.month,
          values: [formatNumber(m.thisYear), formatNumber(m.lastYear)],
        }))}
      />
    </figure>
  );
}

export function InquiryChart({ months, title }: { months: InquiryMonth[]; title: string }) {
  const values = months.map((m) => m.per100Units ?? 0);
  const { top, ticks } = axis(Math.max(0, ...values));
  const plotHeight = BOX.height - BOX.top - BOX.bottom;
  const y = (v: number) => BOX.top + plotHeight - (v / top) * plotHeight;
  const slot = (BOX.width - BOX.left - BOX.right) / Math.max(months.length, 1);
  const points = months.map((m, i) => ({ x: BOX.left + slot * i + slot / 2, y: y(m.per100Units ?? 0), m }));
  const first = months[0];
  const last = months[months.length - 1];
  const summary =
    first && last
      ? `Von ${germanMonth(first.month)} bis ${germanMonth(last.month)}: zuletzt ${formatHundredths(last.per100Units)} Anfragen je 100 Wohneinheiten, am Anfang ${formatHundredths(first.per100Units)}.`
      : 'Noch keine Monate seit der Einführung.';
  // Month labels thin out so that 24 months stay legible.
  const every = Math.ceil(months.length / 12);
  return (
    <figure className="chart dashboard-chart">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-labelledby="inquiry-title inquiry-desc" className="chart__svg">
        <title id="inquiry-title">{title}</title>
        <desc id="inquiry-desc">{`${summary} Die Tabelle unter der Grafik enthält alle Werte.`}</desc>
        <Frame ticks={ticks} y={y} labels={(v) => formatHundredths(Math.round(v))} />
        {points.length > 1 ? <polyline points={points.map((p) => `${p.x},${p.y}`).join(' ')} className="chart__trend" fill="none" /> : null}
        {points.map((p, i) => (
          <g key={p.m.month}>
            <circle cx={p.x} cy={p.y} r={3.5} className="chart__trend-dot" />
            {i % every === 0 || i === points.length - 1 ? (
              <text x={p.x} y={BOX.height - BOX.bottom + 16} textAnchor="middle" className="chart__label">
                {germanMonthShort(p.m.month)}
              </text>
            ) : null}
            {i % every === 0 && (i === 0 || p.m.month.endsWith('-01')) ? (
              <text x={p.x} y={BOX.height - BOX.bottom + 32} textAnchor="middle" className="chart__label">
                {p.m.month.slice(0, 4)}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <ChartTable
        label="Anfragen je 100 Wohneinheiten als Tabelle"
        caption={`${title}: Werte je Monat`}
        columns={[<>Anfragen</>, <>je 100 Wohneinheiten</>]}
        rows={months.map((m) => ({
          key: m.month,
          label: germanMonth(m.month),
          values: [formatNumber(m.inquiries), formatHundredths(m.per100Units)],
        }))}
      />
    </figure>
  );
}
