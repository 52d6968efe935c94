import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { recordMonthlyOpening, tenantMonthlyInformation } from '../../server/monthly';
import { requireSameOrigin } from '../../server/request';
import { OpeningReceipt } from '~/components/opening-receipt';
import {
  HOT_WATER_TIPS,
  PEER_MONTHS,
  formatChange,
  formatKwh,
  germanMonth,
  germanMonthShort,
  isYearMonth,
  monthsEnding,
  type Hint,
  type MonthlyInformationContent,
  type SubstituteMethod,
  type YearMonth,
} from '../../domain/monthly';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import monthlyStyles from '~/styles/monthly.css?url';
import { DEVICE_TYPE_LABELS, formatDateTime, formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { currentTenancies, notFound, requireUserWithPermission } from '../../server/permissions';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: monthlyStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.information ? `Verbrauch ${germanMonth(data.information.month)}` : 'Mein Verbrauch'} · Klarmeter` },
];

/**
 * GET /verbrauch[?wohnung=<unitId>][&monat=YYYY-MM]: the tenant's monthly information (HKVO §6a),
 * only for units of its running tenancies and only what was addressed to that tenancy. The page
 * reports its opening (action below), which the manager sees as proof.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:unit:own');
  const url = new URL(request.url);
  const tenancies = await currentTenancies(user);
  const unitParam = url.searchParams.get('wohnung');
  const tenancy = unitParam === null ? tenancies[0] : tenancies.find((t) => t.unitId === parseId(unitParam));
  if (unitParam !== null && !tenancy) throw notFound();
  const monthParam = url.searchParams.get('monat');
  if (monthParam !== null && !isYearMonth(monthParam)) throw notFound();
  const flats = tenancies.map((t) => ({ unitId: t.unitId, label: `${t.propertyName} · ${t.unitLabel}` }));
  if (!tenancy) return { flats, flat: null, months: [], information: null };

  const { rows, row } = await tenantMonthlyInformation(tenancy, monthParam);
  if (monthParam !== null && !row) throw notFound();

  return {
    flats,
    flat: {
      unitId: tenancy.unitId,
      label: tenancy.unitLabel,
      property: tenancy.propertyName,
      address: `${tenancy.propertyStreet}, ${tenancy.propertyPostalCode} ${tenancy.propertyCity}`,
    },
    months: rows.map((r) => ({
      month: r.month.slice(0, 7),
      totalKwh: r.totalKwh === null ? null : Number(r.totalKwh),
      changePreviousYear: r.changePreviousYear === null ? null : Number(r.changePreviousYear),
      estimated: r.estimated,
    })),
    information: row
      ? { month: row.month.slice(0, 7), content: row.content, publishedAt: row.publishedAt, revisedAt: row.revisedAt }
      : null,
  };
}

/** POST intent=opened: the page reports that the tenant opened this month's information (recorded once). */
export async function action({ request }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'read:unit:own');
  const form = await request.formData();
  const month = String(form.get('monat') ?? '');
  const tenancy = (await currentTenancies(user)).find((t) => t.unitId === parseId(String(form.get('wohnung') ?? '')));
  if (form.get('intent') !== 'opened' || !tenancy || !isYearMonth(month)) throw notFound();
  return { recorded: await recordMonthlyOpening(user, tenancy, month) };
}

type Flat = NonNullable<Awaited<ReturnType<typeof loader>>['flat']>;

const SUBSTITUTE_LABELS: Record<SubstituteMethod, string> = {
  'previous-year': 'Ihr eigener Verbrauch im selben Monat des Vorjahres',
  'comparable-units': 'der Durchschnitt vergleichbarer Wohnungen im Haus, auf Ihre Wohnfläche umgerechnet',
};

const HINT_SYMBOLS: Record<Hint['tone'], string> = { up: '▲', down: '▼', same: '●', ok: '✓', warning: '!' };

export default function Consumption() {
  const { flats, flat, months, information } = useLoaderData<typeof loader>();
  if (!flat) {
    return (
      <>
        <PageHeader title="Mein Verbrauch" />
        <EmptyState>
          Für Ihr Konto ist derzeit kein laufendes Mietverhältnis hinterlegt. Bitte wenden Sie sich an Ihre Hausverwaltung.
        </EmptyState>
      </>
    );
  }
  const query = (month: YearMonth) => `?${flats.length > 1 ? `wohnung=${flat.unitId}&` : ''}monat=${month}`;
  return (
    <>
      <PageHeader
        eyebrow="Monatliche Verbrauchsinformation nach § 6a HeizkostenV"
        title={information ? `Ihr Verbrauch im ${germanMonth(information.month)}` : 'Mein Verbrauch'}
        description={
          <>
            {flat.property} · {flat.label} · {flat.address}
            <span className="live-hint">Aktualisiert sich automatisch</span>
          </>
        }
        actions={
          flats.length > 1 ? (
            <nav aria-label="Wohnung wählen" className="flat-switch">
              {flats.map((f) => (
                <Link
                  key={f.unitId}
                  to={`?wohnung=${f.unitId}`}
                  className="button button--small"
                  aria-current={f.unitId === flat.unitId ? 'page' : undefined}
                >
                  {f.label}
                </Link>
              ))}
            </nav>
          ) : null
        }
      />
      {information ? (
        <>
          <OpeningReceipt fields={{ wohnung: String(flat.unitId), monat: information.month }} />
          <Information flat={flat} content={information.content} publishedAt={information.publishedAt} revisedAt={information.revisedAt} />
        </>
      ) : (
        <EmptyState>Für Ihre Wohnung liegt noch keine Verbrauchsinformation vor. Sie erscheint jeweils Anfang des Folgemonats.</EmptyState>
      )}
      {months.length > 0 ? (
        <Panel id="past-months" title="Alle Monate">
          <DataTable
            label="Alle Monate"
            caption="Ihre Verbrauchsinformationen nach Monat"
            head={
              <tr>
                <th scope="col">Monat</th>
                <th scope="col" className="num">
                  Verbrauch
                </th>
                <th scope="col" className="num">
                  gegenüber Vorjahresmonat
                </th>
                <th scope="col">Hinweis</th>
              </tr>
            }
          >
            {months.map((m) => (
              <tr key={m.month} className={m.month === information?.month ? 'is-current' : undefined}>
                <th scope="row">
                  {m.month === information?.month ? (
                    <span aria-current="page">{germanMonth(m.month)}</span>
                  ) : (
                    <Link to={query(m.month)}>{germanMonth(m.month)}</Link>
                  )}
                </th>
                <td className="num">{formatKwh(m.totalKwh)}</td>
                <td className="num">{formatChange(m.changePreviousYear)}</td>
                <td>{m.estimated ? <span className="tag tag--estimated">Ersatzwert</span> : null}</td>
              </tr>
            ))}
          </DataTable>
        </Panel>
      ) : null}
    </>
  );
}

function Information({
  flat,
  content,
  publishedAt,
  revisedAt,
}: {
  flat: Flat;
  content: MonthlyInformationContent;
  publishedAt: Date | string;
  revisedAt: Date | string | null;
}) {
  const { comparisons } = content;
  const estimated = new Set(content.substitutes.map((s) => s.kind));
  return (
    <>
      <section className="consumption-summary" aria-label="Verbrauch des Monats">
        <div className="stat stat--main">
          <span className="stat__label">Heizung und Warmwasser</span>
          <span className="stat__value">{formatKwh(content.totalKwh)}</span>
          {content.estimated ? <span className="tag tag--estimated">enthält Ersatzwert</span> : null}
        </div>
        <div className="stat">
          <span className="stat__label">Heizung</span>
          <span className="stat__value stat__value--small">{formatKwh(content.heatingKwh)}</span>
          <span className="stat__note">
            {content.heatingUnits !== null ? `${formatNumber(content.heatingUnits, true)} Einheiten der Heizkostenverteiler` : null}
            {estimated.has('heating') ? ' · Ersatzwert' : null}
          </span>
        </div>
        <div className="stat">
          <span className="stat__label">Warmwasser</span>
          <span className="stat__value stat__value--small">{formatKwh(content.hotWaterKwh)}</span>
          <span className="stat__note">
            {content.hotWaterM3 !== null ? `${formatNumber(content.hotWaterM3, true)} m³` : 'kein Warmwasserzähler'}
            {estimated.has('hotWater') ? ' · Ersatzwert' : null}
          </span>
        </div>
      </section>

      <section className="comparisons" aria-label="Vergleiche">
        <ComparisonCard
          title="Vormonat"
          detail={germanMonth(content.series[content.series.length - 2]!.month)}
          comparison={comparisons.previousMonth}
        />
        <ComparisonCard
          title="Vorjahresmonat"
          detail={germanMonth(content.series[content.series.length - 13]!.month)}
          comparison={comparisons.previousYear}
        />
        <ComparisonCard
          title="Vergleichbare Wohnungen"
          detail={
            comparisons.peers
              ? // §6a: which group the average user comes from (a small building's from a wider one).
                (comparisons.peers.groupLabel ??
                  `${comparisons.peers.basis === 'class' ? comparisons.peers.classLabel : 'alle Wohnungen'} im Haus, ${comparisons.peers.units} Wohnungen`) +
                (comparisons.peers.source ? ` – ${comparisons.peers.source}` : '')
              : 'zu wenige vergleichbare Wohnungen'
          }
          comparison={comparisons.peers}
        />
      </section>

      <Panel id="hints" title="Auf einen Blick">
        <ul className="hints">
          {content.hints.map((hint) => (
            <li key={hint.kind} className={`hint hint--${hint.tone}`}>
              <span className="hint__symbol" aria-hidden="true">
                {HINT_SYMBOLS[hint.tone]}
              </span>
              {hint.text}
            </li>
          ))}
        </ul>
        {content.tips.length > 0 ? (
          <>
            <h3 className="subheading">Energiespartipps</h3>
            <p className="muted">Ihr Verbrauch liegt über dem vergleichbarer Wohnungen. Das hilft erfahrungsgemäß:</p>
            <ul className="tips">
              {content.tips.map((tip) => (
                <li key={tip} className={HOT_WATER_TIPS.includes(tip) ? 'tip tip--water' : 'tip'}>
                  {tip}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Panel>

      <Panel id="chart" title="Verlauf: dieses Jahr und Vorjahr">
        <ConsumptionChart content={content} />
      </Panel>

      <div className="grid-2">
        <Panel id="devices" title="Ihre Geräte im Monat">
          {content.devices.length === 0 ? (
            <EmptyState>In Ihrer Wohnung sind keine Verbrauchszähler erfasst.</EmptyState>
          ) : (
            <ul className="device-states">
              {content.devices.map((d) => (
                <li key={d.serial}>
                  <span className={d.ok ? 'tag tag--ok' : 'tag tag--warning'}>{d.ok ? 'Werte vollständig' : 'Werte fehlen'}</span>
                  <span>
                    <strong>{DEVICE_TYPE_LABELS[d.type]}</strong> <span className="mono">{d.serial}</span>
                    {d.location ? ` · ${d.location}` : ''}
                  </span>
                  {d.remoteReadable ? null : <span className="tag tag--warning">nicht fernablesbar</span>}
                </li>
              ))}
            </ul>
          )}
        </Panel>
        <Panel id="assumptions" title="So wird gerechnet">
          <Assumptions content={content} flat={flat} />
        </Panel>
      </div>
      <p className="muted provided-note">
        Bereitgestellt am {formatDateTime(publishedAt)}
        {revisedAt ? `, aktualisiert am ${formatDateTime(revisedAt)} (nachgelieferte Ablesewerte)` : ''}.
      </p>
    </>
  );
}

function ComparisonCard({
  title,
  detail,
  comparison,
}: {
  title: string;
  detail: string;
  comparison: { kwh: number; changePercent: number | null } | null;
}) {
  const tone = comparison?.changePercent ? (comparison.changePercent > 0 ? 'up' : 'down') : 'same';
  return (
    <div className={`comparison comparison--${tone}`}>
      <span className="comparison__title">{title}</span>
      <span className="comparison__detail">{detail}</span>
      {comparison ? (
        <>
          <span className="comparison__value">{formatKwh(comparison.kwh)}</span>
          <span className="comparison__change">Ihr Verbrauch: {formatChange(comparison.changePercent)}</span>
        </>
      ) : (
        <span className="comparison__value comparison__value--none">kein Vergleichswert</span>
      )}
    </div>
  );
}

function Assumptions({ content, flat }: { content: MonthlyInformationContent; flat: Flat }) {
  const { assumptions } = content;
  const factor = formatNumber(assumptions.hkvKwhPerUnit, true);
  return (
    <dl className="assumptions">
      <dt>Heizung</dt>
      <dd>
        Heizkostenverteiler zählen Verbrauchseinheiten, keine kWh. Umgerechnet wird mit dem Faktor{' '}
        {assumptions.source === 'property'
          ? 'Ihres Hauses'
          : '(vorläufiger Standardwert, bis Ihre Verwaltung den Faktor des Hauses festlegt)'}
        : 1 Einheit = {factor} kWh.
      </dd>
      <dt>Warmwasser</dt>
      <dd>
        Nach § 9 HeizkostenV: 2,5 kWh je m³ und Kelvin × gemessene m³ × ({formatNumber(assumptions.hotWaterTempC, true)} °C − 10 °C)
        {assumptions.districtHeating ? ', bei Fernwärme geteilt durch 1,15' : ''}.
      </dd>
      <dt>Monatswerte</dt>
      <dd>
        Differenz der Zählerstände zum Monatsanfang (deutsche Zeit), je Gerät der Wert, der dem Monatswechsel am nächsten liegt (höchstens 3
        Tage entfernt).
      </dd>
      <dt>Vergleich</dt>
      <dd>
        Wohnungen desselben Hauses mit ähnlicher Fläche ({flat.label}: {formatNumber(content.areaM2, true)} m²), deren Werte vollständig
        gemessen sind; je m² gemittelt und auf Ihre Fläche umgerechnet. Gibt es weniger als drei, alle Wohnungen des Hauses.
      </dd>
      {content.substitutes.length > 0 ? (
        <>
          <dt>Ersatzwert</dt>
          <dd>
            {content.substitutes
              .map((s) => `${s.kind === 'heating' ? 'Heizung' : 'Warmwasser'}: ${formatKwh(s.kwh)} – ${SUBSTITUTE_LABELS[s.method]}`)
              .join('; ')}
            . Fehlende Werte werden nachgetragen, sobald sie vorliegen.
          </dd>
        </>
      ) : null}
    </dl>
  );
}

// ---- The chart: drawn by hand, with the same figures as a table for screen readers and print ----

const CHART = { width: 720, height: 280, left: 56, right: 16, top: 16, bottom: 40 };

/** Gridlines at a round step (1, 2, 2.5 or 5 times a power of ten), about five of them up to the largest value. */
function axisTicks(largest: number): number[] {
  const rough = Math.max(largest, 1) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((candidate) => candidate >= rough)!;
  const top = Math.ceil((largest * 1.05) / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
}

function ConsumptionChart({ content }: { content: MonthlyInformationContent }) {
  const months = monthsEnding(content.month, PEER_MONTHS);
  const kwhOf = new Map(content.series.map((p) => [p.month, p.kwh]));
  const peerOf = new Map(content.peerSeries.map((p) => [p.month, p.kwh]));
  const rows = months.map((month) => {
    const lastYear = content.series[content.series.findIndex((p) => p.month === month) - 12]?.kwh ?? null;
    return { month, thisYear: kwhOf.get(month) ?? null, lastYear, peers: peerOf.get(month) ?? null };
  });
  const values = rows.flatMap((r) => [r.thisYear, r.lastYear, r.peers]).filter((v): v is number => v !== null);
  const ticks = axisTicks(Math.max(0, ...values));
  const max = ticks[ticks.length - 1]!;
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const slot = plotWidth / rows.length;
  const bar = slot * 0.34;
  const y = (v: number) => CHART.top + plotHeight - (v / max) * plotHeight;
  const peerPoints = rows.map((r, i) => (r.peers === null ? null : { x: CHART.left + slot * i + slot / 2, y: y(r.peers) }));
  const current = rows[rows.length - 1]!;
  const summary =
    `${germanMonth(current.month)}: ${formatKwh(current.thisYear)}` +
    `${current.lastYear !== null ? `, Vorjahresmonat ${formatKwh(current.lastYear)}` : ''}` +
    `${current.peers !== null ? `, Durchschnitt vergleichbarer Wohnungen ${formatKwh(current.peers)}` : ''}.`;

  return (
    <figure className="chart">
      <div className="chart__scroll" role="region" aria-label="Verlaufsgrafik" tabIndex={0}>
        <svg viewBox={`0 0 ${CHART.width} ${CHART.height}`} role="img" aria-labelledby="chart-title chart-desc" className="chart__svg">
          <title id="chart-title">{`Verbrauch in kWh, ${germanMonth(months[0]!)} bis ${germanMonth(current.month)}, mit Vorjahr und Durchschnitt`}</title>
          <desc id="chart-desc">{`${summary} Die Tabelle unter der Grafik enthält alle Werte.`}</desc>
          <defs>
            <pattern id="estimated-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" className="chart__bar--this" />
              <line x1="0" y1="0" x2="0" y2="6" stroke="#fff" strokeWidth="2" />
            </pattern>
          </defs>
          {ticks.map((t) => (
            <g key={t}>
              <line x1={CHART.left} x2={CHART.width - CHART.right} y1={y(t)} y2={y(t)} className="chart__grid" />
              <text x={CHART.left - 8} y={y(t) + 4} textAnchor="end" className="chart__label">
                {formatNumber(t)}
              </text>
            </g>
          ))}
          <text
            x={12}
            y={CHART.top + plotHeight / 2}
            transform={`rotate(-90 12 ${CHART.top + plotHeight / 2})`}
            textAnchor="middle"
            className="chart__label"
          >
            kWh
          </text>
          {rows.map((r, i) => {
            const x = CHART.left + slot * i + slot / 2;
            const isCurrent = i === rows.length - 1;
            return (
              <g key={r.month}>
                {r.lastYear !== null ? (
                  <rect x={x - bar - 1} y={y(r.lastYear)} width={bar} height={y(0) - y(r.lastYear)} className="chart__bar--last" />
                ) : null}
                {r.thisYear !== null ? (
                  <rect
                    x={x + 1}
                    y={y(r.thisYear)}
                    width={bar}
                    height={y(0) - y(r.thisYear)}
                    className="chart__bar--this"
                    fill={isCurrent && content.estimated ? 'url(#estimated-hatch)' : undefined}
                  />
                ) : null}
                <text
                  x={x}
                  y={CHART.height - CHART.bottom + 18}
                  textAnchor="middle"
                  className={isCurrent ? 'chart__label chart__label--current' : 'chart__label'}
                >
                  {germanMonthShort(r.month)}
                </text>
                {i === 0 || r.month.endsWith('-01') ? (
                  <text x={x} y={CHART.height - CHART.bottom + 33} textAnchor="middle" className="chart__label chart__label--year">
                    {r.month.slice(0, 4)}
                  </text>
                ) : null}
              </g>
            );
          })}
          {peerPoints.map((point, i) => {
            const next = peerPoints[i + 1];
            return point && next ? (
              <line key={`line-${rows[i]!.month}`} x1={point.x} y1={point.y} x2={next.x} y2={next.y} className="chart__peers" />
            ) : null;
          })}
          {peerPoints.map((point, i) =>
            point ? <circle key={`dot-${rows[i]!.month}`} cx={point.x} cy={point.y} r={3.5} className="chart__peer-dot" /> : null,
          )}
          <line x1={CHART.left} x2={CHART.width - CHART.right} y1={y(0)} y2={y(0)} className="chart__axis" />
        </svg>
      </div>
      <figcaption className="chart__legend">
        <span>
          <span className="swatch swatch--this" aria-hidden="true" />
          Ihr Verbrauch
        </span>
        <span>
          <span className="swatch swatch--last" aria-hidden="true" />
          Vorjahr
        </span>
        <span>
          <span className="swatch swatch--peers" aria-hidden="true" />
          Durchschnitt vergleichbarer Wohnungen
        </span>
        {content.estimated ? (
          <span>
            <span className="swatch swatch--estimated" aria-hidden="true" />
            Ersatzwert
          </span>
        ) : null}
        {content.shownFrom && content.shownFrom > content.series[0]!.month ? (
          <span className="muted">Werte vor {germanMonth(content.shownFrom)} betreffen den Vormieter und werden nicht gezeigt.</span>
        ) : null}
      </figcaption>
      <details className="chart__data">
        <summary>Werte als Tabelle</summary>
        <table className="table">
          <caption className="visually-hidden">Verbrauch je Monat in kWh</caption>
          <thead>
            <tr>
              <th scope="col">Monat</th>
              <th scope="col" className="num">
                Ihr Verbrauch
              </th>
              <th scope="col" className="num">
                Vorjahr
              </th>
              <th scope="col" className="num">
                Vergleichbare Wohnungen
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.month}>
                <th scope="row">{germanMonth(r.month)}</th>
                <td className="num">{formatKwh(r.thisYear)}</td>
                <td className="num">{formatKwh(r.lastYear)}</td>
                <td className="num">{formatKwh(r.peers)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
