import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { requireUser } from '../../server/auth';
import { homePath } from '~/utils/navigation';

/** The dashboard is the role's home page. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return redirect(homePath(user.role));
}
