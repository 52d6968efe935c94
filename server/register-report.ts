// The register as a printed report (for an owners' meeting): cover, summary by light and type, then
// every device of the register's filters with its calibration status, battery and next deadline,
// grouped by property. A4 with page numbers, rendered by the shared PDF renderer. Exports are audited.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import { addDays, compareDates } from '../domain/dates';
import { deadlineKindLabel, deviceTypeLabel, formatDate, formatDateTime, formatNumber, lightLabel, radioLabel } from '../domain/format';
import { countLights } from '../domain/lights';
import { calibrationStatus, summariseByType } from '../domain/register-report';
import type { RegisterFilters } from '../domain/register-filters';
import { db } from './db';
import { registerReportRows, type ReportRow } from './devices';
import type { Scope } from './permissions';
import type { SessionUser } from './session';
import { pdfRenderer } from './statements';

/** A report beyond this many devices is too long to print usefully (and to render in a request): filter first. */
export const REPORT_DEVICE_LIMIT = 5_000;

const TEMPLATE = fileURLToPath(new URL('./templates/register-report.hbs', import.meta.url));
let template: HandlebarsTemplateDelegate | undefined;

export interface RegisterReportModel {
  title: string;
  organisationName: string;
  createdAt: string;
  createdBy: string;
  /** The filters in words, e.g. ["Liegenschaft: Musterstraße 12", "Gerätetyp: Rauchwarnmelder"]. */
  filters: string[];
  total: string;
  lights: Array<{ light: string; label: string; count: string }>;
  dueSoon: string;
  types: Array<{ label: string; total: string; red: string; yellow: string; green: string; unknown: string }>;
  properties: Array<{
    name: string;
    count: string;
    devices: Array<{
      serial: string;
      type: string;
      place: string;
      calibration: string;
      calibrationState: string;
      battery: string;
      radio: string;
      deadline: string;
      light: string;
      lightLabel: string;
    }>;
  }>;
}

export type RegisterReport = { ok: true; model: RegisterReportModel; devices: number } | { ok: false; tooMany: true };

function filterWords(scope: Scope, filters: RegisterFilters): string[] {
  const words: string[] = [];
  const property = scope.properties.find((p) => p.id === filters.propertyId);
  words.push(`Liegenschaft: ${property ? property.name : `alle (${formatNumber(scope.properties.length)})`}`);
  if (filters.type) words.push(`Gerätetyp: ${deviceTypeLabel(filters.type)}`);
  if (filters.light) words.push(`Ampel: ${lightLabel(filters.light)}`);
  if (filters.serial) words.push(`Seriennummer beginnt mit: ${filters.serial}`);
  return words;
}

function place(row: ReportRow): string {
  return [row.unitLabel ?? 'Gebäude', row.location].filter(Boolean).join(', ');
}

/** The report's content for the user's scope and the register's filters (page ignored). */
export async function registerReport(user: SessionUser, scope: Scope, filters: RegisterFilters, now = new Date()): Promise<RegisterReport> {
  const rows = await registerReportRows(scope, filters, REPORT_DEVICE_LIMIT);
  if (rows.length > REPORT_DEVICE_LIMIT) return { ok: false, tooMany: true };
  const today = calendarDate(now);
  const counts = countLights(rows.map((r) => r.light));
  const soon = addDays(today, 90);
  const byProperty = new Map<number, { name: string; rows: ReportRow[] }>();
  for (const row of rows) {
    const group = byProperty.get(row.propertyId) ?? { name: row.propertyName, rows: [] };
    group.rows.push(row);
    byProperty.set(row.propertyId, group);
  }
  const property = scope.properties.find((p) => p.id === filters.propertyId);
  return {
    ok: true,
    devices: rows.length,
    model: {
      title: property ? `Geräteregister ${property.name}` : 'Geräteregister',
      organisationName: user.organisationName,
      createdAt: formatDateTime(now),
      createdBy: user.name,
      filters: filterWords(scope, filters),
      total: formatNumber(rows.length),
      lights: (['red', 'yellow', 'green'] as const).map((light) => ({
        light,
        label: lightLabel(light),
        count: formatNumber(counts[light]),
      })),
      dueSoon: formatNumber(rows.filter((r) => r.dueAt !== null && compareDates(r.dueAt, soon) <= 0).length),
      types: summariseByType(rows).map((t) => ({
        label: t.label,
        total: formatNumber(t.total),
        red: formatNumber(t.counts.red),
        yellow: formatNumber(t.counts.yellow),
        green: formatNumber(t.counts.green),
        unknown: formatNumber(t.counts.unknown),
      })),
      properties: [...byProperty.values()].map((group) => ({
        name: group.name,
        count: formatNumber(group.rows.length),
        devices: group.rows.map((row) => {
          const calibration = calibrationStatus(row, today);
          return {
            serial: row.serial,
            type: deviceTypeLabel(row.type),
            place: place(row),
            calibration: calibration.text,
            calibrationState: calibration.state,
            battery: row.batteryPercent === null ? '–' : `${row.batteryPercent} %`,
            radio: radioLabel(row.radioStatus),
            deadline: row.dueAt ? `${deadlineKindLabel(row.deadlineKind)} ${formatDate(row.dueAt)}` : '–',
            light: row.light ?? 'unknown',
            lightLabel: lightLabel(row.light),
          };
        }),
      })),
    },
  };
}

export function registerReportHtml(model: RegisterReportModel): string {
  template ??= Handlebars.compile(readFileSync(TEMPLATE, 'utf8'), { strict: true });
  return template(model);
}

export async function registerReportPdf(model: RegisterReportModel): Promise<Buffer> {
  return pdfRenderer().renderPdf(registerReportHtml(model), { footer: `${model.title} · Stand ${model.createdAt}` });
}

export function registerReportFileName(filters: RegisterFilters, today: string): string {
  return `geraeteregister-bericht${filters.propertyId ? `-liegenschaft-${filters.propertyId}` : ''}-${today}.pdf`;
}

/** GET /geraete/bericht.pdf: the PDF as a download, audited like the CSV export; 413 with a hint when too many devices match. */
export async function registerReportResponse(input: {
  user: SessionUser;
  scope: Scope;
  filters: RegisterFilters;
  ip: string | null;
}): Promise<Response> {
  const report = await registerReport(input.user, input.scope, input.filters);
  if (!report.ok) {
    return new Response(
      `Der Bericht umfasst höchstens ${formatNumber(REPORT_DEVICE_LIMIT)} Geräte. Bitte wählen Sie eine Liegenschaft oder einen Gerätetyp.`,
      { status: 413, headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
    );
  }
  const pdf = await registerReportPdf(report.model);
  await appendAudit(db(), {
    organisationId: input.user.organisationId,
    actorId: input.user.id,
    actor: input.user.email,
    action: 'export',
    entity: 'device',
    ip: input.ip,
    details: { format: 'pdf', rows: report.devices, filters: { ...input.filters, page: undefined } },
  });
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${registerReportFileName(input.filters, calendarDate(new Date()))}"`,
      'Content-Length': String(pdf.length),
      'Cache-Control': 'private, no-store',
    },
  });
}
