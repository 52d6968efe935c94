import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { FilterForm, SelectFilter } from '~/components/filters';
import { ArchiveFileFields, SelectField } from '~/components/archive-forms';
import { FieldError } from '~/components/field-error';
import {
  ARCHIVE_KINDS,
  ARCHIVE_KIND_LABELS,
  ARCHIVE_PAGE_SIZE,
  ARCHIVE_UPLOAD_KINDS,
  MAX_ARCHIVE_UPLOAD_BYTES,
} from '../../domain/archive';
import { formatDate, formatDateTime } from '../../domain/format';
import { hasPermission } from '../../domain/permissions';
import { parseId } from '../../domain/params';
import { listArchive, parseArchiveFilters, uploadArchiveDocument } from '../../server/archive';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Nachweise · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'read:archive:own');
  const filters = parseArchiveFilters(new URL(request.url).searchParams);
  const list = await listArchive(user, filters);
  return {
    filters,
    ...list,
    canUpload: hasPermission(user, 'create:archive:any'),
    canHold: hasPermission(user, 'handle:archive:any'),
    isTenant: user.role === 'tenant',
  };
}

/** The multipart body may hold the file and a few fields; anything larger is refused before parsing. */
const MAX_BODY_BYTES = MAX_ARCHIVE_UPLOAD_BYTES + 64 * 1024;

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:archive:any');
  if (Number(request.headers.get('Content-Length') ?? 0) > MAX_BODY_BYTES) {
    return { errors: { file: 'Die Datei ist größer als 10 MB.' } as Record<string, string>, values: {} as Record<string, string> };
  }
  const form = await request.formData();
  const file = form.get('file');
  const text = (name: string) => String(form.get(name) ?? '');
  const outcome = await uploadArchiveDocument(
    user,
    {
      propertyId: parseId(text('propertyId')),
      unitId: parseId(text('unitId')),
      deviceId: parseId(text('deviceId')),
      kind: text('kind'),
      title: text('title'),
      documentDate: text('documentDate'),
      note: text('note').trim() === '' ? null : text('note').trim(),
      fileName: file instanceof File ? file.name : '',
      content: file instanceof File ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0),
    },
    { ip: clientIp(context) },
  );
  if (!outcome.ok) {
    // Everything but the file comes back into the form (a browser cannot refill a file input).
    const values = Object.fromEntries(
      ['propertyId', 'unitId', 'deviceId', 'kind', 'title', 'documentDate', 'note'].map((name) => [name, text(name)]),
    );
    return { errors: outcome.errors as Record<string, string>, values };
  }
  return redirect(`/nachweise/${outcome.documentId}?gespeichert=1`);
}

