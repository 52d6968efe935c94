import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { PageHeader, Panel } from '~/components/page-header';
import { LifecycleSection } from '~/components/statement-lifecycle';
import { RecipientsTable } from '~/components/statement-recipients';
import { DataTable } from '~/components/data-table';
import { useLiveRevalidation } from '~/hooks/use-live-revalidation';
import statementStyles from '~/styles/statements.css?url';
import { formatDateTime } from '../../domain/format';
import { formatPeriod } from '../../domain/statement-format';
import { loadStatementProof } from '../../server/statement-lifecycle';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Zustellnachweis ${data.statement.documentNumber} · Klarmeter` : 'Zustellnachweis · Klarmeter' },
];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: statementStyles }];

/** GET /abrechnungen/:id/nachweis — the version's proof chain, verified on every load. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { statement, stored, lifecycle, proof, verification } = await loadStatementProof(request, params.id);
  return {
    verification,
    statement: {
      id: stored.id,
      version: stored.version,
      documentNumber: stored.documentNumber,
      propertyName: statement.property.name,
      period: statement.period,
    },
    lifecycle,
    events: proof.events,
    documents: proof.documents && {
      sha256: proof.documents.sha256,
      entries: proof.documents.documents.map((d) => ({
        ...d,
        unitLabel: statement.units.find((u) => u.unitId === d.unitId)?.label ?? `Einheit ${d.unitId}`,
      })),
    },
  };
}

export default function ProofPage() {
  const { statement, lifecycle, events, documents, verification } = useLoaderData<typeof loader>();
  useLiveRevalidation();
  return (
    <>
      <PageHeader
        eyebrow={<Link to={`/abrechnungen/${statement.id}`}>← Zur Abrechnung</Link>}
        title="Zustellnachweis"
        description={
          <>
            {statement.propertyName} · {formatPeriod(statement.period.start, statement.period.end)} · v{statement.version} ·{' '}
            <span className="mono">{statement.documentNumber}</span>
          </>
        }
        actions={
          <a href={`/abrechnungen/${statement.id}/nachweis.pdf`} className="button button--primary" download>
            Nachweis als PDF
          </a>
        }
      />
      <LifecycleSection
        statementId={statement.id}
        lifecycle={lifecycle}
        actions={
          lifecycle.recipientSummary ? (
            <RecipientsTable statementId={statement.id} recipients={lifecycle.recipients} summary={lifecycle.recipientSummary} />
          ) : null
        }
      />
      {lifecycle.recipients.length > 0 ? (
        <Panel id="recipient-proofs" title="Nachweis je Empfänger">
          <p className="muted">
            Je Mietpartei ein eigener Nachweis mit Nachweispaket (ZIP), das jeder mit openssl prüfen kann; die Schlüssel der Installation
            stehen auf der <Link to="/schluessel">öffentlichen Schlüsselseite</Link>.
          </p>
          <ul>
            {lifecycle.recipients.map((r) => (
              <li key={r.occupancyId}>
                <Link to={`/abrechnungen/${statement.id}/nachweis/${r.occupancyId}`}>
                  {r.unitLabel} · {r.tenantName} · {r.channel === 'post' ? 'per Post' : 'im Portal'}
                </Link>
              </li>
            ))}
          </ul>
        </Panel>
      ) : null}
      <Panel id="anchor" title="Signatur und Verankerung">
        {'unavailable' in verification ? (
          <p className="alert alert--error" role="alert">
            Die Verankerung in Temporal ließ sich nicht prüfen: {verification.unavailable}
          </p>
        ) : verification.ok ? (
          <p className="alert alert--info" data-proof-anchored="true">
            Der jüngste Kopf der Kette ist mit dem Schlüssel der Installation signiert und stimmt mit den im Workflow-Verlauf verankerten
            Köpfen überein (bis Ereignis Nr. {verification.anchoredSeq}).
          </p>
        ) : (
          <ul className="alert alert--error" role="alert" data-proof-anchored="false">
            {verification.findings.map((f) => (
              <li key={`${f.problem}-${f.message}`}>{f.message}</li>
            ))}
          </ul>
        )}
      </Panel>
      <Panel id="chain" title="Nachweiskette (SHA-256)">
        <DataTable
          label="Nachweiskette"
          caption="Ereignisse mit Prüfsummen"
          head={
            <tr>
              <th scope="col" className="num">
                Nr.
              </th>
              <th scope="col">Schritt</th>
              <th scope="col">Zeit (Server)</th>
              <th scope="col">Wer</th>
              <th scope="col">IP</th>
              <th scope="col">Dokument</th>
              <th scope="col">Vorgänger</th>
              <th scope="col">Hash</th>
            </tr>
          }
        >
          {events.map((e) => (
            <tr key={e.seq}>
              <td className="num">{e.seq}</td>
              <th scope="row">{e.label}</th>
              <td>{formatDateTime(e.at)}</td>
              <td>{e.actor}</td>
              <td className="mono">{e.ip ?? '–'}</td>
              <td className="mono" title={e.documentSha256}>
                {e.documentSha256.slice(0, 12)}…
              </td>
              <td className="mono" title={e.prevHash}>
                {e.prevHash.slice(0, 12)}…
              </td>
              <td className="mono" title={e.hash}>
                {e.hash.slice(0, 12)}…
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>
      {documents ? (
        <Panel id="documents" title="Freigegebene PDF-Dokumente (SHA-256)">
          <p className="muted">
            Bei der Freigabe erzeugt und unverändert gespeichert. Ab der Freigabe verweist jedes Ereignis auf die Prüfsumme dieser Liste:{' '}
            <span className="mono">{documents.sha256}</span>
          </p>
          <DataTable
            label="PDF-Dokumente"
            caption="PDF-Dokumente je Einheit mit Prüfsummen"
            head={
              <tr>
                <th scope="col">Einheit</th>
                <th scope="col">Nutzung</th>
                <th scope="col" className="num">
                  Dokument
                </th>
                <th scope="col">SHA-256</th>
              </tr>
            }
          >
            {documents.entries.map((d) => (
              <tr key={`${d.unitId}:${d.occupancyKey ?? ''}`}>
                <th scope="row">{d.unitLabel}</th>
                <td>{d.occupancyKey ?? 'gesamte Einheit'}</td>
                <td className="num">{d.documentId}</td>
                <td className="mono">{d.sha256}</td>
              </tr>
            ))}
          </DataTable>
        </Panel>
      ) : null}
    </>
  );
}
