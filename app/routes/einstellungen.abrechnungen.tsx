// The organisation's settings of the statement lifecycle: how the objection window is computed and
// which owners may approve their property's statements. Managers only; a plain form (works without JS).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin, type RequestContext } from '../../server/request';
import { objectionWindowMode, saveStatementSettings, settingsProperties } from '../../server/statement-settings';
import type { ObjectionDeadlineMode } from '../../domain/statement-deadlines';

export const meta: MetaFunction = () => [{ title: 'Einstellungen · Abrechnungen · Klarmeter' }];

const PERMISSION = 'update:statement-settings:any';

const MODES: Record<ObjectionDeadlineMode, { label: string; description: string }> = {
  'end-of-month': {
    label: 'Zum Monatsende',
    description: 'Die Einwendungsfrist endet am Ende des Monats, in dem die zwölf Monate ab Zugang ablaufen.',
  },
  'exact-day': {
    label: 'Taggenau',
    description: 'Die Einwendungsfrist endet genau zwölf Monate nach dem Zugang der Abrechnung.',
  },
};

function isMode(value: unknown): value is ObjectionDeadlineMode {
  return typeof value === 'string' && Object.hasOwn(MODES, value);
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, PERMISSION);
  return {
    mode: await objectionWindowMode(user.organisationId),
    modes: (Object.keys(MODES) as ObjectionDeadlineMode[]).map((mode) => ({ mode, ...MODES[mode] })),
    properties: await settingsProperties(user.organisationId),
    settingsPages: SETTINGS_NAVIGATION[user.role],
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, PERMISSION);
  const form = await request.formData();
  const mode = form.get('objectionDeadlineMode');
  if (!isMode(mode)) return { ok: false, message: 'Bitte wählen Sie, wie die Einwendungsfrist berechnet wird.' };
  await saveStatementSettings(
    user,
    {
      mode,
      delegatedPropertyIds: (await settingsProperties(user.organisationId)).filter((p) => form.has(`delegate:${p.id}`)).map((p) => p.id),
    },
    clientIp(context as RequestContext),
  );
  return { ok: true, message: 'Die Einstellungen sind gespeichert.' };
}

export default function StatementSettings() {
  const { mode, modes, properties, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const owned = properties.filter((p) => p.ownerId !== null);
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/abrechnungen">← Abrechnungen</Link>}
        title="Einstellungen · Abrechnungen"
        description="Wie die Einwendungsfrist Ihrer Abrechnungen berechnet wird und welche Eigentümer Abrechnungen selbst freigeben dürfen."
      />
      <SettingsNav items={settingsPages} />
      <ActionMessage data={result} />
      <Form method="post" className="form">
        <Panel id="objection-window" title="Einwendungsfrist">
          <fieldset>
            <legend>Ende der Einwendungsfrist</legend>
            {modes.map((m) => (
              <label key={m.mode} className="choice">
                <input type="radio" name="objectionDeadlineMode" value={m.mode} defaultChecked={m.mode === mode} required />
                <span>
                  <span className="cell-main">{m.label}</span>
                  <span className="cell-sub">{m.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <p className="muted">Die Einstellung gilt für Abrechnungen, die ab jetzt angelegt werden.</p>
        </Panel>
        <Panel id="approval-delegation" title="Freigabe durch Eigentümer">
          {owned.length === 0 ? (
            <EmptyState>Keine Liegenschaft Ihrer Organisation hat einen Eigentümer im Portal.</EmptyState>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Liegenschaft</th>
                  <th scope="col">Eigentümer</th>
                  <th scope="col">Eigentümer darf Abrechnungen freigeben</th>
                </tr>
              </thead>
              <tbody>
                {owned.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{p.name}</th>
                    <td>{p.ownerName}</td>
                    <td>
                      <input
                        type="checkbox"
                        name={`delegate:${p.id}`}
                        defaultChecked={p.delegated}
                        aria-label={`Eigentümer darf Abrechnungen freigeben: ${p.name}`}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <div>
          <button type="submit" className="button button--primary" disabled={busy}>
            Speichern
          </button>
        </div>
      </Form>
    </>
  );
}
