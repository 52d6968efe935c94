// Drinking-water systems and legionella sampling (TrinkwV §31): managers add systems, record lab
// results (the report goes into the archive) and the health office's notification of a finding.
// Plain POST forms: works without JavaScript.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { formatDate } from '../../domain/format';
import { parseId } from '../../domain/params';
import { MAX_ARCHIVE_UPLOAD_BYTES } from '../../domain/archive';
import {
  createWaterSystem,
  listWaterSystems,
  recordHealthOfficeNotified,
  recordLabResult,
  waterSystemProperties,
} from '../../server/legionella';
import { requireUserWithPermission } from '../../server/permissions';
import { requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Trinkwasser · Klarmeter' }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'create:archive:any');
  return { systems: await listWaterSystems(user), properties: await waterSystemProperties(user) };
}

type ActionResult = { intent: string; errors: Record<string, string>; message?: string };

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const litres = (value: string) => (value === '' ? null : Number(value.replace(',', '.')));

export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:archive:any');
  if (Number(request.headers.get('Content-Length') ?? 0) > MAX_ARCHIVE_UPLOAD_BYTES + 64 * 1024)
    return { intent: 'result', errors: { file: 'Die Datei ist größer als 10 MB.' } };
  const form = await request.formData();
  const intent = text(form, 'intent');
  if (intent === 'result') {
    const file = form.get('file');
    const outcome = await recordLabResult(user, {
      waterSystemId: parseId(text(form, 'waterSystemId')) ?? 0,
      sampledAt: text(form, 'sampledAt'),
      cfuPer100ml: text(form, 'cfuPer100ml'),
      lab: text(form, 'lab'),
      file: file instanceof File && file.size > 0 ? { fileName: file.name, content: Buffer.from(await file.arrayBuffer()) } : null,
    });
    if (!outcome.ok) return { intent, errors: outcome.errors };
    return {
      intent,
      errors: {},
      message: outcome.finding
        ? 'Befund gespeichert: Maßnahmenwert überschritten. Die Mieter werden informiert; bitte das Gesundheitsamt melden und das Meldedatum erfassen.'
        : 'Befund gespeichert. Die nächste Untersuchung ist in drei Jahren fällig.',
    };
  }
  if (intent === 'health-office') {
    const outcome = await recordHealthOfficeNotified(user, {
      resultId: parseId(text(form, 'resultId')) ?? 0,
      notifiedAt: text(form, 'notifiedAt'),
    });
    return outcome.ok ? { intent, errors: {}, message: 'Meldung an das Gesundheitsamt erfasst.' } : { intent, errors: outcome.errors };
  }
  const large = text(form, 'large');
  const outcome = await createWaterSystem(user, {
    propertyId: parseId(text(form, 'propertyId')),
    name: text(form, 'name'),
    large: large === 'ja' ? true : large === 'nein' ? false : null,
    storageLitres: litres(text(form, 'storageLitres')),
    pipeLitres: litres(text(form, 'pipeLitres')),
    lastSampledAt: text(form, 'lastSampledAt') || null,
  });
  if (!outcome.ok) return { intent: 'system', errors: outcome.errors };
  return {
    intent: 'system',
    errors: {},
    message: outcome.dueAt
      ? `Anlage gespeichert. Legionellenprüfung fällig am ${formatDate(outcome.dueAt)}.`
      : 'Anlage gespeichert (keine Großanlage, keine Prüfpflicht).',
  };
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p className="field-error" id={`${id}-fehler`}>
      {error}
    </p>
  ) : null;
}