export default function Archive() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { filters, rows, total } = data;
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  const busy = navigation.state === 'submitting' && navigation.formMethod === 'POST';
  const properties = data.scope.properties.map((p) => ({ value: String(p.id), label: p.name }));
  const units = data.units
    .filter((u) => filters.propertyId === null || u.propertyId === filters.propertyId)
    .map((u) => ({
      value: String(u.id),
      label: data.scope.properties.length > 1 ? `${u.label} (${propertyName(data, u.propertyId)})` : u.label,
    }));
  return (
    <>
      <PageHeader
        title="Nachweise"
        description={
          data.isTenant
            ? 'Prüfprotokolle, Befunde und Bescheinigungen zu Ihrer Wohnung sowie Ihre Abrechnungen und Verbrauchsinformationen, jeweils mit Prüfsumme und Aufbewahrungsfrist.'
            : 'Alle Zertifikate und Nachweise an einem Ort: Prüfprotokolle, Legionellenbefunde, Eichscheine, Abrechnungen, Zustellnachweise und Monatsinformationen – mit SHA-256, Herkunft und Aufbewahrungsfrist.'
        }
        actions={
          data.canHold ? (
            <Link to="/nachweise/sperren" className="button button--ghost">
              Aufbewahrungssperren
            </Link>
          ) : null
        }
      />

      <FilterForm resetTo="/nachweise" label="Nachweise filtern">
        {properties.length > 1 ? (
          <SelectFilter
            name="liegenschaft"
            label="Liegenschaft"
            options={properties}
            value={filters.propertyId?.toString() ?? null}
            allLabel="Alle"
          />
        ) : null}
        {units.length > 1 ? (
          <SelectFilter name="einheit" label="Wohneinheit" options={units} value={filters.unitId?.toString() ?? null} allLabel="Alle" />
        ) : null}
        {data.devices.length > 0 ? (
          <SelectFilter
            name="geraet"
            label="Gerät"
            options={data.devices
              .filter((d) => filters.propertyId === null || d.propertyId === filters.propertyId)
              .map((d) => ({ value: String(d.id), label: d.serial }))}
            value={filters.deviceId?.toString() ?? null}
            allLabel="Alle"
          />
        ) : null}
        <SelectFilter
          name="art"
          label="Art"
          options={ARCHIVE_KINDS.map((k) => ({ value: k, label: ARCHIVE_KIND_LABELS[k] }))}
          value={filters.kind}
          allLabel="Alle Arten"
        />
        <SelectFilter
          name="jahr"
          label="Jahr"
          options={data.years.map((y) => ({ value: String(y), label: String(y) }))}
          value={filters.year?.toString() ?? null}
          allLabel="Alle Jahre"
        />
        <div className="field">
          <label htmlFor="filter-suche">Suche</label>
          <input
            id="filter-suche"
            name="suche"
            type="search"
            defaultValue={filters.q ?? ''}
            placeholder="Bezeichnung, Datei, Zählernummer, Prüfsumme"
          />
        </div>
      </FilterForm>

      <Panel id="liste" title={`${total} ${total === 1 ? 'Nachweis' : 'Nachweise'}`}>
        {total > rows.length ? (
          <p className="muted">
            Die ersten {ARCHIVE_PAGE_SIZE} von {total} werden gezeigt; bitte den Filter eingrenzen.
          </p>
        ) : null}
        {rows.length === 0 ? (
          <EmptyState>Keine Nachweise für diese Auswahl.</EmptyState>
        ) : (
          <DataTable
            label="Nachweise"
            caption="Nachweise mit Art, Ort, Datum, Prüfsumme, Herkunft und Aufbewahrungsfrist"
            head={
              <tr>
                <th scope="col">Nachweis</th>
                <th scope="col">Art</th>
                <th scope="col">Ort</th>
                <th scope="col">Datum</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Herkunft</th>
                <th scope="col">Aufbewahren bis</th>
              </tr>
            }
          >
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">
                  <Link to={row.href}>{row.title}</Link>
                  {row.version > 1 && row.kind !== 'statement' && row.kind !== 'delivery-proof' ? ` · Version ${row.version}` : ''}
                </th>
                <td>{row.kindLabel}</td>
                <td>
                  {row.propertyName}
                  {row.unitLabel ? `, ${row.unitLabel}` : ''}
                  {row.deviceSerial ? ` · ${row.deviceSerial}` : ''}
                </td>
                <td>{formatDate(row.documentDate)}</td>
                <td>
                  <code title={row.sha256}>{row.sha256.slice(0, 16)}…</code>
                </td>
                <td>
                  {row.origin}
                  <br />
                  <span className="muted">{formatDateTime(row.storedAt)}</span>
                </td>
                <td>
                  {formatDate(row.retentionUntil)}
                  {row.held ? (
                    <>
                      <br />
                      <strong>Gesperrt (Legal Hold)</strong>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>

      {data.canUpload ? (
        <Panel id="hochladen" title="Nachweis hochladen">
          {Object.keys(errors).length > 0 ? (
            <div className="alert alert--error" role="alert">
              Der Nachweis wurde nicht gespeichert. Bitte die markierten Angaben prüfen.
            </div>
          ) : null}
          <Form method="post" encType="multipart/form-data" className="form">
            <div className="form-grid">
              <SelectField
                name="propertyId"
                label="Liegenschaft"
                options={properties}
                defaultValue={values.propertyId ?? filters.propertyId?.toString()}
                error={errors.property}
              />
              <SelectField
                name="unitId"
                label="Wohneinheit (optional)"
                emptyLabel="Ganzes Gebäude"
                options={data.units.map((u) => ({ value: String(u.id), label: `${u.label} (${propertyName(data, u.propertyId)})` }))}
                defaultValue={values.unitId ?? filters.unitId?.toString() ?? ''}
                error={errors.unit}
              />
              <SelectField
                name="deviceId"
                label="Gerät (optional)"
                emptyLabel="Kein bestimmtes Gerät"
                options={data.devices.map((d) => ({ value: String(d.id), label: d.serial }))}
                defaultValue={values.deviceId ?? filters.deviceId?.toString() ?? ''}
                error={errors.device}
              />
              <SelectField
                name="kind"
                label="Art"
                options={ARCHIVE_UPLOAD_KINDS.map((k) => ({ value: k, label: ARCHIVE_KIND_LABELS[k] }))}
                defaultValue={values.kind ?? filters.kind ?? undefined}
                error={errors.kind}
              />
              <div className="field">
                <label htmlFor="title">Bezeichnung</label>
                <input
                  id="title"
                  name="title"
                  required
                  maxLength={200}
                  placeholder="z. B. Legionellenprüfung Warmwasser 2026"
                  defaultValue={values.title}
                  aria-invalid={errors.title ? true : undefined}
                  aria-describedby={errors.title ? 'title-error' : undefined}
                />
                <FieldError id="title-error" message={errors.title} />
              </div>
              <ArchiveFileFields errors={errors} values={values} />
              <div>
                <button type="submit" className="button button--primary" disabled={busy}>
                  {busy ? 'Wird geprüft …' : 'Prüfen und archivieren'}
                </button>
              </div>
            </div>
          </Form>
        </Panel>
      ) : null}
    </>
  );
}

function propertyName(data: { scope: { properties: Array<{ id: number; name: string }> } }, id: number): string {
  return data.scope.properties.find((p) => p.id === id)?.name ?? '';
}
