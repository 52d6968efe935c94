// The coverage reports of the compliance desk (/pruefung/berichte/*): §6a monthly information per
// month, BGB §556(3) statement delivery per billing year, device deadlines per type and year. Each
// report is one scoped query over indexed columns (one row per unit, recipient or device; never a
// query per unit), classified by domain/compliance/coverage-reports.ts, shown as a page and printed
// as a PDF through the shared renderer with one Handlebars template for all three.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { QueryTypes } from 'sequelize';
import { appendAudit } from '../db/audit';
import { calendarDate } from '../domain/calendar';
import {
  OUTCOME_LABELS,
  REPORT_TITLES,
  deviceDeadlineReport,
  mergeResolvedDeadlines,
  monthlyInformationReport,
  parseReportFilters,
  statementDeliveryReport,
  yearRange,
  type DeviceDeadlineReport,
  type DeviceDeadlineRow,
  type MonthlyReport,
  type MonthlyUnitRow,
  type ParsedReportFilters,
  type ReportFilters,
  type ReportKind,
  type StatementRecipientRow,
  type StatementReport,
} from '../domain/compliance/coverage-reports';
import { deadlineOf, type DeadlineKind, type DeviceType } from '../domain/deadlines';
import { RESOLUTION_LABELS } from '../domain/deadline-resolution';
import { deadlineKindLabel, deviceTypeLabel, formatDate, formatDateTime, formatNumber } from '../domain/format';
import { germanMonth, type MonthlyDelivery } from '../domain/monthly';
import { deliveryDeadline } from '../domain/statement-deadlines';
import { organisationScope } from './compliance';
import { db } from './db';
import type { SessionUser } from './session';
import { pdfRenderer } from './statements';

export type ReportData =
  | { kind: 'monatsinformation'; report: MonthlyReport }
  | { kind: 'abrechnungen'; report: StatementReport }
  | { kind: 'fristen'; report: DeviceDeadlineReport };

export interface LoadedReport {
  parsed: ParsedReportFilters;
  properties: Array<{ id: number; name: string }>;
  /** The chosen property's name (null: all the organisation's properties). */
  propertyName: string | null;
  /** Null when a filter was refused: a report of the defaults would mislead. */
  data: ReportData | null;
  checkedAt: string;
}

const toIso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

async function monthlyRows(propertyIds: number[], month: string): Promise<MonthlyUnitRow[]> {
  // Every unit of the properties, with its information of the month (unique on month, unit) and the
  // first provision to a portal user in its proof chain (index on information_id of the 'provided' events).
  const rows = await db().sequelize.query<
    Omit<MonthlyUnitRow, 'providedAt' | 'openedAt'> & { providedAt: Date | null; openedAt: Date | null }
  >(
    `SELECT u.property_id AS "propertyId", p.name AS property, u.id AS "unitId", u.label AS unit, mi.delivery,
            provided.at AS "providedAt", mi.opened_at AS "openedAt"
       FROM units u JOIN properties p ON p.id = u.property_id
       LEFT JOIN monthly_information mi ON mi.month = $1 AND mi.unit_id = u.id
       LEFT JOIN LATERAL (SELECT min(e.at) AS at FROM monthly_delivery_events e WHERE e.information_id = mi.id AND e.kind = 'provided' AND e.user_id IS NOT NULL) provided ON true
      WHERE u.property_id = ANY($2::int[])
      ORDER BY p.name, p.id, u.label, u.id`,
    { bind: [`${month}-01`, propertyIds], type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    ...row,
    delivery: row.delivery as MonthlyDelivery | null,
    providedAt: toIso(row.providedAt),
    openedAt: toIso(row.openedAt),
  }));
}

