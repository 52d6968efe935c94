import type { ActionFunctionArgs } from '@remix-run/node';
import { forwardStatementAction } from '../../server/owner-forwards';

/** POST only: the statement page's "An Eigentümer weiterleiten" form (issue 14 item 3). */
export async function action({ request, params, context }: ActionFunctionArgs) {
  return forwardStatementAction(request, params.id, context);
}
