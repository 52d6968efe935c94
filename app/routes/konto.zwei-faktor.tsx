import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import accountStyles from '~/styles/accounts.css?url';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormMessage } from '~/components/account-forms';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { formatDateTime, formatNumber } from '../../domain/format';
import { sessionActor } from '../../server/accounts';
import { requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';
import {
  beginSecondFactorSetup,
  confirmSecondFactorSetup,
  disableSecondFactor,
  renewRecoveryCodes,
  secondFactorStatus,
} from '../../server/second-factor';

export const meta: MetaFunction = () => [{ title: 'Zwei-Faktor-Anmeldung · Klarmeter' }];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: accountStyles }];

/** Staff only (update:second-factor:own). Shows the pending set-up again after a reload: it is the user's own secret. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'update:second-factor:own');
  return { status: await secondFactorStatus(user), settingsPages: SETTINGS_NAVIGATION[user.role] };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'update:second-factor:own');
  const form = await request.formData();
  const field = (name: string) => String(form.get(name) ?? '').slice(0, 200);
  const actor = sessionActor(user, context);
  switch (form.get('intent')) {
    case 'begin':
      return beginSecondFactorSetup(user, actor);
    case 'confirm':
      return confirmSecondFactorSetup(user, field('code'), actor);
    case 'disable':
      return disableSecondFactor(user, { password: field('password'), code: field('code') }, actor);
    case 'renew':
      return renewRecoveryCodes(user, field('code'), actor);
    default:
      throw new Response('Ungültige Anfrage', { status: 400 });
  }
}

export default function SecondFactorSettings() {
  const { status, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const recoveryCodes = result?.ok ? result.recoveryCodes : undefined;
  return (
    <>
      <PageHeader
        title="Zwei-Faktor-Anmeldung"
        description="Zusätzlich zum Passwort fragt die Anmeldung nach einem Code aus einer Authenticator-App (TOTP, z. B. FreeOTP, Aegis, Google oder Microsoft Authenticator)."
      />
      <SettingsNav items={settingsPages} />
      <FormMessage data={result} />
      {recoveryCodes ? (
        <Panel id="recovery" title="Ihre Wiederherstellungscodes">
          <p>
            Jeder Code gilt einmal, falls Sie keinen Zugriff auf die App haben. Drucken Sie sie aus oder speichern Sie sie in einem
            Passwort-Manager; sie werden nicht noch einmal angezeigt.
          </p>
          <ul className="recovery-codes mono">
            {recoveryCodes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
        </Panel>
      ) : null}
      {!status.available ? (
        <EmptyState>Die Zwei-Faktor-Anmeldung ist für Mitarbeiterkonten vorgesehen.</EmptyState>
      ) : status.enabledAt ? (
        <div className="grid-2">
          <Panel id="state" title="Eingerichtet">
            <Facts
              items={[
                ['Seit', formatDateTime(status.enabledAt)],
                ['Unbenutzte Wiederherstellungscodes', formatNumber(status.recoveryCodesLeft)],
              ]}
            />
            <Form method="post" noValidate className="form">
              <input type="hidden" name="intent" value="renew" />
              <Field name="code" id="renew-code" label="Aktueller Code" autoComplete="one-time-code" inputMode="numeric" maxLength={40} />
              <div>
                <button type="submit" className="button" disabled={busy}>
                  Neue Wiederherstellungscodes erstellen
                </button>
              </div>
            </Form>
          </Panel>
          <Panel id="disable" title="Ausschalten">
            <Form method="post" noValidate className="form">
              <input type="hidden" name="intent" value="disable" />
              <Field name="password" id="disable-password" label="Ihr Passwort" type="password" autoComplete="current-password" />
              <Field name="code" id="disable-code" label="Code oder Wiederherstellungscode" autoComplete="one-time-code" maxLength={40} />
              <div>
                <button type="submit" className="button" disabled={busy}>
                  Zwei-Faktor-Anmeldung ausschalten
                </button>
              </div>
            </Form>
          </Panel>
        </div>
      ) : status.pending ? (
        <Panel id="setup" title="Einrichten">
          <ol>
            <li>Öffnen Sie Ihre Authenticator-App und fügen Sie ein Konto hinzu.</li>
            <li>Scannen Sie den QR-Code, oder geben Sie den Schlüssel von Hand ein.</li>
            <li>Geben Sie den sechsstelligen Code ein, den die App anzeigt.</li>
          </ol>
          {/* Rendered on the server from our own QR encoder; contains no user-supplied markup. */}
          <div className="qr-code" dangerouslySetInnerHTML={{ __html: status.pending.qrSvg }} />
          <Facts
            items={[
              [
                'Schlüssel',
                <span key="secret" className="mono">
                  {status.pending.secret.match(/.{1,4}/g)?.join(' ')}
                </span>,
              ],
              [
                'Adresse für die App',
                <span key="uri" className="mono otpauth-uri">
                  {status.pending.uri}
                </span>,
              ],
            ]}
          />
          <Form method="post" noValidate className="form">
            <input type="hidden" name="intent" value="confirm" />
            <Field
              name="code"
              id="confirm-code"
              label="Code aus der App"
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={12}
              autoFocus
            />
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                Bestätigen und einschalten
              </button>
            </div>
          </Form>
        </Panel>
      ) : (
        <Panel id="setup" title="Nicht eingerichtet">
          <p>Schützen Sie Ihr Konto zusätzlich: Wer Ihr Passwort kennt, kommt ohne Ihr Telefon nicht hinein.</p>
          <Form method="post">
            <button type="submit" name="intent" value="begin" className="button button--primary" disabled={busy}>
              Einrichten
            </button>
          </Form>
        </Panel>
      )}
    </>
  );
}