function Field(props: { id: string; label: string; error?: string; type?: string; required?: boolean; hint?: string }) {
  const { id, label, error, type = 'text', required, hint } = props;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? <p className="muted">{hint}</p> : null}
      <input
        id={id}
        name={id}
        type={type}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-fehler` : undefined}
      />
      <FieldError id={id} error={error} />
    </div>
  );
}

const PHASE_LABELS = { routine: 'Regelmäßige Untersuchung', finding: 'Nachprobe nach Befund' } as const;

export default function DrinkingWaterPage() {
  const { systems, properties } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? {};
  const large = systems.filter((s) => s.large);
  return (
    <>
      <PageHeader
        title="Trinkwasser"
        description="Legionellenprüfung nach TrinkwV §31: Großanlagen alle drei Jahre, Befunde über 100 KBE/100 ml mit Nachverfolgung."
      />
      {result?.message ? (
        <div className="alert alert--info" role="status">
          {result.message}
        </div>
      ) : null}
      {Object.keys(errors).length > 0 ? (
        <div className="alert alert--error" role="alert">
          Bitte prüfen Sie die markierten Angaben.
        </div>
      ) : null}

      <Panel id="anlagen" title="Anlagen">
        {systems.length === 0 ? (
          <EmptyState>Noch keine Trinkwasseranlage erfasst.</EmptyState>
        ) : (
          <DataTable
            label="Trinkwasseranlagen"
            caption="Trinkwasseranlagen mit Prüfpflicht und Frist"
            head={
              <tr>
                <th scope="col">Anlage</th>
                <th scope="col">Liegenschaft</th>
                <th scope="col">Großanlage</th>
                <th scope="col">Letzte Probe</th>
                <th scope="col">Pflicht</th>
                <th scope="col">Fällig am</th>
              </tr>
            }
          >
            {systems.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name}</th>
                <td>{s.propertyName}</td>
                <td>{s.large ? 'Ja' : 'Nein'}</td>
                <td>{s.lastSampledAt ? formatDate(s.lastSampledAt) : '–'}</td>
                <td>{s.phase ? PHASE_LABELS[s.phase] : 'Keine'}</td>
                <td>{s.dueAt ? formatDate(s.dueAt) : '–'}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>

      {systems
        .filter((s) => s.finding)
        .map((s) => (
          <Panel key={s.id} id={`befund-${s.id}`} title={`Befund: ${s.name}`}>
            <p>
              Probe vom {formatDate(s.finding!.sampledAt)}: {s.finding!.cfuPer100ml} KBE/100 ml. Im Portal informiert:{' '}
              {s.finding!.informedInPortal} Mietparteien. Nachprobe fällig am {s.dueAt ? formatDate(s.dueAt) : '–'}.
            </p>
            <h3>Brief an Mietparteien ohne Portalzugang</h3>
            {s.finding!.letters.length === 0 ? (
              <p>Keine.</p>
            ) : (
              <ul>
                {s.finding!.letters.map((name) => (
                  <li key={name}>{name}</li>
                ))}
              </ul>
            )}
            {s.finding!.healthOfficeNotifiedAt ? (
              <p>Gesundheitsamt gemeldet am {formatDate(s.finding!.healthOfficeNotifiedAt)}.</p>
            ) : (
              <Form method="post">
                <input type="hidden" name="intent" value="health-office" />
                <input type="hidden" name="resultId" value={s.finding!.resultId} />
                <Field id="notifiedAt" label="Gesundheitsamt gemeldet am" type="date" required error={errors.notifiedAt} />
                <button type="submit" className="button">
                  Meldung erfassen
                </button>
              </Form>
            )}
          </Panel>
        ))}

      {large.length > 0 ? (
        <Panel id="befund" title="Laborbefund erfassen">
          <Form method="post" encType="multipart/form-data">
            <input type="hidden" name="intent" value="result" />
            <div className="field">
              <label htmlFor="waterSystemId">Anlage</label>
              <select id="waterSystemId" name="waterSystemId" required>
                {large.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name} ({s.propertyName})
                  </option>
                ))}
              </select>
              <FieldError id="waterSystemId" error={errors.waterSystemId} />
            </div>
            <Field id="sampledAt" label="Datum der Probenahme" type="date" required error={errors.sampledAt} />
            <Field id="cfuPer100ml" label="Legionellen (KBE/100 ml)" required error={errors.cfuPer100ml} />
            <Field id="lab" label="Labor" required error={errors.lab} />
            <Field
              id="file"
              label="Laborbericht (PDF, optional)"
              type="file"
              error={errors.file}
              hint="Wird im Archiv (Nachweise) abgelegt."
            />
            <button type="submit" className="button">
              Befund speichern
            </button>
          </Form>
        </Panel>
      ) : null}

      <Panel id="neu" title="Anlage hinzufügen">
        <Form method="post">
          <input type="hidden" name="intent" value="system" />
          <div className="field">
            <label htmlFor="propertyId">Liegenschaft</label>
            <select id="propertyId" name="propertyId" required>
              {properties.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <FieldError id="propertyId" error={errors.propertyId} />
          </div>
          <Field id="name" label="Bezeichnung" required error={errors.name} />
          <fieldset>
            <legend>Großanlage (Speicher über 400 l oder über 3 l Leitungsinhalt)?</legend>
            <label>
              <input type="radio" name="large" value="ja" /> Ja
            </label>
            <label>
              <input type="radio" name="large" value="nein" /> Nein
            </label>
            <label>
              <input type="radio" name="large" value="" defaultChecked /> Aus den Volumen bestimmen
            </label>
            <FieldError id="large" error={errors.large} />
          </fieldset>
          <Field id="storageLitres" label="Speichervolumen (l)" error={errors.storageLitres} />
          <Field id="pipeLitres" label="Leitungsinhalt bis zur entferntesten Zapfstelle (l)" error={errors.pipeLitres} />
          <Field id="lastSampledAt" label="Letzte Probenahme (falls bekannt)" type="date" error={errors.lastSampledAt} />
          <button type="submit" className="button">
            Anlage speichern
          </button>
        </Form>
      </Panel>
    </>
  );
}
