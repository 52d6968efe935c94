// A small but complete proof chain for tests of the evidence bundle: one recipient's statement,
// created, approved, delivered with its PDF, received, opened.
import type { KeyObject } from 'node:crypto';
import { nextChainLine, sha256Hex, type ChainEventFields } from '../../server/proof/chain';
import { buildBundle, type Bundle, type BundleDocument, type BundleManifestFields } from '../../server/proof/bundle';

export const samplePdf = Buffer.from('%PDF-1.7\n% Heizkostenabrechnung 2025, Whg. 1.03\n%%EOF\n', 'latin1');
export const samplePdfPath = 'documents/DOC-2026-00847-v3-whg-1.03.pdf';

export const sampleManifest: BundleManifestFields = {
  documentNumber: 'DOC-2026-00847',
  version: 3,
  property: { id: 12, name: 'Lindenstraße 7, 04109 Leipzig' },
  unit: 'Whg. 1.03',
  recipient: 'Erika Mustermann',
};

export function sampleEvents(): ChainEventFields[] {
  const document = { path: samplePdfPath, sha256: sha256Hex(samplePdf) };
  return [
    { kind: 'created', at: '2026-01-18T08:00:00.000Z', actor: 'verwalter@example.de', extra: { ip: '203.0.113.7' } },
    { kind: 'approved', at: '2026-01-18T08:05:00.000Z', actor: 'verwalter@example.de', extra: { ip: '203.0.113.7' } },
    { kind: 'delivered', at: '2026-01-18T08:05:01.000Z', actor: 'system', documents: [document], extra: { channel: 'portal' } },
    { kind: 'received', at: '2026-01-18T08:05:01.000Z', actor: 'system', extra: { receivedOn: '2026-01-18' } },
    { kind: 'opened', at: '2026-01-19T19:42:10.123Z', actor: 'mieter@example.de', extra: { ip: '198.51.100.23' } },
  ];
}

/** The chain's lines for `events`, each chained to the one before. */
export function chainOf(events: readonly ChainEventFields[]): string[] {
  const lines: string[] = [];
  for (const event of events) lines.push(nextChainLine(lines.at(-1) ?? null, event));
  return lines;
}

export function sampleDocuments(): BundleDocument[] {
  return [{ path: samplePdfPath, bytes: samplePdf }];
}

export function sampleBundle(privateKey: KeyObject): Promise<Bundle> {
  return buildBundle({
    manifest: sampleManifest,
    events: chainOf(sampleEvents()),
    documents: sampleDocuments(),
    signing: { privateKey, signedAt: '2026-01-19T19:42:10.500Z' },
  });
}
