import type { LoaderFunctionArgs } from '@remix-run/node';
import { recipientProofPdf } from '../../server/recipient-proof';
import { pdfResponse } from '../../server/statements';

/** GET /abrechnungen/:id/nachweis/:occupancyId/nachweis.pdf — the recipient's proof as a PDF. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const document = await recipientProofPdf(request, params.id, params.occupancyId);
  return document instanceof Response ? document : pdfResponse(document);
}
