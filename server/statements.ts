// Server side of the statement pages: scoped lookups, the entry form and one Chromium per web
// process for the PDFs. Who may read and create statements: permissions.server.ts.
import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import { db } from './db';
import type { StatementStatus } from '../domain/statement-lifecycle';
import { loadStatement, previewStatement, statementVersions } from '../db/statements';
import { appendAudit, canonicalJson, sha256 } from '../db/audit';
import { CUT_INPUTS, type BillingPeriod, type CutInput } from '../domain/billing';
import { renderStatementPdf, statementDocumentModel, statementFileName, statementPdf } from './statement-documents';
import { seesTenantNames, statementForViewer } from './personal-data';
import {
  FUEL_CATEGORIES,
  OPERATING_COST_CATEGORIES,
  type Actor,
  type CostLine,
  type StatementData,
  type StatementRequest,
  type StatementVersion,
} from '../domain/billing/statement';
import { addresseeKey, type Addressee } from './statement-documents';
import { createPdfRenderer, type PdfRenderer } from './pdf';
import { isDate } from '../domain/dates';
import { parseId } from '../domain/params';
import { notFound, requireUserWithPermission, visibleScope } from './permissions';
import { clientIp, type RequestContext } from './request';
import type { SessionUser } from './session';
import { config } from './config';

// ---------------------------------------------------------------------------------------------
// Actors

export function actorOf(user: SessionUser, context: RequestContext | undefined): Actor {
  return { userId: user.id, email: user.email, organisationId: user.organisationId, ip: clientIp(context) };
}

// ---------------------------------------------------------------------------------------------
// Scoped lookups

/** Statements the tenant may see: the lifecycle delivers them; drafts and approvals stay internal. */
export const TENANT_VISIBLE_STATUSES: readonly StatementStatus[] = ['delivered', 'final'];

export interface StatementListRow {
  id: number;
  propertyId: number;
  propertyName: string;
  periodStart: string;
  periodEnd: string;
  version: number;
  documentNumber: string;
  status: StatementStatus;
  createdAt: string;
  latest: boolean;
  unitCount: number;
  plantCost: number;
}

/** Every version of every statement of the properties the user may see, newest period first. */
export async function listStatements(user: SessionUser, propertyId: number | null): Promise<StatementListRow[]> {
  const scope = await visibleScope(user);
  const ids = propertyId === null ? scope.propertyIds : scope.propertyIds.filter((id) => id === propertyId);
  if (ids.length === 0) return [];
  return db().sequelize.query<StatementListRow>(
    `SELECT s.id, s.property_id AS "propertyId", p.name AS "propertyName", s.period_start::text AS "periodStart",
            s.period_end::text AS "periodEnd", s.version, s.document_number AS "documentNumber", s.status,
            s.created_at AS "createdAt",
            s.version = max(s.version) OVER (PARTITION BY s.property_id, s.period_start, s.period_end) AS latest,
            (SELECT count(*)::int FROM statement_keys k WHERE k.statement_id = s.id) AS "unitCount",
            (s.summary #>> '{plant,cost}')::float AS "plantCost"
       FROM statements s JOIN properties p ON p.id = s.property_id
      WHERE s.property_id IN (:ids) AND p.organisation_id = :organisationId
      ORDER BY s.period_end DESC, p.name, s.property_id, s.version DESC`,
    { replacements: { ids, organisationId: user.organisationId }, type: QueryTypes.SELECT },
  );
}

/** A stored statement of a property the user may see, else null (the caller answers 404). */
export async function findStatementVisibleTo(user: SessionUser, id: number): Promise<StatementData | null> {
  const row = await db().models.Statement.findByPk(id, { attributes: ['id', 'propertyId'] });
  if (!row || !(await visibleScope(user)).propertyIds.includes(row.propertyId)) return null;
  const statement = await loadStatement(db(), id);
  return statement && statement.property.organisationId === user.organisationId ? statement : null;
}

/**
 * The statement pages' common start: a reader of statements and a stored statement version of a
 * property it may see, by the route's id; else 404.
 */
