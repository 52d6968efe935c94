import type { ActionFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { AccountCard, Field, FormMessage } from '~/components/account-forms';
import { AccountForms, requestPasswordReset } from '../../server/accounts';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Passwort vergessen · Klarmeter' }];

/** POST: sends a reset link if the address has an account; the answer is the same either way. */
export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const email = AccountForms.email.safeParse((await request.formData()).get('email') ?? '');
  if (!email.success) return { ok: false, message: email.error.issues[0]?.message ?? 'Bitte geben Sie Ihre E-Mail-Adresse ein.' };
  return requestPasswordReset(email.data, context);
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <AccountCard
      title="Passwort vergessen"
      intro="Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen."
    >
      <FormMessage data={result} />
      {result?.ok ? null : (
        <Form method="post" noValidate className="form">
          <Field
            name="email"
            label="E-Mail-Adresse"
            type="email"
            autoComplete="username"
            autoFocus
            maxLength={254}
            error={result && !result.ok ? result.message : undefined}
          />
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            Link senden
          </button>
        </Form>
      )}
      <p className="muted">
        <Link to="/login">Zurück zur Anmeldung</Link>
      </p>
    </AccountCard>
  );
}
