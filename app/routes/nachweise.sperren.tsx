import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { SelectField } from '~/components/archive-forms';
import { FieldError } from '~/components/field-error';
import { formatDateTime } from '../../domain/format';
import { parseId } from '../../domain/params';
import { activeHolds, listArchiveUnits, placeLegalHold, releaseLegalHold } from '../../server/archive';
import { requireUserWithPermission, visibleScope } from '../../server/permissions';
import { clientIp, requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Aufbewahrungssperren · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'handle:archive:any');
  const scope = await visibleScope(user);
  const [holds, units] = await Promise.all([activeHolds(user.organisationId), listArchiveUnits(scope)]);
  return { holds, properties: scope.properties, units };
}

type ActionResult = { ok: true; message: string } | { ok: false; errors: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'handle:archive:any');
  const form = await request.formData();
  const options = { ip: clientIp(context) };
  if (form.get('intent') === 'release') {
    const outcome = await releaseLegalHold(user, parseId(String(form.get('holdId') ?? '')) ?? 0, options);
    return outcome.ok
      ? { ok: true, message: 'Die Sperre ist aufgehoben; die angehaltenen Fristen laufen weiter.' }
      : { ok: false, errors: outcome.errors };
  }
  const outcome = await placeLegalHold(
    user,
    {
      propertyId: parseId(String(form.get('propertyId') ?? '')),
      unitId: parseId(String(form.get('unitId') ?? '')),
      reason: String(form.get('reason') ?? ''),
    },
    options,
  );
  return outcome.ok
    ? { ok: true, message: 'Die Sperre gilt ab sofort: Keine Aufbewahrungsfrist der betroffenen Nachweise läuft ab, nichts wird gelöscht.' }
    : { ok: false, errors: outcome.errors };
}

export default function LegalHolds() {
  const { holds, properties, units } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result && !result.ok ? result.errors : {};
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/nachweise">← Nachweise</Link>}
        title="Aufbewahrungssperren"
        description="Bei einem Rechtsstreit oder einer Prüfung hält eine Sperre (Legal Hold) die Aufbewahrungsfristen aller Nachweise einer Liegenschaft oder Wohneinheit an. Gesperrte Nachweise werden nicht gelöscht."
      />
      {result?.ok ? (
        <div className="alert alert--info" role="status">
          {result.message}
        </div>
      ) : null}
      {errors.hold ? (
        <div className="alert alert--error" role="alert">
          {errors.hold}
        </div>
      ) : null}
      <Panel id="aktiv" title="Bestehende Sperren">
        {holds.length === 0 ? (
          <EmptyState>Keine Sperre besteht.</EmptyState>
        ) : (
          <DataTable
            label="Bestehende Sperren"
            caption="Aktive Aufbewahrungssperren mit Umfang, Anlass und Urheber"
            head={
              <tr>
                <th scope="col">Umfang</th>
                <th scope="col">Anlass</th>
                <th scope="col">Gesetzt</th>
                <th scope="col">
                  <span className="visually-hidden">Aktion</span>
                </th>
              </tr>
            }
          >
            {holds.map((h) => (
              <tr key={h.id}>
                <th scope="row">
                  {h.propertyName}
                  {h.unitLabel ? `, ${h.unitLabel}` : ' (ganze Liegenschaft)'}
                </th>
                <td>{h.reason}</td>
                <td>
                  {formatDateTime(h.placedAt)}, {h.placedBy}
                </td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="intent" value="release" />
                    <input type="hidden" name="holdId" value={h.id} />
                    <button type="submit" className="button button--ghost">
                      Sperre aufheben
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
      <Panel id="neu" title="Sperre setzen">
        <Form method="post" className="form">
          <input type="hidden" name="intent" value="place" />
          <div className="form-grid">
            <SelectField
              name="propertyId"
              label="Liegenschaft"
              options={properties.map((p) => ({ value: String(p.id), label: p.name }))}
              error={errors.property}
            />
            <SelectField
              name="unitId"
              label="Wohneinheit (optional)"
              emptyLabel="Ganze Liegenschaft"
              options={units.map((u) => ({
                value: String(u.id),
                label: `${u.label} (${properties.find((p) => p.id === u.propertyId)?.name ?? ''})`,
              }))}
              error={errors.unit}
            />
            <div className="field">
              <label htmlFor="reason">Anlass</label>
              <input
                id="reason"
                name="reason"
                required
                maxLength={500}
                placeholder="z. B. Rechtsstreit Whg. 1.03, Betriebsprüfung 2026"
                aria-describedby={errors.reason ? 'reason-error' : undefined}
              />
              <FieldError id="reason-error" message={errors.reason} />
            </div>
            <div>
              <button type="submit" className="button button--primary">
                Sperre setzen
              </button>
            </div>
          </div>
        </Form>
      </Panel>
    </>
  );
}