export async function requireStoredStatement(request: Request, rawId: string | undefined) {
  const user = await requireUserWithPermission(request, 'read:statement:own');
  const id = parseId(rawId);
  const statement = id ? await findStatementVisibleTo(user, id) : null;
  if (!statement?.stored) throw notFound();
  return { user, statement, stored: statement.stored };
}

export interface TenantStatementRow {
  id: number;
  unitId: number;
  unitLabel: string;
  propertyName: string;
  periodStart: string;
  periodEnd: string;
  occupancyFrom: string;
  occupancyTo: string;
  version: number;
  documentNumber: string;
  status: StatementStatus;
  amountDue: number;
}

/** The delivered statements of the user's own tenancies, one row per flat and statement version. */
export async function tenantStatements(user: SessionUser): Promise<TenantStatementRow[]> {
  return db().sequelize.query<TenantStatementRow>(
    `SELECT s.id, o.unit_id AS "unitId", k.unit_label AS "unitLabel", p.name AS "propertyName",
            s.period_start::text AS "periodStart", s.period_end::text AS "periodEnd",
            o.date_from::text AS "occupancyFrom", o.date_to::text AS "occupancyTo",
            s.version, s.document_number AS "documentNumber", s.status, o.amount_due::float AS "amountDue"
       FROM statement_occupancies o
       JOIN tenancies t ON t.id = o.tenancy_id
       JOIN statements s ON s.id = o.statement_id
       JOIN statement_keys k ON k.statement_id = s.id AND k.unit_id = o.unit_id
       JOIN properties p ON p.id = s.property_id
      WHERE t.user_id = :userId AND p.organisation_id = :organisationId
        AND (s.status IN (:statuses)
          -- A superseded version stays with the tenants it was delivered to (marked "ersetzt").
          OR s.status = 'superseded' AND EXISTS (SELECT 1 FROM statement_proof_events e WHERE e.statement_id = s.id AND e.step = 'delivered'))
      ORDER BY s.period_end DESC, p.name, k.unit_label, s.version DESC`,
    { replacements: { userId: user.id, organisationId: user.organisationId, statuses: TENANT_VISIBLE_STATUSES }, type: QueryTypes.SELECT },
  );
}

/**
 * The tenant's own statement and the addressee it may see (its occupancy of its flat), else null.
 * `unitId` chooses between two flats of the same tenant in one house.
 */
export async function findTenantStatement(
  user: SessionUser,
  statementId: number,
  unitId: number | null,
): Promise<{ statement: StatementData; addressee: Addressee } | null> {
  const own = (await tenantStatements(user)).filter((row) => row.id === statementId && (unitId === null || row.unitId === unitId));
  const [first] = own;
  if (!first) return null;
  const statement = await loadStatement(db(), statementId);
  if (!statement) return null;
  const tenancyIds = new Set(
    (await db().models.Tenancy.findAll({ where: { userId: user.id, unitId: first.unitId }, attributes: ['id'] })).map((t) => t.id),
  );
  const unit = statement.units.find((u) => u.unitId === first.unitId);
  const occupancy = unit?.occupancies.find((o) => o.tenancyId !== null && tenancyIds.has(o.tenancyId));
  if (!unit || !occupancy) return null;
  const key = addresseeKey(unit, occupancy.tenancyId!);
  return key === undefined ? null : { statement, addressee: { unitId: unit.unitId, occupancyKey: key } };
}

// ---------------------------------------------------------------------------------------------
// PDF

let renderer: PdfRenderer | undefined;

/** One Chromium per web process, launched on the first PDF and reused. */
export function pdfRenderer(): PdfRenderer {
  renderer ??= createPdfRenderer({ executablePath: config().PUPPETEER_EXECUTABLE_PATH });
  return renderer;
}

