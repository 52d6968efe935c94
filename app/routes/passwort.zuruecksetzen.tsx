import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AccountCard, Field, FormMessage, PASSWORD_HINT, firstErrors } from '~/components/account-forms';
import { INVALID_LINK } from '../../domain/accounts';
import { AccountForms, passwordLinkTarget, setPasswordWithLink } from '../../server/accounts';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Neues Passwort · Klarmeter' }];

/** GET ?token=…: the form for a reset or set-up link (a read; the POST uses the token once). */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get('token') ?? '';
  const target = token ? await passwordLinkTarget(token) : null;
  return { token: target ? token : null, target };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const form = await request.formData();
  const token = String(form.get('token') ?? '');
  const parsed = AccountForms.newPassword.safeParse({
    password: form.get('password') ?? '',
    passwordRepeat: form.get('passwordRepeat') ?? '',
  });
  if (!parsed.success)
    return { ok: false as const, message: 'Bitte prüfen Sie Ihre Angaben.', fieldErrors: firstErrors(parsed.error.flatten().fieldErrors) };
  const outcome = await setPasswordWithLink(token, parsed.data.password, context);
  return outcome.ok ? outcome : { ...outcome, fieldErrors: outcome.fieldErrors ?? {} };
}

export default function ResetPassword() {
  const { token, target } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  if (result?.ok) {
    return (
      <AccountCard title="Passwort gespeichert">
        <FormMessage data={result} />
        <p>
          <Link to="/login" className="button button--primary">
            Zur Anmeldung
          </Link>
        </p>
      </AccountCard>
    );
  }
  if (!token || !target) {
    return (
      <AccountCard title="Neues Passwort">
        <div className="alert alert--error" role="alert">
          {INVALID_LINK}
        </div>
        <p>
          <Link to="/passwort/vergessen">Neuen Link anfordern</Link>
        </p>
      </AccountCard>
    );
  }
  const errors = result && !result.ok ? result.fieldErrors : {};
  return (
    <AccountCard
      title={target.setup ? 'Passwort festlegen' : 'Neues Passwort'}
      intro={`Für ${target.name} (${target.email}). Danach sind alle bisherigen Anmeldungen beendet.`}
    >
      {result && !result.ok ? <FormMessage data={result} /> : null}
      <Form method="post" noValidate className="form">
        <input type="hidden" name="token" value={token} />
        <input type="text" name="username" autoComplete="username" defaultValue={target.email} hidden readOnly />
        <Field
          name="password"
          label="Neues Passwort"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
          error={errors.password}
          autoFocus
        />
        <Field
          name="passwordRepeat"
          label="Passwort wiederholen"
          type="password"
          autoComplete="new-password"
          error={errors.passwordRepeat}
        />
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          Passwort speichern
        </button>
      </Form>
    </AccountCard>
  );
}
