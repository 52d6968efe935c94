// HKVO §6a: the documented reference value for the average-user comparison of small buildings,
// for the organisation and per property. Managers only; plain forms (work without JS).
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { ActionMessage } from '~/components/cases';
import { PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin, type RequestContext } from '../../server/request';
import { referenceSettings, saveReference } from '../../server/comparison-references';
import { REFERENCE_FIELDS, parseReference, type StoredReference } from '../../domain/comparison-reference';
import { ValidationError } from '../../domain/validation';

export const meta: MetaFunction = () => [{ title: 'Einstellungen · Vergleichswert · Klarmeter' }];

const PERMISSION = 'update:statement-settings:any';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, PERMISSION);
  return { ...(await referenceSettings(user.organisationId)), settingsPages: SETTINGS_NAVIGATION[user.role] };
}

type ActionResult = { ok: boolean; message: string; field?: string; scope?: string };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, PERMISSION);
  const form = await request.formData();
  const scope = String(form.get('scope') ?? '');
  const propertyId = scope === 'organisation' ? null : /^\d{1,9}$/.test(scope) ? Number(scope) : undefined;
  if (propertyId === undefined) return { ok: false, message: 'Bitte wählen Sie, wofür der Vergleichswert gilt.', field: 'scope' };
  const reset = form.get('intent') === 'reset';
  try {
    const reference = reset
      ? null
      : parseReference({
          heatingKwhPerM2Year: form.get('heatingKwhPerM2Year'),
          hotWaterKwhPerM2Year: form.get('hotWaterKwhPerM2Year'),
          source: form.get('source'),
        });
    await saveReference(user, propertyId, reference, clientIp(context as RequestContext));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { ok: false, message: error.message.slice(error.field.length + 2), field: error.field, scope };
  }
  const where = propertyId === null ? 'Ihre Verwaltung' : 'die Liegenschaft';
  return {
    ok: true,
    message: reset
      ? `Der eigene Vergleichswert für ${where} ist entfernt.`
      : `Der Vergleichswert für ${where} ist gespeichert. Er gilt für Monatsinformationen, die ab jetzt erstellt werden.`,
  };
}

function ReferenceForm({ scope, value, label }: { scope: string; value: StoredReference | null; label: string }) {
  const busy = useNavigation().state === 'submitting';
  return (
    <Form method="post" className="form" aria-label={label}>
      <input type="hidden" name="scope" value={scope} />
      <label>
        {REFERENCE_FIELDS.heatingKwhPerM2Year}
        <input name="heatingKwhPerM2Year" inputMode="decimal" required defaultValue={value?.heatingKwhPerM2Year ?? ''} />
      </label>
      <label>
        {REFERENCE_FIELDS.hotWaterKwhPerM2Year}
        <input name="hotWaterKwhPerM2Year" inputMode="decimal" required defaultValue={value?.hotWaterKwhPerM2Year ?? ''} />
      </label>
      <label>
        {REFERENCE_FIELDS.source}
        <input
          name="source"
          required
          maxLength={300}
          defaultValue={value?.source ?? ''}
          placeholder="z. B. Energieausweis vom 12.03.2024"
        />
      </label>
      <div>
        <button type="submit" name="intent" value="save" className="button button--primary" disabled={busy}>
          Speichern
        </button>{' '}
        {value && (
          <button type="submit" name="intent" value="reset" formNoValidate className="button" disabled={busy}>
            Eigenen Wert entfernen
          </button>
        )}
      </div>
    </Form>
  );
}

export default function ComparisonReferenceSettings() {
  const { organisation, effective, properties, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/monatsinformationen">← Monatsinformationen</Link>}
        title="Einstellungen · Vergleichswert"
        description="Die monatliche Verbrauchsinformation vergleicht mit einem durchschnittlichen Nutzer (§6a HKVO). Gibt es im Haus und in Ihrer Verwaltung zu wenige vergleichbare Wohnungen, gilt ein belegter Referenzwert."
      />
      <SettingsNav items={settingsPages} />
      <ActionMessage data={result} />
      <Panel id="organisation-reference" title="Referenzwert der Verwaltung">
        <p className="muted">Derzeit gilt: {effective.source}.</p>
        <ReferenceForm scope="organisation" value={organisation} label="Referenzwert der Verwaltung" />
      </Panel>
      <Panel id="property-references" title="Eigener Referenzwert je Liegenschaft">
        {properties.map((p) => (
          <details key={p.id} open={p.reference !== null}>
            <summary>
              {p.name}
              {p.reference
                ? ` · ${p.reference.heatingKwhPerM2Year} / ${p.reference.hotWaterKwhPerM2Year} kWh/m²`
                : ' · Wert der Verwaltung'}
            </summary>
            <ReferenceForm scope={String(p.id)} value={p.reference} label={`Referenzwert für ${p.name}`} />
          </details>
        ))}
      </Panel>
    </>
  );
}
