import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { PageHeader, Panel } from '~/components/page-header';
import statementStyles from '~/styles/statements.css?url';
import { installationKeys } from '../../server/recipient-proof';

export const meta: MetaFunction = () => [
  { title: 'Öffentliche Schlüssel der Zustellnachweise · Klarmeter' },
  { name: 'description', content: 'Die öffentlichen Ed25519-Schlüssel, mit denen diese Installation ihre Zustellnachweise signiert.' },
];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: statementStyles }];

/** GET /schluessel — public, without login: a verifier checks a bundle's public-key.pem against these. */
export function loader() {
  return installationKeys();
}

function KeyBlock({ id, pem, fingerprint }: { id: string; pem: string; fingerprint: string }) {
  return (
    <div className="key-block">
      <p>
        Fingerabdruck (SHA-256 des DER-kodierten Schlüssels):{' '}
        <code className="mono" id={`${id}-fingerprint`} data-fingerprint={fingerprint}>
          {fingerprint}
        </code>
      </p>
      <pre className="mono" aria-label="Öffentlicher Schlüssel im PEM-Format" tabIndex={0}>
        {pem}
      </pre>
    </div>
  );
}

export default function PublicKeys() {
  const { current, previous } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="Öffentliche Schlüssel der Zustellnachweise"
        description="Jeder Zustellnachweis dieser Installation ist mit einem dieser Ed25519-Schlüssel signiert. Stimmt der Fingerabdruck der Datei public-key.pem eines Nachweispakets mit einem hier genannten überein, stammt der Nachweis von dieser Installation."
      />
      <Panel id="current" title="Aktueller Schlüssel">
        {current ? (
          <KeyBlock id="current" pem={current.pem} fingerprint={current.fingerprint} />
        ) : (
          <p className="alert alert--error" role="alert">
            Diese Installation hat keinen Signaturschlüssel eingerichtet.
          </p>
        )}
      </Panel>
      <Panel id="previous" title="Frühere Schlüssel">
        {previous.length === 0 ? (
          <p className="muted">Keine: der Schlüssel wurde noch nie gewechselt.</p>
        ) : (
          <>
            <p className="muted">Nachweise, die vor einem Schlüsselwechsel signiert wurden, bleiben mit diesen Schlüsseln prüfbar.</p>
            {previous.map((key, i) => (
              <KeyBlock key={key.fingerprint} id={`previous-${i}`} pem={key.pem} fingerprint={key.fingerprint} />
            ))}
          </>
        )}
      </Panel>
      <Panel id="how" title="So prüfen Sie einen Nachweis">
        <p>Im entpackten Ordner des Nachweispakets (bash, openssl ab 3.0):</p>
        <pre className="mono" tabIndex={0}>
          {[
            'openssl pkey -pubin -in public-key.pem -outform DER | sha256sum',
            'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in head.json -sigfile <(base64 -d head.sig)',
          ].join('\n')}
        </pre>
        <p>
          Der erste Befehl zeigt den Fingerabdruck, der mit einem der oben genannten übereinstimmen muss; der zweite prüft die Signatur.
          Alle weiteren Schritte beschreibt die Datei VERIFY.txt im Paket.
        </p>
      </Panel>
    </>
  );
}
