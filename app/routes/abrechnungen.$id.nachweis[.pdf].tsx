import type { LoaderFunctionArgs } from '@remix-run/node';
import { renderProofPdf } from '../../server/statement-obligation';
import { sha256 } from '../../db/audit';
import { formatDateTime } from '../../domain/format';
import { formatPeriod } from '../../domain/statement-format';
import { loadStatementProof } from '../../server/statement-lifecycle';
import { pdfRenderer, pdfResponse } from '../../server/statements';

/** GET /abrechnungen/:id/nachweis.pdf — the proof chain and its verification as a PDF. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { statement, stored, lifecycle, proof } = await loadStatementProof(request, params.id);
  const notes = new Map(lifecycle.timeline.map((item) => [item.key, item.note ?? null]));
  const content = await renderProofPdf(pdfRenderer(), {
    propertyName: statement.property.name,
    period: formatPeriod(statement.period.start, statement.period.end),
    documentNumber: stored.documentNumber,
    version: stored.version,
    stateLabel: lifecycle.stateLabel,
    generatedAt: formatDateTime(new Date()),
    verdict: proof.verdict,
    events: proof.events.map((e) => ({ ...e, at: formatDateTime(e.at), ip: e.ip ?? '–', note: notes.get(e.seq) ?? null })),
  });
  return pdfResponse({ content, fileName: `Zustellnachweis_${stored.documentNumber}_v${stored.version}.pdf`, sha256: sha256(content) });
}
