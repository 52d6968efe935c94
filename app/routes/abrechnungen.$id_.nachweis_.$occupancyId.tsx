import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { Facts, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import statementStyles from '~/styles/statements.css?url';
import { formatDate, formatDateTime } from '../../domain/format';
import { KEY_PAGE_PATH, recipientProofPage } from '../../server/recipient-proof';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data ? `Zustellnachweis ${data.documentNumber} v${data.version} · ${data.unitLabel} · Klarmeter` : 'Zustellnachweis · Klarmeter',
  },
];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: statementStyles }];

/** GET /abrechnungen/:id/nachweis/:occupancyId — one recipient's proof: its timeline, verification and downloads. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return { ...(await recipientProofPage(request, params.id, params.occupancyId)), keyPage: KEY_PAGE_PATH };
}

export default function RecipientProofPage() {
  const data = useLoaderData<typeof loader>();
  const base = `/abrechnungen/${data.statementId}/nachweis/${data.occupancyId}`;
  const { verification } = data;
  return (
    <>
      <PageHeader
        eyebrow={data.versionProofLink ? <Link to={data.versionProofLink}>← Zum Nachweis der Abrechnung</Link> : null}
        title="Zustellnachweis je Empfänger"
        description={
          <>
            {data.propertyName} · {data.unitLabel} · v{data.version} · <span className="mono">{data.documentNumber}</span>
          </>
        }
        actions={
          <>
            <a href={`${base}/nachweis.zip`} className="button button--primary" download>
              Nachweispaket (ZIP)
            </a>
            <a href={`${base}/nachweis.pdf`} className="button" download>
              Nachweis als PDF
            </a>
          </>
        }
      />
      <Panel id="recipient" title="Empfänger">
        <Facts
          items={[
            ['Mietpartei', data.recipientName],
            ['Einheit', data.unitLabel],
            ['Zustellweg', data.channel === 'post' ? 'per Post' : 'im Portal'],
            ['Zugang', formatDate(data.receivedOn)],
            ['Einspruchsfrist bis', formatDate(data.objectionDeadline)],
          ]}
        />
      </Panel>
      <Panel id="verification" title="Prüfung">
        {'unavailable' in verification ? (
          <p className="alert alert--error" role="alert" data-bundle-valid="unavailable">
            Das Nachweispaket kann nicht erstellt werden: {verification.unavailable}
          </p>
        ) : verification.valid ? (
          <p className="alert alert--info" data-bundle-valid="true">
            Gültig: {verification.events} Ereignisse, lückenlos verkettet, der Kopf mit dem Schlüssel der Installation signiert, das
            zugestellte PDF unverändert. Schlüssel (SHA-256): <span className="mono">{verification.keyFingerprint}</span> – vergleichen Sie
            ihn mit der <Link to={data.keyPage}>öffentlichen Schlüsselseite</Link>.
          </p>
        ) : (
          <p className="alert alert--error" role="alert" data-bundle-valid="false">
            Ungültig: {verification.reason}
          </p>
        )}
        <p className="muted">
          Das Nachweispaket enthält die Ereignisse (events.jsonl), den signierten Kopf, den öffentlichen Schlüssel, das zugestellte PDF und
          eine Anleitung (VERIFY.txt), mit der es jeder ohne das Portal mit openssl und sha256sum prüfen kann.
        </p>
      </Panel>
      <Panel id="timeline" title="Ereignisse">
        <DataTable
          label="Ereignisse des Empfängers"
          caption="Ereignisse mit Zeit, Handelndem, IP-Adresse und Prüfsumme"
          head={
            <tr>
              <th scope="col" className="num">
                Nr.
              </th>
              <th scope="col">Schritt</th>
              <th scope="col">Zeit (Server)</th>
              <th scope="col">Wer</th>
              <th scope="col">IP</th>
              <th scope="col">Hinweis</th>
              <th scope="col">SHA-256</th>
            </tr>
          }
        >
          {data.timeline.map((e) => (
            <tr key={e.seq}>
              <td className="num">{e.seq}</td>
              <th scope="row">{e.label}</th>
              <td>{formatDateTime(e.at)}</td>
              <td>{e.actor}</td>
              <td className="mono">{e.ip ?? '–'}</td>
              <td>{e.note ?? '–'}</td>
              <td className="mono" title={e.hash}>
                {e.hash.slice(0, 12)}…
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>
    </>
  );
}
