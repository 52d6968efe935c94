import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import accountStyles from '~/styles/accounts.css?url';
import { FormMessage, firstErrors } from '~/components/account-forms';
import { DataTable } from '~/components/data-table';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { formatDate, formatNumber } from '../../domain/format';
import { parseId } from '../../domain/params';
import { InviteForm, MoveOutForm, inviteTenancy, propertyAccess, recordMoveOut, type TenancyAccessRow } from '../../server/invitations';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Mieterzugänge ${data?.property.name ?? ''} · Klarmeter` }];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: accountStyles }];

const NOTICES: Record<string, string> = {
  'brief-nicht-moeglich':
    'Für dieses Mietverhältnis kann kein Brief mehr erstellt werden: es hat inzwischen einen Zugang oder ist beendet.',
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:invitation:any');
  const id = parseId(params.propertyId);
  const access = id ? await propertyAccess(user, id) : null;
  if (!access) throw notFound();
  const url = new URL(request.url);
  const emailed = url.searchParams.get('eingeladen');
  const notice = NOTICES[url.searchParams.get('hinweis') ?? ''];
  return {
    ...access,
    notice: notice
      ? { ok: false, message: notice }
      : emailed !== null && /^\d{1,6}$/.test(emailed)
        ? {
            ok: true,
            message: `${formatNumber(Number(emailed))} Einladung(en) per E-Mail versandt; für alle anderen lag bereits eine Einladung vor.`,
          }
        : null,
  };
}

type ActionData = { tenancyId: number; ok: boolean; message: string; fieldErrors?: Record<string, string> };

/** intent=invite-email (one tenancy, optionally with a new address) or move-out. Letters: the briefe route. */
export async function action({ request, params, context }: ActionFunctionArgs): Promise<ActionData> {
  requireSameOrigin(request);
  const form = Object.fromEntries(await request.formData());
  const intent = form.intent;
  const user = await requireUserWithPermission(request, intent === 'move-out' ? 'update:tenancy:any' : 'create:invitation:any');
  const propertyId = parseId(params.propertyId);
  const tenancyId = parseId(String(form.tenancy ?? ''));
  const access = propertyId ? await propertyAccess(user, propertyId) : null;
  if (!access || !tenancyId || !access.rows.some((row) => row.tenancyId === tenancyId)) throw notFound();
  if (intent === 'invite-email') {
    const parsed = InviteForm.safeParse({ via: 'email', email: form.email });
    if (!parsed.success) return { tenancyId, ok: false, message: parsed.error.issues[0]?.message ?? 'Ungültige Angabe.' };
    const outcome = await inviteTenancy(user, tenancyId, parsed.data, context);
    if (!outcome) throw notFound();
    return outcome.ok
      ? { tenancyId, ok: true, message: outcome.kind === 'email' ? outcome.message : '' }
      : { tenancyId, ok: false, message: outcome.message };
  }
  if (intent === 'move-out') {
    const parsed = MoveOutForm.safeParse({
      endsOn: form.endsOn,
      nextTenantName: form.nextTenantName || undefined,
      nextTenantEmail: form.nextTenantEmail || undefined,
    });
    if (!parsed.success)
      return {
        tenancyId,
        ok: false,
        message: 'Bitte prüfen Sie die Angaben zum Auszug.',
        fieldErrors: firstErrors(parsed.error.flatten().fieldErrors),
      };
    const outcome = await recordMoveOut(user, tenancyId, parsed.data, context);
    if (!outcome) throw notFound();
    return { tenancyId, ...outcome };
  }
  throw new Response('Ungültige Anfrage', { status: 400 });
}

function AccessState({ row }: { row: TenancyAccessRow }) {
  if (row.accountEmail)
    return (
      <>
        <span className="cell-main">Zugang aktiv</span>
        <span className="cell-sub">
          {row.accountEmail}
          {row.accountVerified ? '' : ' (noch nicht bestätigt)'}
        </span>
      </>
    );
  if (row.pendingPurpose)
    return (
      <>
        <span className="cell-main">{row.pendingPurpose === 'invitation' ? `Eingeladen per E-Mail` : 'Aktivierungsbrief erstellt'}</span>
        <span className="cell-sub">
          {row.pendingEmail ? `${row.pendingEmail}, ` : ''}gültig bis {formatDate(row.pendingExpiresAt)}
        </span>
      </>
    );
  return <span className="muted">Kein Zugang</span>;
}

export default function PropertyInvitations() {
  const { property, rows, notice } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const open = rows.filter((r) => !r.accountEmail && !r.pendingPurpose);
  const byEmail = open.filter((r) => r.contactEmail).length;
  const rowMessage = (row: TenancyAccessRow) => (result?.tenancyId === row.tenancyId ? <FormMessage data={result} /> : null);
  const rowErrors = (row: TenancyAccessRow) => (result?.tenancyId === row.tenancyId ? (result.fieldErrors ?? {}) : {});
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/einladungen">← Alle Liegenschaften</Link>}
        title={`Mieterzugänge ${property.name}`}
        description={`${property.street}, ${property.postalCode} ${property.city}`}
      />
      <FormMessage data={notice} />
      <Panel id="bulk" title="Alle auf einmal einladen">
        {open.length === 0 ? (
          <p>Alle laufenden Mietverhältnisse haben einen Zugang oder eine gültige Einladung.</p>
        ) : (
          <>
            <p>
              {formatNumber(open.length)} Mieter ohne Zugang und ohne Einladung: {formatNumber(byEmail)} erhalten eine E-Mail mit Link
              (E-Mail-Adresse bekannt), für {formatNumber(open.length - byEmail)} entsteht ein Aktivierungsbrief. Die Briefe werden als eine
              PDF-Datei (eine Seite je Mieter) heruntergeladen; laden Sie danach diese Seite neu.
            </p>
            <Form method="post" action={`/einladungen/${property.id}/briefe`} reloadDocument>
              <input type="hidden" name="intent" value="all" />
              <button type="submit" className="button button--primary">
                Alle {formatNumber(open.length)} einladen
              </button>
            </Form>
          </>
        )}
      </Panel>
      <Panel id="tenancies" title="Mietverhältnisse">
        {rows.length === 0 ? (
          <EmptyState>Keine laufenden Mietverhältnisse.</EmptyState>
        ) : (
          <DataTable
            label="Mietverhältnisse und Zugänge"
            caption={<>Mietverhältnisse und Zugänge in {property.name}</>}
            head={
              <tr>
                <th scope="col">Einheit</th>
                <th scope="col">Mieter</th>
                <th scope="col">Zugang</th>
                <th scope="col">Aktionen</th>
              </tr>
            }
          >
            {rows.map((row) => (
              <tr key={row.tenancyId} id={`mietverhaeltnis-${row.tenancyId}`}>
                <th scope="row">
                  {row.unitLabel}
                  {row.floor ? <span className="cell-sub">{row.floor}</span> : null}
                </th>
                <td>
                  <span className="cell-main">{row.tenantName}</span>
                  <span className="cell-sub">
                    seit {formatDate(row.startsOn)}
                    {row.endsOn ? `, Auszug zum ${formatDate(row.endsOn)}` : ''}
                  </span>
                </td>
                <td>
                  <AccessState row={row} />
                </td>
                <td>
                  {rowMessage(row)}
                  {row.accountEmail ? null : (
                    <div className="invite-actions">
                      <Form method="post" className="invite-actions">
                        <input type="hidden" name="tenancy" value={row.tenancyId} />
                        <label className="visually-hidden" htmlFor={`email-${row.tenancyId}`}>
                          E-Mail-Adresse von {row.tenantName}
                        </label>
                        <input
                          id={`email-${row.tenancyId}`}
                          name="email"
                          type="email"
                          placeholder="E-Mail-Adresse"
                          maxLength={254}
                          defaultValue={row.contactEmail ?? ''}
                        />
                        <button type="submit" name="intent" value="invite-email" className="button button--small" disabled={busy}>
                          Per E-Mail einladen<span className="visually-hidden"> ({row.tenantName})</span>
                        </button>
                      </Form>
                      <Form method="post" action={`/einladungen/${property.id}/briefe`} reloadDocument>
                        <input type="hidden" name="intent" value="letter" />
                        <input type="hidden" name="tenancy" value={row.tenancyId} />
                        <button type="submit" className="button button--small">
                          Brief mit Code (PDF)<span className="visually-hidden"> für {row.tenantName}</span>
                        </button>
                      </Form>
                    </div>
                  )}
                  {row.endsOn ? null : (
                    <details className="move-out">
                      <summary>Auszug eintragen</summary>
                      <Form method="post" noValidate className="form">
                        <input type="hidden" name="intent" value="move-out" />
                        <input type="hidden" name="tenancy" value={row.tenancyId} />
                        <div className="field">
                          <label htmlFor={`ends-${row.tenancyId}`}>Letzter Tag des Mietverhältnisses</label>
                          <input
                            id={`ends-${row.tenancyId}`}
                            name="endsOn"
                            type="date"
                            required
                            aria-invalid={rowErrors(row).endsOn ? true : undefined}
                            aria-describedby={rowErrors(row).endsOn ? `ends-${row.tenancyId}-error` : undefined}
                          />
                          {rowErrors(row).endsOn ? (
                            <p id={`ends-${row.tenancyId}-error`} className="field__error">
                              {rowErrors(row).endsOn}
                            </p>
                          ) : null}
                        </div>
                        <div className="field">
                          <label htmlFor={`next-${row.tenancyId}`}>Nachmieter (optional)</label>
                          <input id={`next-${row.tenancyId}`} name="nextTenantName" maxLength={200} />
                        </div>
                        <div className="field">
                          <label htmlFor={`next-email-${row.tenancyId}`}>E-Mail des Nachmieters (optional)</label>
                          <input
                            id={`next-email-${row.tenancyId}`}
                            name="nextTenantEmail"
                            type="email"
                            maxLength={254}
                            aria-invalid={rowErrors(row).nextTenantEmail ? true : undefined}
                          />
                          {rowErrors(row).nextTenantEmail ? <p className="field__error">{rowErrors(row).nextTenantEmail}</p> : null}
                        </div>
                        <p className="muted">
                          Ab dem Folgetag sieht der bisherige Mieter die Wohnung nicht mehr; ihm zugestellte Abrechnungen und
                          Verbrauchsinformationen bleiben für ihn unter „Meine Dokumente“ lesbar.
                        </p>
                        <div>
                          <button type="submit" className="button button--small" disabled={busy}>
                            Auszug speichern
                          </button>
                        </div>
                      </Form>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
    </>
  );
}
