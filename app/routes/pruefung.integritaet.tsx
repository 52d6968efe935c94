import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ComplianceNav } from '~/components/compliance-nav';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { FindingsBanner, OpenFinding } from '~/components/proof-findings';
import complianceStyles from '~/styles/compliance.css?url';
import { formatDateTime, formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { forbidden, requireUserWithPermission } from '../../server/permissions';
import { RESOLUTION_NOTE_MAX } from '../../domain/contracts/proof-verification';
import {
  findingsFor,
  mayResolveFindings,
  recentRuns,
  requestVerification,
  resolveFinding,
  seesFindings,
  type FindingOutcome,
} from '../../server/proof-findings';
import { clientIp, requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Nachweisprüfung · Prüfung · Klarmeter' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: complianceStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:compliance:any');
  if (!seesFindings(user)) throw forbidden();
  const [findings, runs] = await Promise.all([findingsFor(user), recentRuns(user)]);
  return { ...findings, runs, canResolve: mayResolveFindings(user) };
}

type ActionResult = FindingOutcome & { findingId?: number };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'read:compliance:any');
  if (!seesFindings(user)) throw forbidden();
  const form = await request.formData();
  const ip = clientIp(context);
  const intent = form.get('intent');
  if (intent === 'run') return requestVerification(user, ip);
  if (intent === 'resolve') {
    const findingId = parseId(String(form.get('findingId') ?? ''));
    if (findingId === null) return { ok: false, message: 'findingId: kein gültiger Befund.' };
    return { ...(await resolveFinding(user, findingId, String(form.get('note') ?? ''), ip)), findingId };
  }
  throw new Response('Ungültige Anfrage', { status: 400 });
}

const RUN_SCOPE = { installation: 'alle Organisationen (nächtlich)', organisation: 'diese Organisation (auf Anforderung)' } as const;

export default function ProofIntegrity() {
  const { open, resolved, runs, canResolve } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const starting = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'run';
  const errorFor = (id: number) => (result && !result.ok && result.findingId === id && 'field' in result ? result.message : null);
  return (
    <>
      <PageHeader
        title="Nachweisprüfung"
        description="Jede Nacht um 02:30 Uhr prüft Klarmeter alle Nachweisketten der Abrechnungen, ihre signierten und im Workflow-Verlauf verankerten Köpfe, die zugestellten Dokumente und das Prüfprotokoll. Abweichungen bleiben hier stehen, bis die Compliance sie mit einem Vermerk erledigt."
        actions={
          <Form method="post">
            <button type="submit" name="intent" value="run" className="button button--primary" disabled={starting}>
              {starting ? 'Wird gestartet …' : 'Jetzt prüfen'}
            </button>
          </Form>
        }
      />
      <ComplianceNav />
      {result && (result.ok || !('field' in result)) ? (
        <div className={result.ok ? 'alert alert--info' : 'alert alert--error'} role={result.ok ? 'status' : 'alert'}>
          {result.message}
        </div>
      ) : null}
      <FindingsBanner count={open.length} linked={false} />
      <Panel id="open-findings" title="Offene Befunde">
        {open.length === 0 ? (
          <EmptyState>Keine offenen Befunde: Die letzte Prüfung hat keine Abweichung gefunden, oder alle sind erledigt.</EmptyState>
        ) : (
          <ul className="findings">
            {open.map((finding) => (
              <OpenFinding
                key={finding.id}
                finding={finding}
                canResolve={canResolve}
                error={errorFor(finding.id)}
                noteMax={RESOLUTION_NOTE_MAX}
              />
            ))}
          </ul>
        )}
        {!canResolve && open.length > 0 ? <p>Befunde als erledigt vermerken kann nur die Compliance.</p> : null}
      </Panel>
      <Panel id="runs" title="Letzte Prüfläufe">
        {runs.length === 0 ? (
          <EmptyState>Noch kein Prüflauf.</EmptyState>
        ) : (
          <DataTable
            label="Prüfläufe"
            caption="Die letzten Prüfläufe"
            head={
              <tr>
                <th scope="col">Begonnen</th>
                <th scope="col">Umfang</th>
                <th scope="col">Beendet</th>
                <th scope="col">Ketten</th>
                <th scope="col">Dokumente</th>
                <th scope="col">Protokolleinträge</th>
                <th scope="col">Befunde</th>
              </tr>
            }
          >
            {runs.map((run) => (
              <tr key={run.id}>
                <td>{formatDateTime(run.startedAt)}</td>
                <td>
                  {RUN_SCOPE[run.scope]}
                  {run.requestedBy ? ` · ${run.requestedBy}` : ''}
                </td>
                <td>{run.finishedAt ? formatDateTime(run.finishedAt) : 'läuft'}</td>
                <td>{run.chains === null ? '–' : formatNumber(run.chains)}</td>
                <td>{run.documents === null ? '–' : formatNumber(run.documents)}</td>
                <td>{run.auditEntries === null ? '–' : formatNumber(run.auditEntries)}</td>
                <td>{formatNumber(run.findings)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
      {resolved.length > 0 ? (
        <Panel id="resolved-findings" title="Erledigte Befunde">
          <DataTable
            label="Erledigte Befunde"
            caption="Zuletzt erledigte Befunde"
            head={
              <tr>
                <th scope="col">Betrifft</th>
                <th scope="col">Befund</th>
                <th scope="col">Erledigt</th>
                <th scope="col">Vermerk</th>
              </tr>
            }
          >
            {resolved.map((finding) => (
              <tr key={finding.id}>
                <td>{finding.subjectLabel}</td>
                <td>{finding.message}</td>
                <td>
                  {finding.resolvedAt ? formatDateTime(finding.resolvedAt) : '–'}
                  {finding.resolvedBy ? ` · ${finding.resolvedBy}` : ''}
                </td>
                <td>{finding.resolutionNote}</td>
              </tr>
            ))}
          </DataTable>
        </Panel>
      ) : null}
    </>
  );
}
