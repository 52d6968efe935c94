import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AccountCard, FormMessage } from '~/components/account-forms';
import { INVALID_LINK } from '../../domain/accounts';
import { verificationByLink, verifyEmail } from '../../server/accounts';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'E-Mail-Adresse bestätigen · Klarmeter' }];

/**
 * GET ?token=…: shows which address the link confirms. Confirming is a POST: a mail scanner that
 * follows links must not use the token up, and loaders only read.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get('token') ?? '';
  const target = token ? await verificationByLink(token) : null;
  return { token: target ? token : null, target };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  return verifyEmail(String((await request.formData()).get('token') ?? ''), context);
}

export default function ConfirmEmail() {
  const { token, target } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  if (result) {
    return (
      <AccountCard title="E-Mail-Adresse bestätigen">
        <FormMessage data={result} />
        <p>
          <Link to="/konto">Zu Mein Konto</Link>
        </p>
      </AccountCard>
    );
  }
  if (!token || !target) {
    return (
      <AccountCard title="E-Mail-Adresse bestätigen">
        <div className="alert alert--error" role="alert">
          {INVALID_LINK}
        </div>
        <p>
          Einen neuen Link können Sie unter <Link to="/konto">Mein Konto</Link> anfordern.
        </p>
      </AccountCard>
    );
  }
  return (
    <AccountCard
      title="E-Mail-Adresse bestätigen"
      intro={
        target.change
          ? `Ab der Bestätigung melden Sie sich mit ${target.email} an.`
          : `Bitte bestätigen Sie ${target.email} als Ihre Adresse.`
      }
    >
      <Form method="post" className="form">
        <input type="hidden" name="token" value={token} />
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {target.email} bestätigen
        </button>
      </Form>
    </AccountCard>
  );
}
