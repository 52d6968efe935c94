import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { emptyReport, enterReading, importReadingsFile, recentImports, type ImportReport } from '../../server/readings';
import {
  READING_FIELDS,
  decodeCsvBytes,
  describeUnknownSerials,
  parseReadingRecord,
  type ReadingField,
  type RowError,
} from '../../domain/readings-csv';
import { EmptyState, PageHeader, Panel } from '~/components/page-header';
import { DataTable } from '~/components/data-table';
import { ImportResultSection, RowErrorTable } from '~/components/row-errors';
import monthlyStyles from '~/styles/monthly.css?url';
import { formatDateTime, formatNumber } from '../../domain/format';
import { requireUserWithPermission } from '../../server/permissions';
import { importWmbusFile, type WmbusFileReport } from '../../server/readings-wmbus-upload';
import { clientIp, requireSameOrigin } from '../../server/request';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: monthlyStyles }];
export const meta: MetaFunction = () => [{ title: 'Ablesungen erfassen · Klarmeter' }];

const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** The page lists this many errors; the count says how many there are. */
const SHOWN_ERRORS = 300;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'create:reading:any');
  return { recent: await recentImports(user) };
}

type Report = Omit<ImportReport, 'errors'> & { errors: RowError[]; errorCount: number };
/** A wmbusmeters file's report with the first SHOWN_ERRORS refused and skipped lines. */
type WmbusReport = WmbusFileReport & { errorCount: number; skippedCount: number };
type ReadingsActionResult =
  | { intent: 'import'; fileName: string; report: Report }
  | { intent: 'import-wmbus'; fileName: string; report: WmbusReport | null }
  /** savedAt: a fresh key for the form, so that it empties after each saved entry. */
  | {
      intent: 'manual';
      report: Report | null;
      fieldErrors: Partial<Record<ReadingField, string>>;
      values: Record<string, string>;
      savedAt: number | null;
    };

function shown(report: ImportReport): Report {
  return { ...report, errors: report.errors.slice(0, SHOWN_ERRORS), errorCount: report.errors.length };
}

function shownWmbus(report: WmbusFileReport): WmbusReport {
  return {
    ...report,
    errors: report.errors.slice(0, SHOWN_ERRORS),
    errorCount: report.errors.length,
    skipped: report.skipped.slice(0, SHOWN_ERRORS),
    skippedCount: report.skipped.length,
  };
}

const FIELD_OF_LABEL = Object.fromEntries(Object.entries(READING_FIELDS).map(([field, label]) => [label, field])) as Record<
  string,
  ReadingField
>;

/**
 * POST: a CSV file (intent=import) or one reading by hand (intent=manual), both all-or-nothing; or
 * a wmbusmeters file (intent=import-wmbus), whose valid lines are stored and the others listed.
 */
export async function action({ request, context }: ActionFunctionArgs): Promise<ReadingsActionResult> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:reading:any');
  if (Number(request.headers.get('Content-Length') ?? 0) > MAX_FILE_BYTES)
    throw new Response('Datei zu groß (höchstens 20 MB)', { status: 413 });
  const form = await request.formData();
  const ip = clientIp(context);

  if (form.get('intent') === 'import') {
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) {
      return {
        intent: 'import',
        fileName: '',
        report: shown(emptyReport([{ line: 1, field: 'Datei', message: 'Bitte eine CSV-Datei auswählen' }])),
      };
    }
    const text = decodeCsvBytes(new Uint8Array(await file.arrayBuffer()));
    const report = await importReadingsFile(user, { text, name: file.name, skipUnknown: form.get('skipUnknown') === 'on' }, ip);
    return { intent: 'import', fileName: file.name, report: shown(report) };
  }

  if (form.get('intent') === 'import-wmbus') {
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) return { intent: 'import-wmbus', fileName: '', report: null };
    const text = new TextDecoder('utf-8').decode(await file.arrayBuffer());
    return { intent: 'import-wmbus', fileName: file.name, report: shownWmbus(await importWmbusFile(user, { text, name: file.name }, ip)) };
  }

  if (form.get('intent') === 'manual') {
    const values = Object.fromEntries(
      (['serial', 'readAt', 'value', 'unit', 'setDateValue'] as const).map((f) => [f, String(form.get(f) ?? '')]),
    );
    const parsed = parseReadingRecord(values, 1);
    const report = parsed.row ? await enterReading(user, parsed.row, ip) : null;
    const errors = parsed.row ? report!.errors : parsed.errors;
    const fieldErrors = Object.fromEntries(errors.map((e) => [FIELD_OF_LABEL[e.field] ?? 'serial', e.message]));
    return {
      intent: 'manual',
      report: report ? shown(report) : null,
      fieldErrors,
      values: report?.applied ? {} : values,
      savedAt: report?.applied ? Date.now() : null,
    };
  }
  throw new Response('Ungültige Anfrage', { status: 400 });
}

