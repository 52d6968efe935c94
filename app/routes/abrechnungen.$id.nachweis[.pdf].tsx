import type { LoaderFunctionArgs } from '@remix-run/node';
import { statementProofPdf } from '../../server/statement-lifecycle';
import { pdfResponse } from '../../server/statements';

/** GET /abrechnungen/:id/nachweis.pdf — the proof chain and its verification as a PDF. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return pdfResponse(await statementProofPdf(request, params.id));
}
