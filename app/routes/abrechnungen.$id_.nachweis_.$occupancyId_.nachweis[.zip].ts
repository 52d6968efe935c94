import type { LoaderFunctionArgs } from '@remix-run/node';
import { recipientBundleZip } from '../../server/recipient-proof';

/** GET /abrechnungen/:id/nachweis/:occupancyId/nachweis.zip — the recipient's evidence bundle (shared/PROOF.md). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return recipientBundleZip(request, params.id, params.occupancyId);
}
