import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';

import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';

import type { ReactNode } from 'react';

import { FUEL_CATEGORIES, OPERATING_COST_CATEGORIES, requestOf, type StatementData } from '../../domain/billing/statement';
import { renderStatementHtml, statementDocumentModel } from '../../server/statement-documents';

import { ValidationError } from '../../domain/validation';

import { calendarDate } from '../../domain/calendar';

import { Facts, PageHeader, Panel } from '~/components/page-header';

import { StatementUnitsTable } from '~/components/statement-units';

import statementStyles from '~/styles/statements.css?url';
import { formatNumber } from '../../domain/format';

import { parseId } from '../../domain/params';

import { notFound, requireUserWithPermission, visibleScope } from '../../server/permissions';

import { requireSameOrigin } from '../../server/request';

import { formatEuro, formatPeriod, formatQuantity } from '../../domain/statement-format';

import {
  defaultFormValues,
  findStatementVisibleTo,
  formFieldOf,
  formValuesFrom,
  formValuesOf,
  MANUAL_CUT_LABELS,
  parseStatementForm,
  previewStatementOf,
  previewToken,
  unitOptionsOf,
  versionsOf,
  withBlankRows,
  type FieldErrors,
  type StatementFormValues,
} from '../../server/statements';
import { saveStatementDraft } from '../../server/statement-lifecycle';
import type { SessionUser } from '../../server/session';

export const meta: MetaFunction = () => [{ title: 'Neue Heizkostenabrechnung · Klarmeter' }];

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: statementStyles }];

interface Correction {
  id: number;
  documentNumber: string;
  version: number;
}

/** The statement a correction starts from; its property and period are fixed. */
async function correctionOf(user: SessionUser, id: string | null): Promise<{ correction: Correction; statement: StatementData } | null> {
  const statementId = parseId(id ?? undefined);
  if (id === null || id === '') return null;
  const statement = statementId ? await findStatementVisibleTo(user, statementId) : null;
  if (!statement?.stored) throw notFound();
  return {
    statement,
    correction: { id: statement.stored.id, documentNumber: statement.stored.documentNumber, version: statement.stored.version },
  };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUserWithPermission(request, 'create:statement:any');
  const url = new URL(request.url);
  const scope = await visibleScope(user);
  const corrected = await correctionOf(user, url.searchParams.get('korrektur'));
  const propertyId = parseId(url.searchParams.get('property') ?? undefined);
  const values = corrected
    ? formValuesOf(requestOf(corrected.statement), corrected.correction.id)
    : defaultFormValues(propertyId !== null && scope.propertyIds.includes(propertyId) ? propertyId : null, calendarDate(new Date()));
  // The lists come with the data: the component must not import server modules.
  const categories = {
    fuel: [...FUEL_CATEGORIES],
    operating: [...OPERATING_COST_CATEGORIES],
    cuts: Object.entries(MANUAL_CUT_LABELS).map(([value, label]) => ({ value, label })),
  };
  return {
    properties: scope.properties,
    values: withBlankRows(values),
    correction: corrected?.correction ?? null,
    categories,
    units: await unitOptionsOf(user, values.propertyId),
  };
}

/** Fingerprint of what was previewed: saving other values than those shown asks for a new preview. */

type Intent = { kind: 'rows' } | { kind: 'save' } | { kind: 'preview'; unitId: number | null };

function intentOf(value: FormDataEntryValue | null): Intent {
  if (value === 'rows' || value === 'save') return { kind: value };
  const unit = typeof value === 'string' ? /^preview:(\d{1,9})$/.exec(value) : null;
  return { kind: 'preview', unitId: unit ? Number(unit[1]) : null };
}

