import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { Field, FormMessage, firstErrors } from '~/components/account-forms';
import { DataTable } from '~/components/data-table';
import { PageHeader, Panel } from '~/components/page-header';
import { SettingsNav } from '~/components/settings-nav';
import { SETTINGS_NAVIGATION } from '~/utils/navigation';
import { ROLE_LABELS, formatDate } from '../../domain/format';
import { parseId } from '../../domain/params';
import { STAFF_ROLES } from '../../domain/roles';
import { StaffForm, createStaffAccount, resendStaffSetup, staffAccounts } from '../../server/accounts';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Benutzer · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:staff-account:any');
  return {
    staff: await staffAccounts(user),
    roles: STAFF_ROLES.map((role) => ({ role, label: ROLE_LABELS[role] })),
    settingsPages: SETTINGS_NAVIGATION[user.role],
  };
}

type ActionData = { ok: boolean; message: string; fieldErrors?: Record<string, string>; values?: Record<string, string> };

/** intent=create (a staff account without password, and a set-up link to its address) or resend (a new link). */
export async function action({ request, context }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:staff-account:any');
  const form = Object.fromEntries(await request.formData());
  if (form.intent === 'create') {
    const values = { name: String(form.name ?? ''), email: String(form.email ?? ''), role: String(form.role ?? '') };
    const parsed = StaffForm.safeParse(values);
    if (!parsed.success)
      return { ok: false, message: 'Bitte prüfen Sie die Angaben.', fieldErrors: firstErrors(parsed.error.flatten().fieldErrors), values };
    const outcome = await createStaffAccount(user, parsed.data, context);
    return outcome.ok ? outcome : { ...outcome, values };
  }
  if (form.intent === 'resend') {
    const id = parseId(String(form.user ?? ''));
    const outcome = id ? await resendStaffSetup(user, id, context) : null;
    if (!outcome) throw notFound();
    return outcome;
  }
  throw new Response('Ungültige Anfrage', { status: 400 });
}

export default function Staff() {
  const { staff, roles, settingsPages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result?.fieldErrors ?? {};
  const values = result && !result.ok ? result.values : undefined;
  return (
    <>
      <PageHeader
        title="Benutzer"
        description="Konten der Mitarbeiter, Eigentümer, Techniker und Prüfer Ihrer Organisation. Mieter erhalten ihren Zugang über die Mieterzugänge."
      />
      <SettingsNav items={settingsPages} />
      <FormMessage data={result} />
      <Panel id="staff" title="Konten">
        <DataTable
          label="Benutzerkonten"
          caption="Benutzerkonten"
          head={
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Rolle</th>
              <th scope="col">Zugang</th>
              <th scope="col">Zwei-Faktor</th>
              <th scope="col">Aktion</th>
            </tr>
          }
        >
          {staff.map((s) => (
            <tr key={s.id}>
              <th scope="row">
                <span className="cell-main">{s.name}</span>
                <span className="cell-sub">{s.email}</span>
              </th>
              <td>{s.roleLabel}</td>
              <td>
                {s.passwordSet
                  ? 'Aktiv'
                  : s.setupExpiresAt
                    ? `Einrichtungslink gültig bis ${formatDate(s.setupExpiresAt)}`
                    : 'Passwort nicht festgelegt, Link abgelaufen'}
              </td>
              <td>{s.secondFactor ? 'Eingeschaltet' : 'Aus'}</td>
              <td>
                {s.passwordSet ? null : (
                  <Form method="post">
                    <input type="hidden" name="user" value={s.id} />
                    <button type="submit" name="intent" value="resend" className="button button--small" disabled={busy}>
                      Link erneut senden<span className="visually-hidden"> an {s.name}</span>
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      </Panel>
      <Panel id="create" title="Konto anlegen">
        <Form method="post" noValidate className="form">
          <input type="hidden" name="intent" value="create" />
          <Field name="name" label="Name" autoComplete="off" maxLength={200} defaultValue={values?.name} error={errors.name} />
          <Field
            name="email"
            label="E-Mail-Adresse"
            type="email"
            autoComplete="off"
            maxLength={254}
            defaultValue={values?.email}
            error={errors.email}
          />
          <div className="field">
            <label htmlFor="field-role">Rolle</label>
            <select
              id="field-role"
              name="role"
              defaultValue={values?.role ?? 'technician'}
              aria-invalid={errors.role ? true : undefined}
              aria-describedby={errors.role ? 'field-role-error' : undefined}
            >
              {roles.map((r) => (
                <option key={r.role} value={r.role}>
                  {r.label}
                </option>
              ))}
            </select>
            {errors.role ? (
              <p id="field-role-error" className="field__error">
                {errors.role}
              </p>
            ) : null}
          </div>
          <p className="muted">Die Person erhält einen Link, mit dem sie ihr Passwort selbst festlegt (7 Tage gültig).</p>
          <div>
            <button type="submit" className="button button--primary" disabled={busy}>
              Konto anlegen
            </button>
          </div>
        </Form>
      </Panel>
    </>
  );
}
