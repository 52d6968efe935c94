import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { ComplianceNav } from '~/components/compliance-nav';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import complianceStyles from '~/styles/compliance.css?url';
import { formatDateTime, formatNumber } from '../../domain/format';
import type { CoverageSection } from '../../domain/compliance/coverage';
import { coverageReport } from '../../server/compliance-coverage';
import { requireUserWithPermission } from '../../server/permissions';

export const meta: MetaFunction = () => [{ title: 'Abdeckung · Prüfung · Klarmeter' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: complianceStyles }];

/** Gaps shown per section; the counts above them are complete. */
const SHOWN = 500;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:compliance:any');
  const report = await coverageReport(user);
  const cut = (section: CoverageSection) => ({
    ...section,
    gaps: section.gaps.slice(0, SHOWN),
    hidden: Math.max(0, section.gaps.length - SHOWN),
  });
  return { devices: cut(report.devices), statements: cut(report.statements), checkedAt: report.checkedAt };
}

function Section({
  id,
  title,
  noun,
  section,
}: {
  id: string;
  title: string;
  noun: string;
  section: ReturnType<typeof useLoaderData<typeof loader>>['devices'];
}) {
  const complete = section.gaps.length === 0;
  return (
    <Panel id={id} title={title}>
      <p className={complete ? 'alert alert--info' : 'alert alert--error'} role="status">
        {formatNumber(section.covered)} von {formatNumber(section.expected)} {noun} überwacht
        {complete ? ': lückenlos.' : `, ${formatNumber(section.expected - section.covered)} ohne laufende Pflicht.`}
      </p>
      {complete ? null : (
        <DataTable
          label={`Lücken: ${title}`}
          caption={`${title} ohne laufende Pflicht`}
          head={
            <tr>
              <th scope="col">Liegenschaft</th>
              <th scope="col">Objekt</th>
              <th scope="col">Befund</th>
              <th scope="col">Workflow</th>
            </tr>
          }
        >
          {section.gaps.map((gap) => (
            <tr key={gap.workflowId}>
              <td>{gap.property}</td>
              <td>
                <Link to={gap.pagePath}>{gap.label}</Link>
              </td>
              <td>{gap.reason}</td>
              <td>
                {gap.reason === 'Kein Workflow vorhanden' ? (
                  <code>{gap.workflowId}</code>
                ) : (
                  <Link to={`/pruefung/verlauf/${encodeURIComponent(gap.workflowId)}`}>{gap.workflowId}</Link>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {section.hidden > 0 ? <p>… und {formatNumber(section.hidden)} weitere.</p> : null}
    </Panel>
  );
}

export default function Coverage() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Abdeckung"
        description={`Hat jedes Gerät in Betrieb und jede gültige Abrechnung ihre Pflicht in der Workflow-Engine? Geprüft am ${formatDateTime(data.checkedAt)}.`}
      />
      <ComplianceNav />
      {data.devices.expected === 0 && data.statements.expected === 0 ? <EmptyState>Noch keine Geräte und Abrechnungen.</EmptyState> : null}
      <Section id="devices" title="Gerätefristen" noun="Geräten in Betrieb" section={data.devices} />
      <Section id="statements" title="Abrechnungen" noun="gültigen Abrechnungsversionen" section={data.statements} />
    </>
  );
}