function previewOf(statement: StatementData, unitId: number | null, nextVersion: number) {
  const selected = statement.units.find((u) => u.unitId === unitId) ?? statement.units[0];
  const model = selected ? statementDocumentModel(statement, { unitId: selected.unitId, occupancyKey: null }, { standalone: false }) : null;
  return {
    nextVersion,
    plantCost: statement.summary.plant.cost,
    energyKwh: statement.summary.plant.energyKwh,
    hotWaterM3: statement.summary.plant.hotWaterM3,
    combined: statement.summary.combined ?? null,
    co2: statement.summary.co2 ?? null,
    heatingUnit: statement.summary.heatingUnit,
    notices: model?.notices ?? [],
    units: statement.units.map((u) => ({
      unitId: u.unitId,
      label: u.label,
      areaM2: u.areaM2,
      consumption: u.consumption,
      estimated: u.estimated,
      amounts: u.amounts,
      tenantChange: u.occupancies.length > 1,
      fixedKeysOnly: u.occupancies.some((o) => o.fixedKeysOnly.length > 0),
      cut: u.amounts.cut > 0,
    })),
    selected: selected && model ? { unitId: selected.unitId, label: selected.label, html: renderStatementHtml(model) } : null,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireUserWithPermission(request, 'create:statement:any');
  const form = await request.formData();
  const intent = intentOf(form.get('intent'));
  const values = formValuesFrom(form);
  const units = await unitOptionsOf(user, values.propertyId);
  const answer = (
    errors: FieldErrors,
    result: { preview?: ReturnType<typeof previewOf>; token?: string; notice?: string; extraRows?: number } = {},
  ) => ({
    values: withBlankRows(values, result.extraRows ?? 0),
    units,
    errors,
    preview: result.preview ?? null,
    token: result.token ?? null,
    notice: result.notice ?? null,
  });
  if (intent.kind === 'rows') return answer({}, { extraRows: 3 });

  const { request: statementRequest, errors } = parseStatementForm(values);
  if (!statementRequest) return answer(errors);
  const scope = await visibleScope(user);
  if (!scope.propertyIds.includes(statementRequest.propertyId))
    return answer({ propertyId: 'Liegenschaft: Bitte eine Liegenschaft wählen.' });
  const corrected = await correctionOf(user, values.correctionOf);
  if (
    corrected &&
    (corrected.statement.property.id !== statementRequest.propertyId ||
      corrected.statement.period.start !== statementRequest.period.start ||
      corrected.statement.period.end !== statementRequest.period.end)
  ) {
    return answer({ propertyId: 'Eine Korrektur gilt für dieselbe Liegenschaft und denselben Zeitraum.' });
  }

  const token = previewToken(statementRequest);
  try {
    if (intent.kind === 'save' && form.get('token') === token) {
      throw redirect(`/abrechnungen/${await saveStatementDraft(user, statementRequest, context)}`);
    }
    const statement = await previewStatementOf(statementRequest);
    if (!statement) return answer({ propertyId: 'Liegenschaft: nicht gefunden.' });
    const versions = await versionsOf(statementRequest.propertyId, statementRequest.period);
    return answer(
      {},
      {
        preview: previewOf(statement, intent.kind === 'preview' ? intent.unitId : null, (versions[0]?.version ?? 0) + 1),
        token,
        notice:
          intent.kind === 'save'
            ? 'Die Eingaben wurden seit der Vorschau geändert. Bitte prüfen Sie die neue Vorschau und speichern Sie dann erneut.'
            : undefined,
      },
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const field = formFieldOf(error.field, values);
    const known =
      /^(fuel|operating|cuts)\[\d+\]\.|^(propertyId|periodStart|periodEnd|hotWaterTempC|hotWaterKwhMeasured|co2Kg|co2Cost|fuel)$/.test(
        field,
      );
    return answer(
      known ? { [field]: error.message.replace(/^[^:]+: /, '') } : { form: `Die Berechnung hat die Eingaben abgelehnt: ${error.message}` },
    );
  }
}

// ---------------------------------------------------------------------------------------------

const idOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;

function Field({
  name,
  label,
  errors,
  children,
  hint,
}: {
  name: string;
  label: string;
  errors: FieldErrors;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
  hint?: string;
}) {
  const id = idOf(name);
  const error = errors[name];
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': true as const } : {}), 'aria-describedby': describedBy })}
      {hint ? (
        <p id={`${id}-hint`} className="muted statement-form__hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function TextField({
  name,
  label,
  value,
  errors,
  hint,
  type = 'text',
  inputMode,
  readOnly,
}: {
  name: string;
  label: string;
  value: string;
  errors: FieldErrors;
  hint?: string;
  type?: string;
  inputMode?: 'decimal' | 'text';
  readOnly?: boolean;
}) {
  return (
    <Field name={name} label={label} errors={errors} hint={hint}>
      {(props) => <input {...props} name={name} type={type} inputMode={inputMode} defaultValue={value} readOnly={readOnly} />}
    </Field>
  );
}

function CellInput({
  name,
  label,
  value,
  errors,
  type = 'text',
  inputMode = 'decimal',
}: {
  name: string;
  label: string;
  value: string;
  errors: FieldErrors;
  type?: string;
  inputMode?: 'decimal' | 'text';
}) {
  const id = idOf(name);
  return (
    <td>
      <input
        id={id}
        name={name}
        type={type}
        inputMode={type === 'date' ? undefined : inputMode}
        defaultValue={value}
        aria-label={label}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `${id}-error` : undefined}
      />
      {errors[name] ? (
        <p id={`${id}-error`} className="field__error">
          {errors[name]}
        </p>
      ) : null}
    </td>
  );
}

function CellSelect({ name, label, value, options }: { name: string; label: string; value: string; options: readonly string[] }) {
  return (
    <td>
      <select id={idOf(name)} name={name} defaultValue={value} aria-label={label}>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </td>
  );
}

function ErrorSummary({ errors }: { errors: FieldErrors }) {
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div className="alert alert--error" role="alert">
      <p>
        <strong>Bitte prüfen Sie Ihre Eingaben:</strong>
      </p>
      <ul>
        {entries.map(([name, message]) => (
          <li key={name}>{name === 'form' || name === 'fuel' ? message : <a href={`#${idOf(name)}`}>{message}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

function StatementForm({
  values,
  errors,
  properties,
  units,
  categories,
  correction,
  token,
  canSave,
  busy,
}: {
  values: StatementFormValues;
  categories: { fuel: string[]; operating: string[]; cuts: Array<{ value: string; label: string }> };
  errors: FieldErrors;
  properties: Array<{ id: number; name: string }>;
  units: Array<{ id: number; label: string }>;
  correction: Correction | null;
  token: string | null;
  canSave: boolean;
  busy: boolean;
}) {
  const fixed = correction !== null;
  return (
    <Form method="post" noValidate className="form statement-form">
      <input type="hidden" name="correctionOf" value={values.correctionOf} />
      {token ? <input type="hidden" name="token" value={token} /> : null}
      <Panel id="scope" title="Liegenschaft und Zeitraum">
        <div className="statement-form__row">
          <Field name="propertyId" label="Liegenschaft" errors={errors}>
            {(props) =>
              fixed ? (
                <>
                  <input type="hidden" name="propertyId" value={values.propertyId} />
                  <input {...props} type="text" readOnly value={properties.find((p) => String(p.id) === values.propertyId)?.name ?? ''} />
                </>
              ) : (
                <select {...props} name="propertyId" defaultValue={values.propertyId}>
                  <option value="">Bitte wählen …</option>
                  {properties.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )
            }
          </Field>
          <TextField name="periodStart" label="Beginn" type="date" value={values.periodStart} errors={errors} readOnly={fixed} />
          <TextField name="periodEnd" label="Ende" type="date" value={values.periodEnd} errors={errors} readOnly={fixed} />
        </div>
        {correction ? (
          <TextField
            name="correctionReason"
            label="Grund der Korrektur"
            value={values.correctionReason}
            errors={errors}
            hint="Erscheint auf der korrigierten Abrechnung."
          />
        ) : null}
      </Panel>

      <Panel id="fuel" title="Brennstoff: Lieferungen und Rechnungen">
        {errors.fuel ? <p className="field__error">{errors.fuel}</p> : null}
        <div className="table-wrap">
          <table className="table statement-form__table">
            <thead>
              <tr>
                <th scope="col">Datum</th>
                <th scope="col">Energieträger</th>
                <th scope="col">Beleg</th>
                <th scope="col">Energie (kWh)</th>
                <th scope="col">Menge (Liter)</th>
                <th scope="col">davon Steuern/Abgaben (€)</th>
                <th scope="col">Betrag brutto (€)</th>
              </tr>
            </thead>
            <tbody>
              {values.fuel.map((row, i) => (
                <tr key={i}>
                  <CellInput name={`fuel[${i}].date`} label={`Zeile ${i + 1}: Datum`} value={row.date} errors={errors} type="date" />
                  <CellSelect
                    name={`fuel[${i}].category`}
                    label={`Zeile ${i + 1}: Energieträger`}
                    value={row.category}
                    options={categories.fuel}
                  />
                  <CellInput
                    name={`fuel[${i}].description`}
                    label={`Zeile ${i + 1}: Beleg`}
                    value={row.description}
                    errors={errors}
                    inputMode="text"
                  />
                  <CellInput name={`fuel[${i}].kwh`} label={`Zeile ${i + 1}: Energie in kWh`} value={row.kwh} errors={errors} />
                  <CellInput name={`fuel[${i}].litres`} label={`Zeile ${i + 1}: Menge in Litern`} value={row.litres} errors={errors} />
                  <CellInput
                    name={`fuel[${i}].taxes`}
                    label={`Zeile ${i + 1}: davon Steuern und Abgaben in Euro`}
                    value={row.taxes}
                    errors={errors}
                  />
                  <CellInput name={`fuel[${i}].amount`} label={`Zeile ${i + 1}: Betrag in Euro`} value={row.amount} errors={errors} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>

      <Panel id="operating" title="Betriebskosten der Anlage (§7 Abs. 2 HKVO)">
        <div className="table-wrap">
          <table className="table statement-form__table">
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Beleg</th>
                <th scope="col">Betrag brutto (€)</th>
              </tr>
            </thead>
            <tbody>
              {values.operating.map((row, i) => (
                <tr key={i}>
                  <CellSelect
                    name={`operating[${i}].category`}
                    label={`Position ${i + 1}`}
                    value={row.category}
                    options={categories.operating}
                  />
                  <CellInput
                    name={`operating[${i}].description`}
                    label={`Position ${i + 1}: Beleg`}
                    value={row.description}
                    errors={errors}
                    inputMode="text"
                  />
                  <CellInput
                    name={`operating[${i}].amount`}
                    label={`Position ${i + 1}: Betrag in Euro`}
                    value={row.amount}
                    errors={errors}
                  />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button type="submit" name="intent" value="rows" className="button button--ghost" formNoValidate>
          Weitere Zeilen
        </button>
      </Panel>

      <Panel id="keys" title="Verteilung">
        <div className="statement-form__row">
          <TextField
            name="heatingShare"
            label="Heizung: Anteil nach Verbrauch (%)"
            value={values.heatingShare}
            errors={errors}
            inputMode="decimal"
            hint="50–70 %, der Rest nach Fläche (§7 HKVO)"
          />
          <label>
            <input type="checkbox" name="heatingAgreed" defaultChecked={values.heatingAgreed} /> Heizung: höherer Anteil vertraglich
            vereinbart (bis 100 %, §10 HKVO)
          </label>
          <TextField
            name="hotWaterShare"
            label="Warmwasser: Anteil nach Verbrauch (%)"
            value={values.hotWaterShare}
            errors={errors}
            inputMode="decimal"
            hint="50–70 % (§8 HKVO)"
          />
          <label>
            <input type="checkbox" name="hotWaterAgreed" defaultChecked={values.hotWaterAgreed} /> Warmwasser: höherer Anteil vertraglich
            vereinbart (§10 HKVO)
          </label>
        </div>
        <fieldset className="statement-form__fieldset">
          <legend>Warmwasseranteil der Heizanlage (§9 HKVO)</legend>
          <label>
            <input type="radio" name="hotWaterMode" value="formula" defaultChecked={values.hotWaterMode === 'formula'} /> berechnen: Q = 2,5
            × V × (t − 10 °C)
          </label>
          <label>
            <input type="radio" name="hotWaterMode" value="area" defaultChecked={values.hotWaterMode === 'area'} /> ohne Volumenmessung: Q =
            32 kWh/m² × Wohnfläche (§9 Abs. 2 S. 4)
          </label>
          <label>
            <input type="radio" name="hotWaterMode" value="measured" defaultChecked={values.hotWaterMode === 'measured'} /> gemessen
            (Wärmemengenzähler)
          </label>
          <label>
            <input type="radio" name="hotWaterMode" value="none" defaultChecked={values.hotWaterMode === 'none'} /> keine zentrale
            Warmwasserbereitung (nur Heizung)
          </label>
          <div className="statement-form__row">
            <TextField
              name="hotWaterTempC"
              label="Warmwassertemperatur t (°C)"
              value={values.hotWaterTempC}
              errors={errors}
              inputMode="decimal"
            />
            <TextField
              name="hotWaterM3"
              label="Warmwasservolumen V (m³)"
              value={values.hotWaterM3}
              errors={errors}
              inputMode="decimal"
              hint="leer: Summe der Warmwasserzähler"
            />
            <TextField
              name="hotWaterKwhMeasured"
              label="Gemessene Wärmemenge (kWh)"
              value={values.hotWaterKwhMeasured}
              errors={errors}
              inputMode="decimal"
            />
          </div>
          <label>
            <input type="checkbox" name="districtHeating" defaultChecked={values.districtHeating} /> Fernwärme (Ergebnis der Formel ÷ 1,15)
          </label>
          <label>
            <input type="checkbox" name="grossCalorific" defaultChecked={values.grossCalorific} /> Gas nach Brennwert abgerechnet (Ergebnis
            der Formel × 1,11)
          </label>
        </fieldset>
        <div className="statement-form__row">
          <TextField
            name="coldWaterCost"
            label="Kaltwasser: Kosten (€)"
            value={values.coldWaterCost}
            errors={errors}
            inputMode="decimal"
            hint="Wasserversorgung nach BetrKV"
          />
          <TextField
            name="coldWaterShare"
            label="Kaltwasser: Anteil nach Verbrauch (%)"
            value={values.coldWaterShare}
            errors={errors}
            inputMode="decimal"
          />
        </div>
        <div className="statement-form__row">
          <TextField
            name="co2Kg"
            label="CO₂-Emissionen (kg)"
            value={values.co2Kg}
            errors={errors}
            inputMode="decimal"
            hint="laut Brennstoffrechnung (CO2KostAufG)"
          />
          <TextField name="co2Cost" label="CO₂-Kosten (€)" value={values.co2Cost} errors={errors} inputMode="decimal" />
          <TextField
            name="heatedAreaM2"
            label="Wohnfläche des Gebäudes (m²)"
            value={values.heatedAreaM2}
            errors={errors}
            inputMode="decimal"
            hint="leer: Summe der Wohneinheiten; für CO₂ je m² und Q = 32 kWh/m²"
          />
        </div>
      </Panel>

      <Panel id="cuts" title="Kürzungen (§12 HKVO)">
        <p className="muted">
          Automatisch berücksichtigt und in der Abrechnung begründet: nicht fernablesbare Geräte (§5 HKVO), fehlende monatliche
          Verbrauchsinformationen (§6a HKVO), eine nicht ausgewiesene CO₂-Kostenaufteilung (§7 Abs. 4 CO2KostAufG) und eine Verteilung nach
          Fläche. Weitere Kürzungen hier mit Begründung eintragen; die Begründung steht in der Abrechnung.
        </p>
        <div className="table-wrap">
          <table className="table statement-form__table">
            <thead>
              <tr>
                <th scope="col">Wohneinheit</th>
                <th scope="col">Kürzung</th>
                <th scope="col">Begründung</th>
              </tr>
            </thead>
            <tbody>
              {values.cuts.map((row, i) => (
                <tr key={i}>
                  <td>
                    <select
                      id={idOf(`cuts[${i}].unit`)}
                      name={`cuts[${i}].unit`}
                      defaultValue={row.unit}
                      aria-label={`Kürzung ${i + 1}: Wohneinheit`}
                    >
                      <option value="">alle Wohneinheiten</option>
                      {units.map((unit) => (
                        <option key={unit.id} value={String(unit.id)}>
                          {unit.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      id={idOf(`cuts[${i}].cut`)}
                      name={`cuts[${i}].cut`}
                      defaultValue={row.cut}
                      aria-label={`Kürzung ${i + 1}: Grund`}
                    >
                      <option value="">– keine –</option>
                      {categories.cuts.map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <CellInput
                    name={`cuts[${i}].reason`}
                    label={`Kürzung ${i + 1}: Begründung`}
                    value={row.reason}
                    errors={errors}
                    inputMode="text"
                  />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>

      <div className="statement-form__actions">
        <button type="submit" name="intent" value="preview" className="button button--primary" disabled={busy}>
          Vorschau berechnen
        </button>
        {canSave ? (
          <button type="submit" name="intent" value="save" className="button button--primary" disabled={busy}>
            Speichern
          </button>
        ) : null}
        <Link to="/abrechnungen" className="button button--ghost">
          Abbrechen
        </Link>
      </div>
      <PreviewSlot />
    </Form>
  );
}

/** Filled by the preview below the form fields: its unit buttons submit this same form. */
function PreviewSlot() {
  const data = useActionData<typeof action>();
  const preview = data?.preview;
  if (!preview) return null;
  return (
    <Panel id="preview" title={`Vorschau – wird als Version ${preview.nextVersion} gespeichert`}>
      <Facts
        items={[
          ['Kosten der Heizanlage', formatEuro(preview.plantCost)],
          ['Energie laut Belegen', `${formatNumber(preview.energyKwh)} kWh`],
          [
            'Warmwasser',
            preview.combined
              ? `${formatQuantity(preview.hotWaterM3)} m³ → ${formatNumber(preview.combined.hotWaterKwh, true)} kWh = ${formatNumber(preview.combined.hotWaterShare * 100, true)} % → ${formatEuro(preview.combined.hotWaterCost)}`
              : '–',
          ],
          ['Heizung', preview.combined ? formatEuro(preview.combined.heatingCost) : '–'],
          [
            'CO₂',
            preview.co2
              ? `${formatNumber(preview.co2.kgPerM2, true)} kg/m² → Vermieter ${formatNumber(preview.co2.landlordShare * 100)} % = ${formatEuro(preview.co2.landlordCost)}`
              : 'nicht erfasst',
          ],
        ]}
      />
      {preview.notices.map((notice) => (
        <div key={notice} className="alert alert--info">
          {notice}
        </div>
      ))}
      <StatementUnitsTable
        units={preview.units}
        heatingUnit={preview.heatingUnit}
        selectedUnitId={preview.selected?.unitId ?? null}
        label={(unit) => (
          <button type="submit" name="intent" value={`preview:${unit.unitId}`} className="button button--small button--ghost">
            {unit.label}
          </button>
        )}
        extra={{
          title: 'Hinweise',
          cell: (unit) =>
            [
              unit.estimated.length > 0 ? 'Ersatzwert' : null,
              unit.tenantChange ? 'Nutzerwechsel' : null,
              unit.fixedKeysOnly ? 'ohne Zwischenablesung (§9b Abs. 3)' : null,
              unit.cut ? 'Kürzung' : null,
            ]
              .filter(Boolean)
              .join(', ') || '–',
        }}
      />
      <p className="muted">E = Ersatzwert (§9a HKVO). Ein Klick auf eine Einheit zeigt ihre Abrechnung mit der vollständigen Herleitung.</p>
      {preview.selected ? (
        <section aria-labelledby="derivation-title">
          <h3 id="derivation-title">Herleitung: {preview.selected.label}</h3>
          {/* Rendered on the server from the same template as the PDF; Handlebars escapes all data. */}
          <div className="statement-document" dangerouslySetInnerHTML={{ __html: preview.selected.html }} />
        </section>
      ) : null}
    </Panel>
  );
}

export default function NewStatement() {
  const { properties, values: initial, correction, categories, units: initialUnits } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const values = data?.values ?? initial;
  const errors: FieldErrors = data?.errors ?? {};
  const canSave = Boolean(data?.preview && data.token) && Object.keys(errors).length === 0;
  return (
    <>
      <PageHeader
        eyebrow={<Link to="/abrechnungen">← Alle Abrechnungen</Link>}
        title={correction ? `Korrektur von ${correction.documentNumber} (Version ${correction.version})` : 'Neue Heizkostenabrechnung'}
        description={
          <>
            Kosten erfassen, Vorschau aller Wohneinheiten mit Herleitung prüfen, dann speichern. Verbräuche kommen aus den gespeicherten
            Ablesewerten{values.periodStart && values.periodEnd ? ` (${formatPeriod(values.periodStart, values.periodEnd)})` : ''}.
          </>
        }
      />
      <ErrorSummary errors={errors} />
      {data?.notice ? (
        <div className="alert alert--info" role="status">
          {data.notice}
        </div>
      ) : null}
      <StatementForm
        values={values}
        errors={errors}
        properties={properties}
        units={data?.units ?? initialUnits}
        categories={categories}
        correction={correction}
        token={data?.token ?? null}
        canSave={canSave}
        busy={navigation.state === 'submitting'}
      />
    </>
  );
}
