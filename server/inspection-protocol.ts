// The smoke-alarm inspection protocol (DIN 14676-1): generated as a PDF when a technician records an
// inspection and filed into the archive (/nachweise) as the portal's own document. What it states:
// the device, its location, the checks of the inspection, the result, the technician and the date.
import type { Db } from '../db';
import { formatDate } from '../domain/format';
import type { PdfRenderer } from './pdf';
import { storeGeneratedArchiveDocument, type UploadOutcome } from './archive';
import type { WorkflowOptions } from './temporal';

export const PROTOCOL_GENERATOR = 'Prüfprotokoll DIN 14676 (Klarmeter)';

/** The checks of a periodic inspection with remote-less testing on site (DIN 14676-1, 6.4). */
export const DIN_14676_CHECKS = [
  'Sichtprüfung: Melder vorhanden, unbeschädigt, nicht abgedeckt oder verschmutzt',
  'Raucheintrittsöffnungen frei',
  'Umfeld von 0,5 m um den Melder frei von Hindernissen',
  'Montageort unverändert geeignet (Raumnutzung, Einbauort)',
  'Funktionsprüfung des Warnsignals (Prüftaste)',
  'Batterie- bzw. Energieversorgung ohne Störmeldung',
] as const;

export interface InspectionFacts {
  organisationId: number;
  propertyId: number;
  unitId: number | null;
  deviceId: number;
  serial: string;
  place: string;
  location: string | null;
  inspectedAt: string; // YYYY-MM-DD
  technician: { id: number; name: string };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function inspectionProtocolHtml(facts: InspectionFacts): string {
  const rows: Array<[string, string]> = [
    ['Gerät', `Rauchwarnmelder ${facts.serial}`],
    ['Ort', facts.place],
    ['Einbauort', facts.location ?? '–'],
    ['Datum der Inspektion', formatDate(facts.inspectedAt)],
    ['Fachkraft', facts.technician.name],
  ];
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Prüfprotokoll ${escapeHtml(facts.serial)}</title>
<style>body{font-family:'DejaVu Sans',sans-serif;font-size:10.5pt;margin:18mm 14mm;color:#111}h1{font-size:15pt;margin:0 0 4mm}
table{border-collapse:collapse;width:100%;margin:4mm 0}th,td{text-align:left;border-bottom:1px solid #ccc;padding:2mm 1mm;vertical-align:top}
th{width:45mm;font-weight:600}.ok{font-weight:700}</style></head><body>
<h1>Prüfprotokoll Rauchwarnmelder (DIN 14676-1)</h1>
<table>${rows.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<h2 style="font-size:12pt">Durchgeführte Prüfungen</h2>
<table>${DIN_14676_CHECKS.map((check) => `<tr><td>${escapeHtml(check)}</td><td class="ok">in Ordnung</td></tr>`).join('')}</table>
<p class="ok">Ergebnis: Der Rauchwarnmelder ist betriebsbereit. Nächste Inspektion spätestens 12 Monate (zuzüglich 3 Monate Toleranz) nach diesem Datum.</p>
<p>Erfasst von ${escapeHtml(facts.technician.name)} am ${escapeHtml(formatDate(facts.inspectedAt))} im Klarmeter-Portal.</p>
</body></html>`;
}

/** Renders the protocol and files it into the archive as version 1 of a new document. */
export async function archiveInspectionProtocol(
  facts: InspectionFacts,
  renderer: PdfRenderer,
  options: WorkflowOptions & { db?: Db } = {},
): Promise<UploadOutcome & { ok: true }> {
  const content = await renderer.renderPdf(inspectionProtocolHtml(facts), { footer: `Prüfprotokoll ${facts.serial}` });
  return storeGeneratedArchiveDocument(
    {
      organisationId: facts.organisationId,
      propertyId: facts.propertyId,
      unitId: facts.unitId,
      deviceId: facts.deviceId,
      kind: 'smoke-alarm-protocol',
      title: `Prüfprotokoll Rauchwarnmelder ${facts.serial} vom ${formatDate(facts.inspectedAt)}`,
      documentDate: facts.inspectedAt,
      fileName: `pruefprotokoll-${facts.serial}-${facts.inspectedAt}.pdf`,
      content,
      generatedBy: PROTOCOL_GENERATOR,
      actor: facts.technician,
    },
    options,
  );
}