const SAMPLE = `Zählernummer;Zeitpunkt;Wert;Einheit;Stichtagswert
HKV-2023-00412;01.11.2026 06:00;1.234;Einheiten;
HKV-2023-00412;01.01.2026 06:00;35;Einheiten;1.020
WZ-2021-01887;01.11.2026 06:00;412,750;m³;`;

export default function Readings() {
  const { recent } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== 'idle' ? navigation.formData?.get('intent') : null;
  const manual = result?.intent === 'manual' ? result : null;
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/monatsinformationen">← Monatsinformationen</Link>}
        title="Ablesungen erfassen"
        description="Funkablesungen als CSV-Export der Auslesesoftware, als wmbusmeters-Datei eines Funk-Gateways oder einzelne Werte von Hand. Eine CSV-Datei wird ganz oder gar nicht übernommen; derselbe Import zweimal ändert nichts."
      />
      <Panel id="import" title="CSV-Datei importieren">
        <Form method="post" encType="multipart/form-data" className="form">
          <input type="hidden" name="intent" value="import" />
          <div className="form-grid">
            <div className="field">
              <label htmlFor="file">Datei (CSV, „;“ oder „,“ getrennt)</label>
              <input id="file" name="file" type="file" accept=".csv,text/csv,text/plain" required />
            </div>
            <label className="checkbox">
              <input type="checkbox" name="skipUnknown" /> Zeilen mit unbekannter Zählernummer überspringen (werden aufgelistet)
            </label>
            <div>
              <button type="submit" className="button button--primary" disabled={busy === 'import'}>
                {busy === 'import' ? 'Wird geprüft …' : 'Prüfen und übernehmen'}
              </button>
            </div>
          </div>
          <details>
            <summary>Aufbau der Datei</summary>
            <p className="muted">
              Kopfzeile mit den Spalten Zählernummer (oder Seriennummer), Zeitpunkt (TT.MM.JJJJ hh:mm oder JJJJ-MM-TT hh:mm, deutsche Zeit),
              Wert, Einheit (Einheiten, m³, l, kWh, MWh) und bei Heizkostenverteilern optional Stichtagswert. Dezimalkomma oder -punkt.
            </p>
            <pre className="code-sample">{SAMPLE}</pre>
          </details>
        </Form>
        {result?.intent === 'import' ? <ImportResult fileName={result.fileName} report={result.report} /> : null}
      </Panel>

      <Panel id="import-wmbus" title="Funk-Gateway-Datei importieren (wmbusmeters)">
        <Form method="post" encType="multipart/form-data" className="form">
          <input type="hidden" name="intent" value="import-wmbus" />
          <div className="form-grid">
            <div className="field">
              <label htmlFor="wmbus-file">Datei (JSON-Zeilen, wie wmbusmeters sie mit format=json schreibt)</label>
              <input id="wmbus-file" name="file" type="file" accept=".json,.jsonl,.ndjson,.log,.txt,application/json,text/plain" required />
            </div>
            <div>
              <button type="submit" className="button button--primary" disabled={busy === 'import-wmbus'}>
                {busy === 'import-wmbus' ? 'Wird geprüft …' : 'Prüfen und übernehmen'}
              </button>
            </div>
          </div>
          <p className="muted">
            Jede Zeile ist ein Telegramm und wird wie bei der Gateway-Schnittstelle geprüft. Gültige Zeilen werden gemeinsam gespeichert;
            Zeilen fremder Zähler, anderer Medien oder mit Fehlern werden mit Zeilennummer und Grund aufgelistet. Dieselbe Datei zweimal
            ändert nichts.
          </p>
        </Form>
        {result?.intent === 'import-wmbus' ? <WmbusResult fileName={result.fileName} report={result.report} /> : null}
      </Panel>

      <Panel id="manual" title="Ablesung von Hand erfassen">
        <Form method="post" className="form" key={manual?.savedAt ? `saved-${manual.savedAt}` : 'entry'}>
          <input type="hidden" name="intent" value="manual" />
          <div className="form-grid">
            <ManualField name="serial" label="Zählernummer" errors={manual?.fieldErrors} value={manual?.values.serial} />
            <ManualField name="readAt" label="Zeitpunkt" type="datetime-local" errors={manual?.fieldErrors} value={manual?.values.readAt} />
            <ManualField name="value" label="Wert" inputMode="decimal" errors={manual?.fieldErrors} value={manual?.values.value} />
            <div className="field">
              <label htmlFor="manual-unit">Einheit</label>
              <select
                id="manual-unit"
                name="unit"
                defaultValue={manual?.values.unit ?? 'Einheiten'}
                aria-invalid={manual?.fieldErrors.unit ? true : undefined}
              >
                <option value="Einheiten">Einheiten (HKV)</option>
                <option value="m³">m³ (Wasser)</option>
                <option value="kWh">kWh (WMZ)</option>
              </select>
              {manual?.fieldErrors.unit ? <p className="field__error">{manual.fieldErrors.unit}</p> : null}
            </div>
            <ManualField
              name="setDateValue"
              label="Stichtagswert (optional)"
              inputMode="decimal"
              errors={manual?.fieldErrors}
              value={manual?.values.setDateValue}
            />
            <div>
              <button type="submit" className="button button--primary" disabled={busy === 'manual'}>
                Speichern
              </button>
            </div>
          </div>
        </Form>
        {manual?.report?.applied ? (
          <p className="alert alert--info" role="status">
            {manual.report.inserted === 1 ? 'Ablesung gespeichert.' : 'Diese Ablesung war bereits mit demselben Wert gespeichert.'}
          </p>
        ) : null}
        {manual?.report ? <LightsPending report={manual.report} /> : null}
      </Panel>

      <Panel id="recent" title="Letzte Importe und Eingaben">
        {recent.length === 0 ? (
          <EmptyState>Noch keine Ablesungen importiert.</EmptyState>
        ) : (
          <DataTable
            label="Letzte Importe"
            caption="Letzte Importe und Eingaben von Ablesungen"
            head={
              <tr>
                <th scope="col">Zeitpunkt</th>
                <th scope="col">Von</th>
                <th scope="col">Datei</th>
                <th scope="col" className="num">
                  Zeilen
                </th>
                <th scope="col" className="num">
                  Neu
                </th>
                <th scope="col" className="num">
                  Unverändert
                </th>
              </tr>
            }
          >
            {recent.map((entry) => (
              <tr key={entry.id}>
                <td>{formatDateTime(entry.at)}</td>
                <td>{entry.actor}</td>
                <td>{entry.manual ? <span className="muted">von Hand</span> : (entry.fileName ?? '–')}</td>
                <td className="num">{formatNumber(entry.rows)}</td>
                <td className="num">{formatNumber(entry.inserted)}</td>
                <td className="num">{formatNumber(entry.unchanged)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Panel>
    </>
  );
}

function ManualField({
  name,
  label,
  type = 'text',
  inputMode,
  errors,
  value,
}: {
  name: ReadingField;
  label: string;
  type?: string;
  inputMode?: 'decimal';
  errors?: Partial<Record<ReadingField, string>>;
  value?: string;
}) {
  const id = `manual-${name}`;
  const error = errors?.[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        inputMode={inputMode}
        defaultValue={value ?? ''}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function ImportResult({ fileName, report }: { fileName: string; report: Report }) {
  return (
    <ImportResultSection id="import-result" fileName={fileName}>
      {report.applied ? (
        <p className="alert alert--info" role="status">
          Übernommen.
        </p>
      ) : (
        <p className="alert alert--error" role="alert">
          Nicht übernommen: Die Datei enthält Fehler, es wurde nichts gespeichert. Bitte korrigieren und erneut hochladen.
        </p>
      )}
      <LightsPending report={report} />
      <ReportCounts
        counts={[
          ['Zeilen', report.rows],
          ['Neu gespeichert', report.inserted],
          ['Bereits vorhanden', report.unchanged],
          ...(report.skipped > 0 ? [['Übersprungen', report.skipped] as const] : []),
          ...(report.errorCount > 0 ? [['Fehler', report.errorCount] as const] : []),
        ]}
      />
      {report.unknownSerials.length > 0 ? (
        <p className={report.applied ? 'alert alert--info' : 'alert alert--error'}>
          Unbekannte Zählernummern{report.applied ? ' (übersprungen)' : ''}: {describeUnknownSerials(report)}
        </p>
      ) : null}
      <RowErrorTable errors={report.errors} errorCount={report.errorCount} />
    </ImportResultSection>
  );
}

function WmbusResult({ fileName, report }: { fileName: string; report: WmbusReport | null }) {
  if (!report)
    return (
      <p className="alert alert--error" role="alert">
        Bitte eine Datei auswählen.
      </p>
    );
  return (
    <ImportResultSection id="wmbus-result" fileName={fileName}>
      <p className={report.errorCount > 0 ? 'alert alert--error' : 'alert alert--info'} role="status">
        {report.inserted + report.unchanged > 0 ? 'Die gültigen Zeilen sind gespeichert.' : 'Keine Zeile konnte gespeichert werden.'}
        {report.errorCount > 0 ? ' Die abgelehnten Zeilen unten wurden nicht gespeichert.' : ''}
      </p>
      <LightsPending report={report} />
      <ReportCounts
        counts={[
          ['Zeilen', report.rows],
          ['Neu gespeichert', report.inserted],
          ['Bereits vorhanden', report.unchanged],
          ['Übersprungen', report.skippedCount],
          ['Abgelehnt', report.errorCount],
        ]}
      />
      {report.unknownSerials.length > 0 ? (
        <p className="alert alert--info">Unbekannte Zählernummern (nicht gespeichert): {describeUnknownSerials(report)}</p>
      ) : null}
      <RowErrorTable label="Abgelehnte Zeilen" reason="Grund" errors={report.errors} errorCount={report.errorCount} />
      <RowErrorTable label="Übersprungene Zeilen" reason="Grund" errors={report.skipped} errorCount={report.skippedCount} />
    </ImportResultSection>
  );
}

function ReportCounts({ counts }: { counts: ReadonlyArray<readonly [label: string, count: number]> }) {
  return (
    <ul className="report-counts">
      {counts.map(([label, count]) => (
        <li key={label}>
          {label}: <strong>{formatNumber(count)}</strong>
        </li>
      ))}
    </ul>
  );
}

/** Lines of a file with the field and the reason: a CSV's errors, a wmbusmeters file's refused or skipped lines. */
/** The readings are stored; some devices' workflows (which own the lights) hear of them from the outbox once Temporal answers. */
function LightsPending({ report }: { report: Pick<ImportReport, 'workflows'> }) {
  const { unsent } = report.workflows;
  if (unsent === 0) return null;
  return (
    <p className="alert alert--info" role="status">
      Gespeichert. {unsent === 1 ? 'Die Ampel eines Geräts wird' : `Die Ampeln von ${formatNumber(unsent)} Geräten werden`} gerade
      bearbeitet: Der Workflow-Dienst ist nicht erreichbar, die Ampeln werden nachgezogen, sobald er wieder antwortet. Sie müssen nichts
      weiter tun.
    </p>
  );
}