export function pdfResponse(document: { content: Buffer; fileName: string; sha256: string }): Response {
  return new Response(new Uint8Array(document.content), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${document.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      'Content-Length': String(document.content.length),
      'Cache-Control': 'private, no-store',
      'X-Content-SHA256': document.sha256,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The entry form: strings in German notation in, a StatementRequest (or errors by field) out

export interface FuelRow {
  date: string;
  category: string;
  description: string;
  kwh: string;
  litres: string;
  taxes: string;
  amount: string;
}

export interface OperatingRow {
  category: string;
  description: string;
  amount: string;
}

/** A §12 cut the manager adds: unit id ('' = every unit), the cut, the reason printed on the statement. */
export interface CutRow {
  unit: string;
  cut: string;
  reason: string;
}

/** The cuts the manager may add, as the form offers them (German). */
export const MANUAL_CUT_LABELS: Readonly<Record<CutInput, string>> = {
  'not-consumption-based': '15 % Heizung und Warmwasser: nicht verbrauchsabhängig abgerechnet (§12 Abs. 1 S. 1 HKVO)',
  'not-consumption-based:heating': '15 % Heizung: nicht verbrauchsabhängig abgerechnet (§12 Abs. 1 S. 1 HKVO)',
  'not-consumption-based:hotWater': '15 % Warmwasser: nicht verbrauchsabhängig abgerechnet (§12 Abs. 1 S. 1 HKVO)',
  'no-remote-reading': '3 %: Ausstattung nicht fernablesbar (§12 Abs. 1 S. 2 HKVO)',
  'no-monthly-info': '3 %: monatliche Verbrauchsinformation fehlte (§12 Abs. 1 S. 3 HKVO)',
};

/** §9(2) HKVO in the form: how the hot-water energy is found, or no central hot water at all. */
export const HOT_WATER_MODES = ['formula', 'area', 'measured', 'none'] as const;
export type HotWaterMode = (typeof HOT_WATER_MODES)[number];

export interface StatementFormValues {
  propertyId: string;
  periodStart: string;
  periodEnd: string;
  fuel: FuelRow[];
  operating: OperatingRow[];
  heatingShare: string;
  hotWaterShare: string;
  coldWaterCost: string;
  coldWaterShare: string;
  heatingAgreed: boolean;
  hotWaterAgreed: boolean;
  hotWaterMode: HotWaterMode;
  hotWaterTempC: string;
  hotWaterKwhMeasured: string;
  hotWaterM3: string;
  districtHeating: boolean;
  grossCalorific: boolean;
  cuts: CutRow[];
  co2Kg: string;
  co2Cost: string;
  heatedAreaM2: string;
  correctionOf: string;
  correctionReason: string;
}

export type FieldErrors = Record<string, string>;

/** Blank rows shown below the entered ones, so that a form without JavaScript can grow. */
export const BLANK_ROWS = 2;

const emptyFuel = (): FuelRow => ({ date: '', category: FUEL_CATEGORIES[0], description: '', kwh: '', litres: '', taxes: '', amount: '' });
const emptyOperating = (): OperatingRow => ({ category: OPERATING_COST_CATEGORIES[0], description: '', amount: '' });
const emptyCut = (): CutRow => ({ unit: '', cut: '', reason: '' });

/** A number as a German user types it: 1.234,56 or 1234,56 or 1234.56. */
export function parseGermanNumber(text: string): number | null {
  const trimmed = text.trim().replace(/\s|€|%/g, '');
  if (trimmed === '') return null;
  let normalised = trimmed;
  if (trimmed.includes(',')) normalised = trimmed.replace(/\./g, '').replace(',', '.');
  else if (/^-?\d{1,3}(\.\d{3})+$/.test(trimmed)) normalised = trimmed.replace(/\./g, '');
  if (!/^-?\d+(\.\d+)?$/.test(normalised)) return Number.NaN;
  return Number(normalised);
}

/** For prefilled fields: German decimal comma, no grouping (1234,5). */
export function germanNumber(value: number | null): string {
  return value === null ? '' : String(value).replace('.', ',');
}

const decimals = (value: number) => (String(value).split('.')[1] ?? '').length;

/** A German number field: optional or required, with bounds and a maximum of decimals. */
function numberField(
  label: string,
  options: { required?: boolean; min?: number; max?: number; maxDecimals?: number; minExclusive?: boolean } = {},
) {
  return z.string().transform((text, ctx): number | null => {
    const value = parseGermanNumber(text);
    const fail = (message: string) => {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      return z.NEVER;
    };
    if (value === null) return options.required ? fail(`${label}: Bitte einen Wert angeben.`) : null;
    if (Number.isNaN(value)) return fail(`${label}: Bitte eine Zahl angeben, z. B. 1.234,56.`);
    if (options.min !== undefined && (options.minExclusive ? value <= options.min : value < options.min)) {
      return fail(`${label}: Der Wert muss ${options.minExclusive ? 'größer als' : 'mindestens'} ${germanNumber(options.min)} sein.`);
    }
    if (options.max !== undefined && value > options.max)
      return fail(`${label}: Der Wert darf höchstens ${germanNumber(options.max)} sein.`);
    if (options.maxDecimals !== undefined && decimals(value) > options.maxDecimals)
      return fail(`${label}: Höchstens ${options.maxDecimals} Nachkommastellen.`);
    return value;
  });
}

const amount = (label: string, required = false) => numberField(label, { required, min: 0, maxDecimals: 2 });
const dateField = (label: string, required: boolean) =>
  z
    .string()
    .trim()
    .refine((text) => (text === '' ? !required : isDate(text)), { message: `${label}: Bitte ein gültiges Datum angeben.` });

const FuelSchema = z.object({
  date: dateField('Datum', false),
  category: z.enum(FUEL_CATEGORIES, { errorMap: () => ({ message: 'Energieträger: Bitte aus der Liste wählen.' }) }),
  description: z.string().trim().max(200, 'Beleg: höchstens 200 Zeichen.'),
  kwh: numberField('Energie (kWh)', { required: true, min: 0, minExclusive: true, maxDecimals: 3 }),
  litres: numberField('Menge (l)', { min: 0, maxDecimals: 3 }),
  taxes: amount('Steuern und Abgaben'),
  amount: amount('Betrag', true),
});

const OperatingSchema = z.object({
  category: z.enum(OPERATING_COST_CATEGORIES, { errorMap: () => ({ message: 'Position: Bitte aus der Liste wählen.' }) }),
  description: z.string().trim().max(200, 'Beleg: höchstens 200 Zeichen.'),
  amount: amount('Betrag', true),
});

const CutSchema = z.object({
  unit: z
    .string()
    .regex(/^(\d{1,9})?$/, 'Wohneinheit: Bitte aus der Liste wählen.')
    .transform((text) => (text === '' ? null : Number(text))),
  cut: z.enum(CUT_INPUTS, { errorMap: () => ({ message: 'Kürzung: Bitte einen Grund aus der Liste wählen.' }) }),
  reason: z
    .string()
    .trim()
    .min(1, 'Begründung: Bitte angeben; sie steht in der Abrechnung.')
    .max(500, 'Begründung: höchstens 500 Zeichen.'),
});

const StatementFormSchema = z.object({
  propertyId: z
    .string()
    .regex(/^\d{1,9}$/, 'Liegenschaft: Bitte eine Liegenschaft wählen.')
    .transform(Number),
  periodStart: dateField('Beginn des Abrechnungszeitraums', true),
  periodEnd: dateField('Ende des Abrechnungszeitraums', true),
  // Up to 100 %: above 70 % only with a §10 agreement, checked below.
  heatingShare: numberField('Verbrauchsanteil Heizung (%)', { required: true, min: 50, max: 100, maxDecimals: 1 }),
  hotWaterShare: numberField('Verbrauchsanteil Warmwasser (%)', { required: true, min: 50, max: 100, maxDecimals: 1 }),
  heatingAgreed: z.boolean(),
  hotWaterAgreed: z.boolean(),
  coldWaterCost: amount('Kosten Kaltwasser'),
  coldWaterShare: numberField('Verbrauchsanteil Kaltwasser (%)', { required: true, min: 0, max: 100, maxDecimals: 1 }),
  hotWaterMode: z.enum(HOT_WATER_MODES),
  hotWaterTempC: numberField('Warmwassertemperatur (°C)', { min: 10, max: 95, maxDecimals: 1 }),
  hotWaterKwhMeasured: numberField('Wärmemenge Warmwasser (kWh)', { min: 0, maxDecimals: 3 }),
  hotWaterM3: numberField('Warmwasservolumen (m³)', { min: 0, maxDecimals: 3 }),
  districtHeating: z.boolean(),
  grossCalorific: z.boolean(),
  co2Kg: numberField('CO₂-Emissionen (kg)', { min: 0, maxDecimals: 3 }),
  co2Cost: amount('CO₂-Kosten'),
  heatedAreaM2: numberField('Wohnfläche des Gebäudes (m²)', { min: 0, minExclusive: true, maxDecimals: 2 }),
  correctionReason: z.string().trim().max(500, 'Grund der Korrektur: höchstens 500 Zeichen.'),
});

/** Rows named like `fuel[2].amount`, in index order; rows left completely blank are dropped. */
function readRows<T extends object>(
  form: FormData,
  prefix: string,
  fields: ReadonlyArray<keyof T & string>,
  ignoreForBlank: ReadonlyArray<keyof T & string>,
): T[] {
  const indexes = new Set<number>();
  for (const key of form.keys()) {
    const match = new RegExp(`^${prefix}\\[(\\d{1,3})\\]\\.`).exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((index) => Object.fromEntries(fields.map((field) => [field, String(form.get(`${prefix}[${index}].${field}`) ?? '')])) as T)
    .filter((row) => fields.some((field) => !ignoreForBlank.includes(field) && String(row[field]).trim() !== ''));
}

export function formValuesFrom(form: FormData): StatementFormValues {
  const text = (name: string) => String(form.get(name) ?? '');
  return {
    propertyId: text('propertyId'),
    periodStart: text('periodStart'),
    periodEnd: text('periodEnd'),
    fuel: readRows<FuelRow>(form, 'fuel', ['date', 'category', 'description', 'kwh', 'litres', 'taxes', 'amount'], ['category']),
    operating: readRows<OperatingRow>(form, 'operating', ['category', 'description', 'amount'], ['category']),
    cuts: readRows<CutRow>(form, 'cuts', ['unit', 'cut', 'reason'], ['unit']),
    heatingShare: text('heatingShare'),
    heatingAgreed: form.get('heatingAgreed') === 'on',
    hotWaterAgreed: form.get('hotWaterAgreed') === 'on',
    hotWaterShare: text('hotWaterShare'),
    coldWaterCost: text('coldWaterCost'),
    coldWaterShare: text('coldWaterShare'),
    hotWaterMode: HOT_WATER_MODES.find((mode) => mode === text('hotWaterMode')) ?? 'formula',
    hotWaterTempC: text('hotWaterTempC'),
    hotWaterKwhMeasured: text('hotWaterKwhMeasured'),
    hotWaterM3: text('hotWaterM3'),
    districtHeating: form.get('districtHeating') === 'on',
    grossCalorific: form.get('grossCalorific') === 'on',
    co2Kg: text('co2Kg'),
    co2Cost: text('co2Cost'),
    heatedAreaM2: text('heatedAreaM2'),
    correctionOf: text('correctionOf'),
    correctionReason: text('correctionReason'),
  };
}

function collectErrors(prefix: string, issues: z.ZodIssue[], errors: FieldErrors): void {
  for (const issue of issues) {
    const name = `${prefix}${issue.path.join('.')}`;
    errors[name] ??= issue.message;
  }
}

/** Validates the entered values; the request when everything is valid, else German errors by field name. */
export function parseStatementForm(values: StatementFormValues): { request: StatementRequest | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const scalar = StatementFormSchema.safeParse(values);
  if (!scalar.success) collectErrors('', scalar.error.issues, errors);
  const fuel = values.fuel.map((row, index) => {
    const parsed = FuelSchema.safeParse(row);
    if (!parsed.success) collectErrors(`fuel[${index}].`, parsed.error.issues, errors);
    return parsed.success ? parsed.data : null;
  });
  const operating = values.operating.map((row, index) => {
    const parsed = OperatingSchema.safeParse(row);
    if (!parsed.success) collectErrors(`operating[${index}].`, parsed.error.issues, errors);
    return parsed.success ? parsed.data : null;
  });
  const cuts = values.cuts.map((row, index) => {
    const parsed = CutSchema.safeParse(row);
    if (!parsed.success) collectErrors(`cuts[${index}].`, parsed.error.issues, errors);
    return parsed.success ? parsed.data : null;
  });
  if (values.fuel.length === 0) errors['fuel'] = 'Bitte mindestens eine Brennstofflieferung oder -rechnung erfassen.';
  if (values.correctionOf !== '' && values.correctionReason.trim() === '')
    errors['correctionReason'] = 'Grund der Korrektur: Bitte angeben, was korrigiert wurde.';
  if (scalar.success) {
    const s = scalar.data;
    if (isDate(s.periodStart) && isDate(s.periodEnd) && s.periodEnd < s.periodStart)
      errors['periodEnd'] = 'Ende des Abrechnungszeitraums: darf nicht vor dem Beginn liegen.';
    const agreement = (share: number | null, agreed: boolean, field: string, label: string) => {
      if (share !== null && share > 70 && !agreed)
        errors[field] = `${label}: Der Wert darf höchstens 70 sein; mehr nur mit vertraglicher Vereinbarung (§10 HKVO, bitte ankreuzen).`;
    };
    agreement(s.heatingShare, s.heatingAgreed, 'heatingShare', 'Verbrauchsanteil Heizung (%)');
    if (s.hotWaterMode !== 'none') agreement(s.hotWaterShare, s.hotWaterAgreed, 'hotWaterShare', 'Verbrauchsanteil Warmwasser (%)');
    if (s.hotWaterMode === 'formula' && s.hotWaterTempC === null)
      errors['hotWaterTempC'] = 'Warmwassertemperatur (°C): Bitte angeben (für Q = 2,5 × V × (t − 10)).';
    if (s.hotWaterMode === 'measured' && s.hotWaterKwhMeasured === null)
      errors['hotWaterKwhMeasured'] = 'Wärmemenge Warmwasser (kWh): Bitte den gemessenen Wert angeben.';
    if ((s.co2Kg === null) !== (s.co2Cost === null))
      errors[s.co2Kg === null ? 'co2Kg' : 'co2Cost'] = 'CO₂: Bitte Emissionen und Kosten zusammen angeben.';
  }
  if (!scalar.success || Object.keys(errors).length > 0) return { request: null, errors };
  const s = scalar.data;
  const costs: CostLine[] = [
    ...fuel.map((row) => ({
      kind: 'fuel' as const,
      category: row!.category,
      description: row!.description || null,
      invoiceDate: row!.date || null,
      amount: row!.amount!,
      taxesAndLevies: row!.taxes,
      kwh: row!.kwh,
      litres: row!.litres,
    })),
    ...operating.map((row) => ({
      kind: 'operating' as const,
      category: row!.category,
      description: row!.description || null,
      invoiceDate: null,
      amount: row!.amount!,
      taxesAndLevies: null,
      kwh: null,
      litres: null,
    })),
  ];
  return {
    errors,
    request: {
      propertyId: s.propertyId,
      period: { start: s.periodStart, end: s.periodEnd },
      costs,
      parameters: {
        heatingConsumptionShare: s.heatingShare! / 100,
        hotWaterConsumptionShare: s.hotWaterShare! / 100,
        heatingAgreed: s.heatingAgreed,
        hotWaterAgreed: s.hotWaterAgreed,
        coldWaterCost: s.coldWaterCost ?? 0,
        coldWaterConsumptionShare: s.coldWaterShare! / 100,
        hotWaterTempC: s.hotWaterMode === 'formula' ? s.hotWaterTempC : null,
        hotWaterKwhMeasured: s.hotWaterMode === 'measured' ? s.hotWaterKwhMeasured : null,
        hotWaterM3Entered: s.hotWaterMode === 'formula' ? s.hotWaterM3 : null,
        hotWaterMethod: s.hotWaterMode === 'formula' ? 'volume' : s.hotWaterMode,
        districtHeating: s.districtHeating,
        grossCalorific: s.grossCalorific,
        co2Kg: s.co2Kg,
        co2Cost: s.co2Cost,
        heatedAreaM2: s.heatedAreaM2,
        manualCuts: cuts.map((row) => ({ unitId: row!.unit, cut: row!.cut, reason: row!.reason })),
      },
      correctionReason: s.correctionReason || null,
    },
  };
}

/**
 * The service names fields of the request (`costs[3].kwh`); the form lists fuel rows first and
 * operating rows after them, so a cost index maps back to its row.
 */
export function formFieldOf(field: string, values: StatementFormValues): string {
  const cut = /^manualCuts\[(\d+)\]\.(cut|reason|unitId)$/.exec(field);
  if (cut) return `cuts[${cut[1]}].${cut[2] === 'unitId' ? 'unit' : cut[2]}`;
  const match = /^costs\[(\d+)\]\.(\w+)$/.exec(field);
  if (!match) return field;
  const index = Number(match[1]);
  return index < values.fuel.length ? `fuel[${index}].${match[2]}` : `operating[${index - values.fuel.length}].${match[2]}`;
}

const percentText = (share: number) => germanNumber(Math.round(share * 1000) / 10);

/** The form prefilled from a request (a stored statement for its correction). */
export function formValuesOf(request: StatementRequest, correctionOf: number | null): StatementFormValues {
  const p = request.parameters;
  return {
    propertyId: String(request.propertyId),
    periodStart: request.period.start,
    periodEnd: request.period.end,
    fuel: request.costs
      .filter((c) => c.kind === 'fuel')
      .map((c) => ({
        date: c.invoiceDate ?? '',
        category: c.category,
        description: c.description ?? '',
        kwh: germanNumber(c.kwh),
        litres: germanNumber(c.litres),
        taxes: germanNumber(c.taxesAndLevies),
        amount: germanNumber(c.amount),
      })),
    operating: request.costs
      .filter((c) => c.kind === 'operating')
      .map((c) => ({ category: c.category, description: c.description ?? '', amount: germanNumber(c.amount) })),
    heatingShare: percentText(p.heatingConsumptionShare),
    hotWaterShare: percentText(p.hotWaterConsumptionShare),
    coldWaterCost: germanNumber(p.coldWaterCost),
    coldWaterShare: percentText(p.coldWaterConsumptionShare),
    heatingAgreed: p.heatingAgreed,
    hotWaterAgreed: p.hotWaterAgreed,
    hotWaterMode: p.hotWaterMethod === 'volume' ? 'formula' : p.hotWaterMethod,
    grossCalorific: p.grossCalorific,
    cuts: p.manualCuts.map((c) => ({ unit: c.unitId === null ? '' : String(c.unitId), cut: c.cut, reason: c.reason })),
    hotWaterTempC: germanNumber(p.hotWaterTempC),
    hotWaterKwhMeasured: germanNumber(p.hotWaterKwhMeasured),
    hotWaterM3: germanNumber(p.hotWaterM3Entered),
    districtHeating: p.districtHeating,
    co2Kg: germanNumber(p.co2Kg),
    co2Cost: germanNumber(p.co2Cost),
    heatedAreaM2: germanNumber(p.heatedAreaM2),
    correctionOf: correctionOf === null ? '' : String(correctionOf),
    correctionReason: '',
  };
}

/** A new statement: last calendar year, the usual 70 % by consumption, water heated to 60 °C. */
export function defaultFormValues(propertyId: number | null, today: string): StatementFormValues {
  const year = Number(today.slice(0, 4)) - 1;
  return {
    propertyId: propertyId === null ? '' : String(propertyId),
    periodStart: `${year}-01-01`,
    periodEnd: `${year}-12-31`,
    fuel: [],
    operating: [],
    heatingShare: '70',
    hotWaterShare: '70',
    coldWaterCost: '',
    coldWaterShare: '100',
    heatingAgreed: false,
    hotWaterAgreed: false,
    hotWaterMode: 'formula',
    grossCalorific: false,
    cuts: [],
    hotWaterTempC: '60',
    hotWaterKwhMeasured: '',
    hotWaterM3: '',
    districtHeating: false,
    co2Kg: '',
    co2Cost: '',
    heatedAreaM2: '',
    correctionOf: '',
    correctionReason: '',
  };
}

/** The rows to show: the entered ones and `BLANK_ROWS` (or more) empty ones to fill in. */
export function withBlankRows(values: StatementFormValues, extra = 0): StatementFormValues {
  return {
    ...values,
    fuel: [...values.fuel, ...Array.from({ length: BLANK_ROWS + extra }, emptyFuel)],
    operating: [...values.operating, ...Array.from({ length: BLANK_ROWS + extra }, emptyOperating)],
    cuts: [...values.cuts, emptyCut()],
  };
}

/** The units of the chosen property for the form's cut rows; none before a visible property is chosen. */
export async function unitOptionsOf(user: SessionUser, propertyIdText: string): Promise<Array<{ id: number; label: string }>> {
  const propertyId = parseId(propertyIdText);
  if (propertyId === null || !(await visibleScope(user)).propertyIds.includes(propertyId)) return [];
  const units = await db().models.Unit.findAll({ where: { propertyId }, attributes: ['id', 'label'], order: [['id', 'ASC']] });
  return units.map((unit) => ({ id: unit.id, label: unit.label }));
}

// ---------------------------------------------------------------------------------------------
// Storing and previewing

/** Whether the addressee's document is the user's own (its tenancy's occupancy, or the unit it alone used). */
async function addressedTo(user: SessionUser, statement: StatementData, addressee: Addressee): Promise<boolean> {
  const unit = statement.units.find((u) => u.unitId === addressee.unitId);
  const occupancy =
    addressee.occupancyKey === null
      ? unit?.occupancies.length === 1
        ? unit.occupancies[0]
        : undefined
      : unit?.occupancies.find((o) => o.key === addressee.occupancyKey);
  if (!occupancy?.tenancyId) return false;
  return (await db().models.Tenancy.count({ where: { id: occupancy.tenancyId, userId: user.id } })) > 0;
}

/**
 * The user's statement PDF for one addressee: the delivered document (rendered and stored on the
 * first request, then served from storage) for those who may see the tenant's name (the managers,
 * the tenant it is addressed to); for everyone else (owners, compliance) a copy rendered on the fly
 * with "Mietpartei" in place of the name, never stored. Every download is audited.
 */
export async function addresseePdf(user: SessionUser, statement: StatementData, addressee: Addressee, context: RequestContext | undefined) {
  if (seesTenantNames(user) || (await addressedTo(user, statement, addressee))) {
    return statementPdf(db(), pdfRenderer(), statement, addressee, actorOf(user, context));
  }
  const viewed = statementForViewer(user, statement);
  const model = statementDocumentModel(viewed, addressee, { standalone: true });
  if (!model) return null;
  const content = await renderStatementPdf(pdfRenderer(), model);
  const document = { content, fileName: statementFileName(viewed, model.unit, addressee.occupancyKey), sha256: sha256(content) };
  await appendAudit(db(), {
    organisationId: user.organisationId,
    actorId: user.id,
    actor: user.email,
    action: 'statement_document_downloaded',
    entity: 'statement',
    entityId: statement.stored?.id ?? null,
    ip: clientIp(context),
    details: { ...addressee, statementId: statement.stored?.id, sha256: document.sha256, pseudonymised: true },
  });
  return document;
}

export function versionsOf(propertyId: number, period: BillingPeriod): Promise<StatementVersion[]> {
  return statementVersions(db(), propertyId, period);
}

export function previewStatementOf(request: StatementRequest): Promise<StatementData | null> {
  return previewStatement(db(), request);
}

/** Identifies the inputs a preview was computed from: saving is allowed only for what was previewed. */
export function previewToken(request: StatementRequest): string {
  return sha256(canonicalJson(request));
}
