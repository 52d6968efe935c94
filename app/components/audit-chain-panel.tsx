import { Panel } from '~/components/page-header';
import { formatDateTime, formatNumber } from '../../domain/format';
import type { ChainState } from '../../server/compliance-audit';

/**
 * The chain's verdict: what this load verified (from the last verified position on), the last walk
 * from the genesis, the newest entry and the newest signed head.
 */
export function AuditChainPanel({ chain }: { chain: ChainState }) {
  return (
    <Panel id="chain" title="Prüfung der Kette">
      {chain.ok ? (
        <div className="alert alert--info" role="status">
          Kette unversehrt: {formatNumber(chain.entries)} Einträge, geprüft am {formatDateTime(chain.verifiedAt)}
          {chain.resumedFrom
            ? ` (ab dem zuletzt geprüften Eintrag Nr. ${chain.resumedFrom.id}: ${formatNumber(chain.checked)} neue Einträge jetzt geprüft, Eintrag Nr. ${chain.resumedFrom.id} erneut berechnet).`
            : ' (vollständig ab dem ersten Eintrag).'}
        </div>
      ) : (
        <div className="alert alert--error" role="alert">
          Kette verletzt bei Eintrag Nr. {chain.brokenAt?.id}: {chain.brokenAt?.reason} ({formatNumber(chain.checked)} Einträge geprüft).
        </div>
      )}
      <p>
        {chain.lastFullCheck
          ? `Letzte vollständige Prüfung ab dem ersten Eintrag: ${formatDateTime(chain.lastFullCheck.verifiedAt)} (bis Eintrag Nr. ${chain.lastFullCheck.id}).`
          : 'Noch keine vollständige Prüfung ab dem ersten Eintrag aufgezeichnet.'}{' '}
        Ältere Einträge sind unveränderlich gespeichert; die vollständige Prüfung läuft mit{' '}
        <code>npm run -s cli -- audit verify --full</code>.
      </p>
      {chain.head ? (
        <p>
          Kopf der Kette: Eintrag Nr. {chain.head.id} vom {formatDateTime(chain.head.at)}, SHA-256 <code>{chain.head.hash}</code>
        </p>
      ) : null}
      {chain.signedHead ? (
        <p>
          Zuletzt signierter Kopf: Eintrag Nr. {chain.signedHead.id}
          {chain.signedHead.signedAt ? ` vom ${formatDateTime(chain.signedHead.signedAt)}` : ''}, Schlüssel{' '}
          <code>{chain.signedHead.keyFingerprint.slice(0, 16)}…</code>
          {chain.signedHead.matches ? ' – stimmt mit dem gespeicherten Eintrag überein.' : ' – weicht vom gespeicherten Eintrag ab!'}
        </p>
      ) : (
        <p>Kein signierter Kopf gespeichert.</p>
      )}
    </Panel>
  );
}
