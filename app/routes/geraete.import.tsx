import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { PageHeader, Panel } from '~/components/page-header';
import { ImportResultSection, RowErrorTable } from '~/components/row-errors';
import { formatNumber } from '../../domain/format';
import { decodeCsvBytes } from '../../domain/readings-csv';
import { importDevicesFile, type DeviceImportReport } from '../../server/device-import';
import { requireUserWithPermission } from '../../server/permissions';
import { clientIp, requireSameOrigin } from '../../server/request';

export const meta: MetaFunction = () => [{ title: 'Geräte importieren · Klarmeter' }];

const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** The page lists this many errors; the count says how many there are. */
const SHOWN_ERRORS = 300;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUserWithPermission(request, 'create:device:any');
  return null;
}

type Report = DeviceImportReport & { errorCount: number };

/** POST: a CSV file of devices; all of it is stored, or nothing. */
export async function action({ request, context }: ActionFunctionArgs): Promise<{ fileName: string; report: Report }> {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:device:any');
  if (Number(request.headers.get('Content-Length') ?? 0) > MAX_FILE_BYTES)
    throw new Response('Datei zu groß (höchstens 5 MB)', { status: 413 });
  const file = (await request.formData()).get('file');
  const report =
    file instanceof File && file.size > 0
      ? await importDevicesFile(
          user,
          { text: decodeCsvBytes(new Uint8Array(await file.arrayBuffer())), name: file.name },
          clientIp(context),
        )
      : ({
          applied: false,
          rows: 0,
          inserted: 0,
          calibrationYearUnknown: 0,
          errors: [{ line: 1, field: 'Datei', message: 'Bitte eine CSV-Datei auswählen' }],
          workflowsPending: 0,
        } satisfies DeviceImportReport);
  return {
    fileName: file instanceof File ? file.name : '',
    report: { ...report, errors: report.errors.slice(0, SHOWN_ERRORS), errorCount: report.errors.length },
  };
}

const SAMPLE = `Liegenschaft;Wohneinheit;Seriennummer;Gerätetyp;Einbauort;Eingebaut am;Eichjahr
Lindenstraße 12;Whg. 1.01;WZ-2026-00017;Kaltwasserzähler;Bad;15.03.2026;2025
Lindenstraße 12;Whg. 1.01;HKV-2026-00412;Heizkostenverteiler;Wohnzimmer;15.03.2026;
Lindenstraße 12;Gebäude;WMZ-2019-00003;Wärmemengenzähler;Heizungskeller;01.10.2019;`;

export default function DeviceImport() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/geraete">← Geräteregister</Link>}
        title="Geräte importieren"
        description="Neue Geräte als CSV-Datei, mit den Spalten des Register-Exports. Eine Datei wird ganz oder gar nicht übernommen; jedes übernommene Gerät bekommt seine Fristenüberwachung."
      />
      <Panel id="import" title="CSV-Datei importieren">
        <Form method="post" encType="multipart/form-data" className="form">
          <div className="form-grid">
            <div className="field">
              <label htmlFor="file">Datei (CSV, „;“ getrennt)</label>
              <input id="file" name="file" type="file" accept=".csv,text/csv,text/plain" required />
            </div>
            <div>
              <button type="submit" className="button button--primary" disabled={busy}>
                {busy ? 'Wird geprüft …' : 'Prüfen und übernehmen'}
              </button>
            </div>
          </div>
          <details>
            <summary>Aufbau der Datei</summary>
            <p className="muted">
              Kopfzeile mit den Spalten Liegenschaft (Name wie im Portal), Wohneinheit (Bezeichnung wie im Portal, „Gebäude“ oder leer für
              Geräte des ganzen Gebäudes), Seriennummer, Gerätetyp, Einbauort (optional), Eingebaut am (TT.MM.JJJJ) und Eichjahr (Jahr der
              Eichung oder ersten Kennzeichnung; leer oder „unbekannt“, wenn nicht bekannt — das Register weist solche Zähler aus; bei
              Heizkostenverteilern und Rauchwarnmeldern leer).
            </p>
            <pre className="code-sample">{SAMPLE}</pre>
          </details>
        </Form>
        {result ? <ImportResult fileName={result.fileName} report={result.report} /> : null}
      </Panel>
    </>
  );
}

function ImportResult({ fileName, report }: { fileName: string; report: Report }) {
  return (
    <ImportResultSection id="import-result" fileName={fileName}>
      {report.applied ? (
        <p className="alert alert--info" role="status">
          Übernommen: {formatNumber(report.inserted)} Geräte.{' '}
          {report.calibrationYearUnknown > 0
            ? `Bei ${formatNumber(report.calibrationYearUnknown)} Zählern ist das Eichjahr unbekannt; das Register weist sie aus.`
            : null}{' '}
          {report.workflowsPending > 0
            ? 'Die Fristenüberwachung wird gerade eingerichtet: Der Workflow-Dienst ist nicht erreichbar, sie folgt, sobald er wieder antwortet.'
            : null}{' '}
          <Link to="/geraete">Zum Geräteregister</Link>
        </p>
      ) : (
        <p className="alert alert--error" role="alert">
          Nicht übernommen: Die Datei enthält Fehler, es wurde nichts gespeichert. Bitte korrigieren und erneut hochladen.
        </p>
      )}
      <RowErrorTable errors={report.errors} errorCount={report.errorCount} />
    </ImportResultSection>
  );
}
