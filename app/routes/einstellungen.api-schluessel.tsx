// API tokens of the organisation (issue 17): radio gateways and ERP systems authenticate with them.
// Managers create them (the secret is shown once, only its hash is kept) and revoke them at once.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { CheckboxChoices, SecretShownOnce } from '~/components/secrets';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { API_RATE_LIMIT_MAX, API_RATE_LIMIT_MIN, API_SCOPES, API_TOKEN_NAME_MAX } from '../../domain/api-tokens';
import { formatDateTime } from '../../domain/format';
import { ApiTokenInputError, createApiToken, listApiTokens, revokeApiToken } from '../../server/api-tokens';
import { config } from '../../server/config';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin, type RequestContext } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Einstellungen · API-Schlüssel · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:api-token:any');
  const tokens = await listApiTokens(user);
  return {
    tokens: tokens.map((t) => ({
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      scopes: t.scopes.map((s) => API_SCOPES[s]),
      createdAt: formatDateTime(t.createdAt),
      createdBy: t.createdBy,
      lastUsedAt: t.lastUsedAt ? formatDateTime(t.lastUsedAt) : null,
      revokedAt: t.revokedAt ? formatDateTime(t.revokedAt) : null,
      ratePerMinute: t.ratePerMinute,
    })),
    defaultRate: config().API_RATE_LIMIT_PER_MINUTE,
    scopes: Object.entries(API_SCOPES).map(([value, label]) => ({ value, label })),
    settingsPages: SETTINGS_NAVIGATION[user.role],
  };
}

type ActionResult = { ok: boolean; message: string; token?: string };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:api-token:any');
  const form = await request.formData();
  const ip = clientIp(context as RequestContext);
  if (form.get('intent') === 'revoke') {
    const id = Number(form.get('tokenId'));
    const revoked = Number.isInteger(id) && (await revokeApiToken(user, id, { ip }));
    return revoked
      ? { ok: true, message: 'Der Schlüssel ist widerrufen; Anfragen mit ihm werden ab sofort abgelehnt.' }
      : { ok: false, message: 'Diesen Schlüssel gibt es nicht oder er ist bereits widerrufen.' };
  }
  try {
    const scopes = form.getAll('scopes').map(String);
    // Empty: the installation's default; anything else must be a whole number (NaN is refused by name).
    const rawRate = String(form.get('ratePerMinute') ?? '').trim();
    const ratePerMinute = rawRate === '' ? null : /^\d{1,7}$/.test(rawRate) ? Number(rawRate) : Number.NaN;
    const { token } = await createApiToken(user, { name: String(form.get('name') ?? ''), scopes, ratePerMinute }, { ip });
    return { ok: true, message: 'Der Schlüssel ist angelegt. Kopieren Sie ihn jetzt: Er wird nur dieses eine Mal angezeigt.', token };
  } catch (error) {
    if (error instanceof ApiTokenInputError) return { ok: false, message: error.message };
    throw error;
  }
}

export default function ApiTokens() {
  const { tokens, scopes, defaultRate, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeader
        title="Einstellungen · API-Schlüssel"
        description="Funk-Gateways und ERP-Systeme melden sich mit einem Schlüssel Ihrer Organisation an. Die Schnittstelle ist unter /api/v1/openapi.json beschrieben."
      />
      <SettingsNav items={settingsPages} />
      <ActionMessage data={result} />
      <SecretShownOnce id="new-token" title="Neuer Schlüssel" secret={result?.token} />
      <Panel id="create" title="Schlüssel anlegen">
        <Form method="post" className="form">
          <input type="hidden" name="intent" value="create" />
          <label>
            Bezeichnung
            <input name="name" required maxLength={API_TOKEN_NAME_MAX} placeholder="z. B. Gateway Keller Haus 3" />
          </label>
          <CheckboxChoices legend="Berechtigungen" name="scopes" options={scopes} />
          <label>
            Anfragen pro Minute (leer: Standard {defaultRate})
            <input name="ratePerMinute" type="number" inputMode="numeric" min={API_RATE_LIMIT_MIN} max={API_RATE_LIMIT_MAX} step={1} />
          </label>
          <div>
            <button type="submit" className="button button--primary" disabled={busy}>
              Schlüssel anlegen
            </button>
          </div>
        </Form>
      </Panel>
      <Panel id="tokens" title="Schlüssel der Organisation">
        {tokens.length === 0 ? (
          <EmptyState>Noch keine Schlüssel angelegt.</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Bezeichnung</th>
                <th scope="col">Berechtigungen</th>
                <th scope="col">Angelegt</th>
                <th scope="col">Anfragen/Minute</th>
                <th scope="col">Zuletzt benutzt</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <th scope="row">
                    <span className="cell-main">{t.name}</span>
                    <span className="cell-sub">{t.prefix}…</span>
                  </th>
                  <td>{t.scopes.join(', ')}</td>
                  <td>
                    {t.createdAt} · {t.createdBy}
                  </td>
                  <td>{t.ratePerMinute ?? `Standard (${defaultRate})`}</td>
                  <td>{t.lastUsedAt ?? 'nie'}</td>
                  <td>
                    {t.revokedAt ? (
                      `widerrufen ${t.revokedAt}`
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="tokenId" value={t.id} />
                        <button type="submit" className="button" disabled={busy}>
                          Widerrufen
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </>
  );
}