async function statementRows(propertyIds: number[], year: number): Promise<StatementRecipientRow[]> {
  const { from, to } = yearRange(year);
  // Each tenant of the version in force, with its earliest receipt of any version of the same
  // statement: a correction delivered later does not move the first receipt §556(3) asks about.
  const rows = await db().sequelize.query<Omit<StatementRecipientRow, 'deliveryDeadline'>>(
    `SELECT s.property_id AS "propertyId", p.name AS property, s.id AS "statementId", s.document_number AS "documentNumber",
            s.version, s.period_end::text AS "periodEnd", u.label AS unit, coalesce(o.tenant_name, '–') AS tenant,
            r.channel, r.received_on::text AS "receivedOn"
       FROM statements s JOIN properties p ON p.id = s.property_id
       JOIN statement_occupancies o ON o.statement_id = s.id AND o.tenancy_id IS NOT NULL
       JOIN units u ON u.id = o.unit_id
       LEFT JOIN LATERAL (
         SELECT r.channel, r.received_on FROM statements v JOIN statement_recipients r ON r.statement_id = v.id
          WHERE v.property_id = s.property_id AND v.period_start = s.period_start AND v.period_end = s.period_end
            AND r.unit_id = o.unit_id AND r.tenancy_id = o.tenancy_id
          ORDER BY r.received_on LIMIT 1) r ON true
      WHERE s.property_id = ANY($1::int[]) AND s.status <> 'superseded' AND s.period_end BETWEEN $2 AND $3
      ORDER BY p.name, p.id, s.period_end, s.id, u.label, o.position`,
    { bind: [propertyIds, from, to], type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({ ...row, deliveryDeadline: deliveryDeadline(row.periodEnd) }));
}

interface DeviceQueryRow {
  deviceId: number;
  type: DeviceType;
  serial: string;
  property: string;
  unit: string | null;
  kind: DeadlineKind | null;
  dueAt: string | null;
  installedAt: string;
  calibratedYear: number | null;
  lastInspectionAt: string | null;
  replacedOn: string | null;
}

async function deviceRows(propertyIds: number[], year: number): Promise<DeviceDeadlineRow[]> {
  const { from, to } = yearRange(year);
  // Devices in service and replaced ones (a device removed without successor has no deadline left).
  // The deadline is what the device workflow recorded; a device it has not reached yet (due_at null)
  // is computed from its facts, as the workflow would.
  const rows = await db().sequelize.query<DeviceQueryRow>(
    `SELECT d.id AS "deviceId", d.type, d.serial, p.name AS property, u.label AS unit, d.deadline_kind AS kind,
            d.due_at::text AS "dueAt", d.installed_at::text AS "installedAt", d.calibrated_year AS "calibratedYear",
            d.last_inspection_at::text AS "lastInspectionAt",
            CASE WHEN d.successor_id IS NOT NULL THEN d.removed_at::text END AS "replacedOn"
       FROM devices d JOIN properties p ON p.id = d.property_id LEFT JOIN units u ON u.id = d.unit_id
      WHERE d.property_id = ANY($1::int[]) AND (d.removed_at IS NULL OR d.successor_id IS NOT NULL)
        AND (d.due_at BETWEEN $2 AND $3 OR d.due_at IS NULL)
      ORDER BY p.name, u.label NULLS FIRST, d.serial`,
    { bind: [propertyIds, from, to], type: QueryTypes.SELECT },
  );
  const register: DeviceDeadlineRow[] = [];
  for (const row of rows) {
    const deadline =
      row.dueAt !== null && row.kind !== null
        ? { kind: row.kind, dueAt: row.dueAt }
        : deadlineOf({
            type: row.type,
            installedAt: row.installedAt,
            calibratedYear: row.calibratedYear,
            lastInspectionAt: row.lastInspectionAt,
          });
    if (deadline.dueAt < from || deadline.dueAt > to) continue;
    register.push({
      deviceId: row.deviceId,
      type: row.type,
      serial: row.serial,
      property: row.property,
      unit: row.unit,
      kind: deadline.kind,
      dueAt: deadline.dueAt,
      resolvedOn: row.replacedOn,
      resolvedBy: row.replacedOn === null ? null : 'replaced',
    });
  }
  // The deadlines recorded work resolved (migration 0212), of devices in service or not.
  const resolved = await db().sequelize.query<DeviceDeadlineRow>(
    `SELECT d.id AS "deviceId", d.type, d.serial, p.name AS property, u.label AS unit, r.kind, r.due_at::text AS "dueAt",
            r.resolved_on::text AS "resolvedOn", r.how AS "resolvedBy"
       FROM device_deadline_resolutions r JOIN devices d ON d.id = r.device_id
       JOIN properties p ON p.id = d.property_id LEFT JOIN units u ON u.id = d.unit_id
      WHERE d.property_id = ANY($1::int[]) AND r.due_at BETWEEN $2 AND $3`,
    { bind: [propertyIds, from, to], type: QueryTypes.SELECT },
  );
  return mergeResolvedDeadlines(register, resolved);
}

/**
 * The report of this kind for the query string's filters, within the user's organisation. Null when
 * the chosen property is not the organisation's (the caller answers 404). With refused filters the
 * report is not computed (`data` of the defaults would mislead): the page shows the errors.
 */
export async function loadCoverageReport(
  user: SessionUser,
  kind: ReportKind,
  params: URLSearchParams,
  now: Date = new Date(),
): Promise<LoadedReport | null> {
  const today = calendarDate(now);
  const parsed = parseReportFilters(params, kind, today);
  const scope = await organisationScope(user);
  const { propertyId } = parsed.filters;
  if (propertyId !== null && !scope.propertyIds.includes(propertyId)) return null;
  const propertyIds = propertyId === null ? [...scope.propertyIds] : [propertyId];
  const refused = Object.keys(parsed.errors).length > 0;
  const data = refused ? null : await reportData(kind, parsed.filters, propertyIds, today);
  return {
    parsed,
    properties: scope.properties,
    propertyName: scope.properties.find((p) => p.id === propertyId)?.name ?? null,
    data,
    checkedAt: now.toISOString(),
  };
}

async function reportData(kind: ReportKind, filters: ReportFilters, propertyIds: number[], today: string): Promise<ReportData> {
  switch (kind) {
    case 'monatsinformation':
      return {
        kind,
        report: monthlyInformationReport(filters.month, propertyIds.length ? await monthlyRows(propertyIds, filters.month) : []),
      };
    case 'abrechnungen':
      return {
        kind,
        report: statementDeliveryReport(filters.year, propertyIds.length ? await statementRows(propertyIds, filters.year) : [], today),
      };
    case 'fristen':
      return {
        kind,
        report: deviceDeadlineReport(filters.year, propertyIds.length ? await deviceRows(propertyIds, filters.year) : [], today),
      };
  }
}

// ---- The PDF ----

/** One table of the printed report: its caption, column heads and rows of text. */
interface PrintedTable {
  caption: string;
  head: string[];
  rows: string[][];
  empty: string;
}

export interface PrintedReport {
  title: string;
  subtitle: string;
  organisationName: string;
  createdAt: string;
  createdBy: string;
  facts: Array<{ label: string; value: string }>;
  tables: PrintedTable[];
  note: string;
}

const n = (value: number) => formatNumber(value);
const when = (iso: string | null) => (iso ? `${formatDateTime(iso)} Uhr` : '–');

function printedBody(data: ReportData): Pick<PrintedReport, 'subtitle' | 'facts' | 'tables' | 'note'> {
  switch (data.kind) {
    case 'monatsinformation': {
      const { report } = data;
      const t = report.totals;
      return {
        subtitle: `Verbrauchsmonat ${germanMonth(report.month)}, fällig bis ${formatDate(report.dueOn)}`,
        facts: [
          { label: 'Einheiten', value: n(t.units) },
          { label: 'Zu informieren', value: n(t.due) },
          { label: 'Informiert', value: `${n(t.informed)} von ${n(t.due)} (rechtzeitig ${n(t.onTime)}, verspätet ${n(t.late)})` },
          { label: 'Geöffnet', value: n(t.opened) },
          { label: 'Nicht informiert', value: n(t.missing) },
        ],
        tables: [
          {
            caption: 'Je Liegenschaft',
            head: ['Liegenschaft', 'Einheiten', 'Fällig', 'Informiert', 'Rechtzeitig', 'Geöffnet', 'Fehlend'],
            rows: report.properties.map((p) => [p.property, n(p.units), n(p.due), n(p.informed), n(p.onTime), n(p.opened), n(p.missing)]),
            empty: 'Keine Einheiten.',
          },
          {
            caption: 'Nicht rechtzeitig informierte und nicht fällige Einheiten',
            head: ['Liegenschaft', 'Einheit', 'Befund', 'Bereitgestellt', 'Geöffnet', 'Grund'],
            rows: report.properties.flatMap((p) =>
              p.findings.map((f) => [
                p.property,
                f.unit,
                OUTCOME_LABELS[f.outcome],
                when(f.providedAt),
                f.opened ? 'ja' : 'nein',
                f.reason,
              ]),
            ),
            empty: 'Alle fälligen Einheiten wurden rechtzeitig informiert.',
          },
        ],
        note: 'Bereitgestellt: erster Nachweis der Bereitstellung im Portal (Zustellkette der Monatsinformation).',
      };
    }
    case 'abrechnungen': {
      const { report } = data;
      const t = report.totals;
      return {
        subtitle: `Abrechnungszeiträume mit Ende im Jahr ${report.year}, Stand ${formatDate(report.asOf)}`,
        facts: [
          { label: 'Empfänger', value: n(t.recipients) },
          { label: 'Fristgerecht', value: n(t.inTime) },
          { label: 'Verspätet zugegangen', value: n(t.late) },
          { label: 'Frist versäumt, nicht zugestellt', value: n(t.overdue) },
          { label: 'Noch nicht zugestellt', value: n(t.open) },
        ],
        tables: [
          {
            caption: 'Je Liegenschaft',
            head: ['Liegenschaft', 'Empfänger', 'Fristgerecht', 'Verspätet', 'Versäumt', 'Offen'],
            rows: report.properties.map((p) => [p.property, n(p.recipients), n(p.inTime), n(p.late), n(p.overdue), n(p.open)]),
            empty: 'Keine Abrechnungen in diesem Jahr.',
          },
          {
            caption: 'Nicht fristgerecht zugegangene Abrechnungen',
            head: ['Abrechnung', 'Einheit', 'Mieter', 'Zugang', 'Frist', 'Befund'],
            rows: report.properties.flatMap((p) =>
              p.findings.map((f) => [
                `${f.documentNumber} (V${f.version})`,
                f.unit,
                f.tenant,
                f.receivedOn ? `${formatDate(f.receivedOn)}${f.channel === 'post' ? ' (Post)' : ' (Portal)'}` : '–',
                formatDate(f.deliveryDeadline),
                `${OUTCOME_LABELS[f.outcome]}${f.daysLate ? `, ${n(f.daysLate)} Tage` : ''}`,
              ]),
            ),
            empty: 'Alle Empfänger haben ihre Abrechnung fristgerecht erhalten.',
          },
        ],
        note: 'Maßgeblich ist der Zugang beim Mieter (§ 556 Abs. 3 BGB), je Mieter; bei Korrekturen zählt der erste Zugang.',
      };
    }
    case 'fristen': {
      const { report } = data;
      const t = report.totals;
      return {
        subtitle: `Fristen mit Fälligkeit im Jahr ${report.year}, Stand ${formatDate(report.asOf)}`,
        facts: [
          { label: 'Fristen', value: n(t.deadlines) },
          { label: 'Eingehalten', value: n(t.met) },
          { label: 'Verspätet erledigt', value: n(t.resolvedLate) },
          { label: 'Versäumt', value: n(t.missed) },
          { label: 'Noch offen', value: n(t.pending) },
        ],
        tables: [
          {
            caption: 'Je Gerätetyp',
            head: ['Gerätetyp', 'Fristen', 'Eingehalten', 'Verspätet erledigt', 'Versäumt', 'Offen'],
            rows: report.types.map((r) => [
              deviceTypeLabel(r.type),
              n(r.deadlines),
              n(r.met),
              n(r.resolvedLate),
              n(r.missed),
              n(r.pending),
            ]),
            empty: 'Keine Fristen in diesem Jahr.',
          },
          {
            caption: 'Versäumte und verspätet erledigte Fristen',
            head: ['Gerät', 'Liegenschaft', 'Frist', 'Erledigt', 'Befund'],
            rows: report.findings.map((f) => [
              `${deviceTypeLabel(f.type)} ${f.serial}${f.unit ? `, ${f.unit}` : ''}`,
              f.property,
              `${deadlineKindLabel(f.kind)} ${formatDate(f.dueAt)}`,
              f.resolvedOn && f.resolvedBy ? `${RESOLUTION_LABELS[f.resolvedBy]} ${formatDate(f.resolvedOn)}` : '–',
              `${OUTCOME_LABELS[f.outcome]}, ${n(f.daysLate)} Tage`,
            ]),
            empty: 'Keine Frist versäumt oder verspätet erledigt.',
          },
        ],
        note: 'Erledigt heißt ausgetauscht, nachgeeicht oder inspiziert; danach gilt die neue Frist des Geräts. Eine Nacheichung zählt zum Tag ihrer Erfassung, höchstens zum Jahresende des Eichjahrs.',
      };
    }
  }
}

export function printedReport(loaded: LoadedReport & { data: ReportData }, user: SessionUser): PrintedReport {
  const body = printedBody(loaded.data);
  return {
    title: REPORT_TITLES[loaded.data.kind],
    organisationName: user.organisationName,
    createdAt: formatDateTime(loaded.checkedAt),
    createdBy: user.email,
    ...body,
    facts: [{ label: 'Liegenschaft', value: loaded.propertyName ?? 'alle Liegenschaften' }, ...body.facts],
  };
}

const TEMPLATE = fileURLToPath(new URL('./templates/coverage-report.hbs', import.meta.url));
let template: HandlebarsTemplateDelegate<PrintedReport> | undefined;

export function coverageReportHtml(model: PrintedReport): string {
  template ??= Handlebars.compile<PrintedReport>(readFileSync(TEMPLATE, 'utf8'), { strict: true });
  return template(model);
}

/** GET /pruefung/berichte/:kind.pdf: the report as a download, audited like every export. */
export async function coverageReportPdfResponse(
  user: SessionUser,
  loaded: LoadedReport & { data: ReportData },
  ip: string | null,
): Promise<Response> {
  const model = printedReport(loaded, user);
  const pdf = await pdfRenderer().renderPdf(coverageReportHtml(model), { footer: `${model.title} · Stand ${model.createdAt}` });
  await appendAudit(db(), {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'export',
    entity: 'compliance_report',
    ip,
    details: { format: 'pdf', report: loaded.data.kind, filters: loaded.parsed.filters },
  });
  const filter = loaded.parsed.filters;
  const period = loaded.data.kind === 'monatsinformation' ? filter.month : String(filter.year);
  const name = `bericht-${loaded.data.kind}-${period}${filter.propertyId === null ? '' : `-liegenschaft-${filter.propertyId}`}.pdf`;
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'private, no-store',
    },
  });
}
