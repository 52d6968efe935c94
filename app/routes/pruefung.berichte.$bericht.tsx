import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, NavLink, useLoaderData } from '@remix-run/react';
import { ComplianceNav, FilterActions, FilterErrorsAlert } from '~/components/compliance-nav';
import { DataTable } from '~/components/data-table';
import { PageHeader, Panel } from '~/components/page-header';
import complianceStyles from '~/styles/compliance.css?url';
import { formatNumber } from '../../domain/format';
import { REPORT_KINDS, REPORT_TITLES, isReportKind, reportQuery, type ReportKind } from '../../domain/compliance/coverage-reports';
import { hasPermission } from '../../domain/permissions';
import { loadCoverageReport, printedReport } from '../../server/compliance-reports';
import { notFound, requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data ? REPORT_TITLES[data.kind] : 'Bericht'} · Prüfung · Klarmeter` },
];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: complianceStyles }];

/** Rows shown per table; the counts above are complete and the PDF lists every row. */
const SHOWN = 500;

const INTRO: Readonly<Record<ReportKind, string>> = {
  monatsinformation:
    'Hat die Monatsinformation (§ 6a HKVO) jede Einheit bis zum 5. des Folgemonats erreicht? Je Liegenschaft: fällige und informierte Einheiten, wann bereitgestellt, ob geöffnet, und jede fehlende Einheit mit Namen.',
  abrechnungen:
    'Ist jede Abrechnung eines Jahres jedem Mieter innerhalb der Frist des § 556 Abs. 3 BGB zugegangen? Zugang und Frist je Empfänger.',
  fristen: 'Welche Eich-, Austausch- und Wartungsfristen eines Jahres wurden eingehalten, versäumt oder verspätet erledigt? Je Gerätetyp.',
};

/** GET /pruefung/berichte/:bericht — one coverage report with its filters (property, month or year). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:compliance:any');
  const kind = params.bericht;
  if (!isReportKind(kind)) throw notFound();
  const loaded = await loadCoverageReport(user, kind, new URL(request.url).searchParams);
  if (!loaded) throw notFound();
  const { data } = loaded;
  const printed = data ? printedReport({ ...loaded, data }, user) : null;
  return {
    kind,
    properties: loaded.properties,
    filters: loaded.parsed.filters,
    errors: loaded.parsed.errors,
    query: reportQuery(kind, loaded.parsed.filters),
    canExport: hasPermission(user, 'export:compliance:any'),
    report: printed && {
      subtitle: printed.subtitle,
      facts: printed.facts,
      note: printed.note,
      tables: printed.tables.map((table) => ({
        ...table,
        rows: table.rows.slice(0, SHOWN),
        hidden: Math.max(0, table.rows.length - SHOWN),
      })),
    },
  };
}

export default function CoverageReportPage() {
  const { kind, properties, filters, errors, query, canExport, report } = useLoaderData<typeof loader>();
  const invalid = (name: keyof typeof errors) =>
    errors[name] ? { 'aria-invalid': true as const, 'aria-describedby': `report-error-${name}` } : {};
  const error = (name: keyof typeof errors) =>
    errors[name] ? (
      <p className="field-error" id={`report-error-${name}`}>
        {errors[name]}
      </p>
    ) : null;
  return (
    <>
      <PageHeader
        title={REPORT_TITLES[kind]}
        description={INTRO[kind]}
        actions={
          canExport && report ? (
            <a href={`/pruefung/berichte/${kind}/pdf?${query}`} className="button" download>
              Als PDF herunterladen
            </a>
          ) : null
        }
      />
      <ComplianceNav />
      <nav aria-label="Berichte" className="tabs">
        {REPORT_KINDS.map((other) => (
          <NavLink key={other} to={`/pruefung/berichte/${other}`} className="tabs__tab">
            {REPORT_TITLES[other]}
          </NavLink>
        ))}
      </nav>
      <Form method="get" className="filters" role="search" aria-label="Bericht auswählen">
        <div className="field">
          <label htmlFor="report-property">Liegenschaft</label>
          <select id="report-property" name="property" defaultValue={filters.propertyId ?? ''} {...invalid('propertyId')}>
            <option value="">Alle Liegenschaften</option>
            {properties.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          {error('propertyId')}
        </div>
        {kind === 'monatsinformation' ? (
          <div className="field">
            <label htmlFor="report-month">Verbrauchsmonat</label>
            <input id="report-month" name="month" type="month" defaultValue={filters.month} required {...invalid('month')} />
            {error('month')}
          </div>
        ) : (
          <div className="field">
            <label htmlFor="report-year">{kind === 'abrechnungen' ? 'Abrechnungsjahr (Ende des Zeitraums)' : 'Jahr der Fälligkeit'}</label>
            <input
              id="report-year"
              name="year"
              type="number"
              min={2000}
              max={2100}
              defaultValue={filters.year}
              required
              {...invalid('year')}
            />
            {error('year')}
          </div>
        )}
        <FilterActions submit="Anzeigen" resetTo={`/pruefung/berichte/${kind}`} />
      </Form>
      <FilterErrorsAlert shown={Object.keys(errors).length > 0} />
      {report ? (
        <>
          <Panel id="report-summary" title={report.subtitle}>
            <dl className="facts">
              {report.facts.map((fact) => (
                <div key={fact.label}>
                  <dt>{fact.label}</dt>
                  <dd>{fact.value}</dd>
                </div>
              ))}
            </dl>
          </Panel>
          {report.tables.map((table, i) => (
            <Panel key={table.caption} id={`report-table-${i}`} title={table.caption}>
              {table.rows.length === 0 ? (
                <p>{table.empty}</p>
              ) : (
                <DataTable
                  label={table.caption}
                  caption={table.caption}
                  head={
                    <tr>
                      {table.head.map((head) => (
                        <th key={head} scope="col">
                          {head}
                        </th>
                      ))}
                    </tr>
                  }
                >
                  {table.rows.map((row, r) => (
                    <tr key={r}>
                      {row.map((cell, c) => (
                        <td key={c}>{cell}</td>
                      ))}
                    </tr>
                  ))}
                </DataTable>
              )}
              {table.hidden > 0 ? <p>… und {formatNumber(table.hidden)} weitere (vollständig im PDF).</p> : null}
            </Panel>
          ))}
          <p className="muted">{report.note}</p>
        </>
      ) : null}
    </>
  );
}
