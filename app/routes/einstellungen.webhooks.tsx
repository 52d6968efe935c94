// Webhook endpoints of the organisation (issue 17) and their delivery log: managers register
// HTTPS endpoints per event kind (the signing secret is shown once), disable them, and send a
// delivery again. Every attempt is listed with its answer.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { CheckboxChoices, SecretShownOnce } from '~/components/secrets';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { EMITTED_WEBHOOK_EVENT_KINDS, WEBHOOK_EVENT_KINDS, isWebhookEventKind } from '../../domain/contracts/webhook';
import { formatDateTime } from '../../domain/format';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin, type RequestContext } from '../../server/request';
import {
  WebhookInputError,
  disableWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  registerWebhookEndpoint,
  replayWebhookDelivery,
} from '../../server/webhooks';

export const meta: MetaFunction = () => [{ title: 'Einstellungen · Webhooks · Klarmeter' }];

const STATE_LABELS: Record<string, string> = { pending: 'wird zugestellt', delivered: 'zugestellt', failed: 'fehlgeschlagen' };
const kindLabel = (kind: string) => (isWebhookEventKind(kind) ? WEBHOOK_EVENT_KINDS[kind] : kind);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:webhook:any');
  const [endpoints, deliveries] = await Promise.all([listWebhookEndpoints(user), listWebhookDeliveries(user)]);
  return {
    endpoints: endpoints.map((e) => ({
      id: e.id,
      url: e.url,
      kinds: e.kinds.map(kindLabel),
      createdAt: formatDateTime(e.createdAt),
      disabledAt: e.disabledAt ? formatDateTime(e.disabledAt) : null,
    })),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      endpointId: d.endpointId,
      kind: kindLabel(d.kind),
      state: STATE_LABELS[d.state] ?? d.state,
      createdAt: formatDateTime(d.createdAt),
      attempts: d.attempts.map((a) => ({
        attempt: a.attempt,
        at: formatDateTime(a.at),
        answer: a.status === null ? (a.error ?? 'keine Antwort') : `HTTP ${a.status}`,
      })),
    })),
    kinds: EMITTED_WEBHOOK_EVENT_KINDS.map((kind) => ({ value: kind, label: WEBHOOK_EVENT_KINDS[kind] })),
    settingsPages: SETTINGS_NAVIGATION[user.role],
  };
}

type ActionResult = { ok: boolean; message: string; secret?: string };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:webhook:any');
  const form = await request.formData();
  const ip = clientIp(context as RequestContext);
  const intent = form.get('intent');
  if (intent === 'disable') {
    const done = await disableWebhookEndpoint(user, Number(form.get('endpointId')), { ip });
    return done
      ? { ok: true, message: 'Der Endpunkt erhält keine neuen Ereignisse mehr.' }
      : { ok: false, message: 'Diesen Endpunkt gibt es nicht oder er ist bereits abgeschaltet.' };
  }
  if (intent === 'replay') {
    const replayed = await replayWebhookDelivery(user, Number(form.get('deliveryId')), { ip });
    return replayed !== null
      ? { ok: true, message: 'Das Ereignis wird erneut zugestellt.' }
      : { ok: false, message: 'Diese Zustellung gibt es nicht, oder ihr Endpunkt ist abgeschaltet.' };
  }
  try {
    const { secret } = await registerWebhookEndpoint(
      user,
      { url: String(form.get('url') ?? ''), kinds: form.getAll('kinds').map(String) },
      { ip },
    );
    return {
      ok: true,
      message: 'Der Endpunkt ist eingerichtet. Kopieren Sie das Signaturgeheimnis jetzt: Es wird nur dieses eine Mal angezeigt.',
      secret,
    };
  } catch (error) {
    if (error instanceof WebhookInputError) return { ok: false, message: error.message };
    throw error;
  }
}

export default function Webhooks() {
  const { endpoints, deliveries, kinds, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeader
        title="Einstellungen · Webhooks"
        description="Ihr ERP-System erfährt Ereignisse sofort: signiert (HMAC-SHA256 über Zeitstempel und Inhalt, Kopfzeile Klarmeter-Signature), bei Fehlern mit wachsendem Abstand erneut zugestellt."
      />
      <SettingsNav items={settingsPages} />
      <ActionMessage data={result} />
      <SecretShownOnce id="new-secret" title="Signaturgeheimnis" secret={result?.secret} />
      <Panel id="register" title="Endpunkt einrichten">
        <Form method="post" className="form">
          <input type="hidden" name="intent" value="register" />
          <label>
            Adresse (HTTPS)
            <input name="url" type="url" required maxLength={2000} placeholder="https://erp.example.de/klarmeter" />
          </label>
          <CheckboxChoices legend="Ereignisse" name="kinds" options={kinds} />
          <div>
            <button type="submit" className="button button--primary" disabled={busy}>
              Endpunkt einrichten
            </button>
          </div>
        </Form>
      </Panel>
      <Panel id="endpoints" title="Endpunkte">
        {endpoints.length === 0 ? (
          <EmptyState>Noch keine Endpunkte eingerichtet.</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Adresse</th>
                <th scope="col">Ereignisse</th>
                <th scope="col">Eingerichtet</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{e.url}</th>
                  <td>{e.kinds.join(', ')}</td>
                  <td>{e.createdAt}</td>
                  <td>
                    {e.disabledAt ? (
                      `abgeschaltet ${e.disabledAt}`
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="disable" />
                        <input type="hidden" name="endpointId" value={e.id} />
                        <button type="submit" className="button" disabled={busy}>
                          Abschalten
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
      <Panel id="deliveries" title="Zustellungen">
        {deliveries.length === 0 ? (
          <EmptyState>Noch keine Ereignisse zugestellt.</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Ereignis</th>
                <th scope="col">Status</th>
                <th scope="col">Versuche</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <span className="cell-main">{d.kind}</span>
                    <span className="cell-sub">
                      Nr. {d.id} · {d.createdAt}
                    </span>
                  </th>
                  <td>{d.state}</td>
                  <td>
                    <ol>
                      {d.attempts.map((a) => (
                        <li key={a.attempt}>
                          {a.at}: {a.answer}
                        </li>
                      ))}
                    </ol>
                  </td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="replay" />
                      <input type="hidden" name="deliveryId" value={d.id} />
                      <button type="submit" className="button" disabled={busy}>
                        Erneut senden
                      </button>
                    </Form>
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
