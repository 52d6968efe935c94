// The organisation's settings of the statement lifecycle: how the objection window is computed, how
// many months after a billing period its costs are due (the cost-data deadline), and which owners may
// approve their property's statements. Managers only; a plain form (works without JS).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { WholeNumberField } from '~/components/whole-number-field';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin, type RequestContext } from '../../server/request';
import { costDeadlineMonths } from '../../server/cost-deadlines';
import { objectionWindowMode, saveStatementSettings, settingsProperties } from '../../server/statement-settings';
import type { ObjectionDeadlineMode } from '../../domain/statement-deadlines';
import { COST_DEADLINE_MONTHS_MAX, COST_DEADLINE_MONTHS_MIN, parseCostDeadlineMonths } from '../../domain/contracts/cost-deadline';

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
    costDeadlineMonths: await costDeadlineMonths(user.organisationId),
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
  const submitted = form.get('costDeadlineMonths');
  const months = parseCostDeadlineMonths(submitted);
  // The entered value comes back so the form shows what was refused (also without JavaScript).
  if (!months.ok)
    return { ok: false, message: months.error, field: 'costDeadlineMonths', value: typeof submitted === 'string' ? submitted : '' };
  await saveStatementSettings(
    user,
    {
      mode,
      costDeadlineMonths: months.months,
      delegatedPropertyIds: (await settingsProperties(user.organisationId)).filter((p) => form.has(`delegate:${p.id}`)).map((p) => p.id),
    },
    clientIp(context as RequestContext),
  );
  return { ok: true, message: 'Die Einstellungen sind gespeichert.' };
}

export default function StatementSettings() {
  const { mode, costDeadlineMonths, modes, properties, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const refused = result && !result.ok && typeof result.value === 'string' ? { value: result.value, message: result.message } : null;
  const busy = useNavigation().state === 'submitting';
  const owned = properties.filter((p) => p.ownerId !== null);
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/abrechnungen">← Abrechnungen</Link>}
        title="Einstellungen · Abrechnungen"
        description="Wie die Einwendungsfrist Ihrer Abrechnungen berechnet wird, bis wann die Kostendaten einzugeben sind und welche Eigentümer Abrechnungen selbst freigeben dürfen."
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
        <Panel id="cost-deadline" title="Abgabefrist für Kostendaten">
          <WholeNumberField
            name="costDeadlineMonths"
            label="Monate nach Ende des Abrechnungszeitraums"
            min={COST_DEADLINE_MONTHS_MIN}
            max={COST_DEADLINE_MONTHS_MAX}
            stored={costDeadlineMonths}
            refused={refused}
            hint={
              <>
                Bis dahin erinnert das Portal an die Eingabe der Kosten und meldet eine versäumte Frist. Die Abrechnung muss jedem Mieter
                spätestens zwölf Monate nach Ende des Zeitraums zugehen (§ 556 Abs. 3 BGB); üblich sind 3 Monate, höchstens{' '}
                {COST_DEADLINE_MONTHS_MAX} sind möglich. Die Einstellung gilt für Fristen, die ab jetzt angelegt werden.
              </>
            }
          />
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
