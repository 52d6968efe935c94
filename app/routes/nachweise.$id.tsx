import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { EmptyState, Facts, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { ArchiveFileFields } from '~/components/archive-forms';
import { MAX_ARCHIVE_UPLOAD_BYTES } from '../../domain/archive';
import type { RetentionState } from '../../domain/contracts/retention';
import { formatDate, formatDateTime, formatNumber } from '../../domain/format';
import { hasPermission } from '../../domain/permissions';
import { parseId } from '../../domain/params';
import { addArchiveVersion, approveArchiveDeletion, archiveDocument, versionRetention } from '../../server/archive';
import { notFound, requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin } from '../../server/request';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.view.document.title ?? 'Nachweis'} · Klarmeter` }];

/** A full hash wraps inside its cell instead of widening the table. */
const HASH_STYLE = { wordBreak: 'break-all', fontSize: '0.8rem' } as const;

const RETENTION_LABELS: Record<RetentionState, string> = {
  retaining: 'Wird aufbewahrt',
  held: 'Gesperrt (Legal Hold) – Frist angehalten',
  'awaiting-approval': 'Frist beendet – Löschung wartet auf Freigabe',
  deleted: 'Gelöscht',
  gone: 'Nicht mehr vorhanden',
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:archive:own');
  const id = parseId(params.id);
  const view = id ? await archiveDocument(user, id) : null;
  if (!view) throw notFound();
  const staff = user.role !== 'tenant';
  const retention = staff
    ? await Promise.all(view.versions.map(async (v) => ({ versionId: v.id, live: await versionRetention(v.id) })))
    : [];
  return {
    view,
    retention: Object.fromEntries(
      retention.map(({ versionId, live }) => [
        versionId,
        live.available ? { state: live.status.state, label: RETENTION_LABELS[live.status.state] } : null,
      ]),
    ),
    canUpload: hasPermission(user, 'create:archive:any'),
    canApprove: hasPermission(user, 'handle:archive:any'),
    staff,
  };
}

type ActionResult = { intent: 'version'; errors: Record<string, string> } | { intent: 'approve'; ok: boolean; message: string };

export async function action({ request, params, context }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const id = parseId(params.id);
  if (Number(request.headers.get('Content-Length') ?? 0) > MAX_ARCHIVE_UPLOAD_BYTES + 64 * 1024) {
    await requireUserWithPermission(request, 'create:archive:any');
    return { intent: 'version', errors: { file: 'Die Datei ist größer als 10 MB.' } };
  }
  const form = await request.formData();
  if (form.get('intent') === 'approve') {
    const user = await requireUserWithPermission(request, 'handle:archive:any');
    const versionId = parseId(String(form.get('versionId') ?? ''));
    if (!id || !versionId) throw notFound();
    const outcome = await approveArchiveDeletion(user, id, versionId);
    if (!outcome.ok && outcome.message === 'Nachweis nicht gefunden.') throw notFound();
    return outcome.ok
      ? { intent: 'approve', ok: true, message: 'Die Löschung ist freigegeben; der Grabstein-Eintrag bleibt erhalten.' }
      : { intent: 'approve', ok: false, message: outcome.message };
  }
  const user = await requireUserWithPermission(request, 'create:archive:any');
  if (!id) throw notFound();
  const file = form.get('file');
  const note = String(form.get('note') ?? '').trim();
  const outcome = await addArchiveVersion(
    user,
    id,
    {
      documentDate: String(form.get('documentDate') ?? ''),
      note: note === '' ? null : note,
      fileName: file instanceof File ? file.name : '',
      content: file instanceof File ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0),
    },
    { ip: clientIp(context) },
  );
  if (!outcome) throw notFound();
  return { intent: 'version', errors: outcome.ok ? {} : outcome.errors };
}

export default function ArchiveDocumentPage() {
  const { view, retention, canUpload, canApprove, staff } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const { document, versions, tombstones, holds } = view;
  const versionErrors = result?.intent === 'version' ? result.errors : {};
  return (
    <>
      <PageHeader eyebrow={<Link to="/nachweise">← Nachweise</Link>} title={document.title} description={document.kindLabel} />
      {search.get('gespeichert') ? (
        <div className="alert alert--info" role="status">
          Der Nachweis ist verschlüsselt archiviert.
        </div>
      ) : null}
      {result?.intent === 'version' && Object.keys(versionErrors).length === 0 ? (
        <div className="alert alert--info" role="status">
          Die neue Version ist archiviert; die bisherigen bleiben unverändert erhalten.
        </div>
      ) : null}
      {result?.intent === 'approve' ? (
        <div className={result.ok ? 'alert alert--info' : 'alert alert--error'} role={result.ok ? 'status' : 'alert'}>
          {result.message}
        </div>
      ) : null}
      {holds.length > 0 ? (
        <div className="alert alert--error" role="status">
          Aufbewahrungssperre:{' '}
          {holds.map((h) => `${h.reason} (seit ${formatDate(h.placedAt.toString().slice(0, 10))}, ${h.placedBy})`).join('; ')}. Solange sie
          besteht, läuft keine Aufbewahrungsfrist ab und nichts wird gelöscht.
        </div>
      ) : null}

      <Panel id="angaben" title="Angaben">
        <Facts
          items={[
            ['Liegenschaft', document.propertyName],
            ['Wohneinheit', document.unitLabel ?? 'Ganzes Gebäude'],
            ['Gerät', document.deviceSerial ?? '–'],
            ['Aufbewahrung', `${document.retentionYears} Jahre ab Ende des Jahres des Nachweisdatums`],
            ['Rechtsgrundlage', document.retentionBasis],
          ]}
        />
      </Panel>

      <Panel id="versionen" title="Versionen">
        {versions.length === 0 ? (
          <EmptyState>Keine gespeicherte Version mehr (siehe gelöschte Versionen).</EmptyState>
        ) : (
          <DataTable
            label="Versionen"
            caption="Gespeicherte Versionen mit Prüfsumme, Herkunft und Aufbewahrungsfrist"
            head={
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Datum</th>
                <th scope="col">Datei</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Herkunft</th>
                <th scope="col">Aufbewahren bis</th>
                {staff ? <th scope="col">Frist</th> : null}
              </tr>
            }
          >
            {versions.map((v) => {
              const live = retention[v.id];
              return (
                <tr key={v.id}>
                  <th scope="row">{v.version}</th>
                  <td>{formatDate(v.documentDate)}</td>
                  <td>
                    <a href={`/nachweise/${document.id}/datei/${v.id}`} download>
                      {v.fileName}
                    </a>{' '}
                    <span className="muted">({formatNumber(Math.ceil(v.byteSize / 1024))} KB)</span>
                    {v.note ? (
                      <>
                        <br />
                        <span className="muted">{v.note}</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <code className="hash" style={HASH_STYLE}>
                      {v.sha256}
                    </code>
                  </td>
                  <td>
                    {v.origin}
                    <br />
                    <span className="muted">{formatDateTime(v.storedAt)}</span>
                  </td>
                  <td>{formatDate(v.retentionUntil)}</td>
                  {staff ? (
                    <td>
                      {live ? live.label : 'Status derzeit nicht abrufbar'}
                      {live?.state === 'awaiting-approval' && canApprove ? (
                        <Form method="post">
                          <input type="hidden" name="intent" value="approve" />
                          <input type="hidden" name="versionId" value={v.id} />
                          <button type="submit" className="button button--ghost">
                            Löschung von Version {v.version} freigeben
                          </button>
                        </Form>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </DataTable>
        )}
      </Panel>

      {tombstones.length > 0 ? (
        <Panel id="geloescht" title="Gelöschte Versionen">
          <DataTable
            label="Gelöschte Versionen"
            caption="Nach Ablauf der Aufbewahrungsfrist gelöschte Versionen mit Prüfsumme und Freigabe"
            head={
              <tr>
                <th scope="col">Version</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Datum</th>
                <th scope="col">Gespeichert</th>
                <th scope="col">Aufbewahrt bis</th>
                <th scope="col">Gelöscht</th>
                <th scope="col">Freigegeben von</th>
              </tr>
            }
          >
            {tombstones.map((t) => (
              <tr key={t.versionId}>
                <th scope="row">{t.version}</th>
                <td>
                  <code className="hash" style={HASH_STYLE}>
                    {t.sha256}
                  </code>
                </td>
                <td>{formatDate(t.documentDate)}</td>
                <td>{formatDateTime(t.storedAt)}</td>
                <td>{formatDate(t.retentionUntil)}</td>
                <td>{formatDateTime(t.deletedAt)}</td>
                <td>{t.approvedBy}</td>
              </tr>
            ))}
          </DataTable>
        </Panel>
      ) : null}

      {canUpload ? (
        <Panel id="korrektur" title="Korrigierte Fassung hochladen">
          <p className="muted">
            Eine Korrektur wird als neue Version gespeichert; die bisherigen Versionen bleiben unverändert und abrufbar.
          </p>
          <Form method="post" encType="multipart/form-data" className="form">
            <input type="hidden" name="intent" value="version" />
            <div className="form-grid">
              <ArchiveFileFields errors={versionErrors} />
              <div>
                <button type="submit" className="button button--primary">
                  Neue Version archivieren
                </button>
              </div>
            </div>
          </Form>
        </Panel>
      ) : null}
    </>
  );
}
