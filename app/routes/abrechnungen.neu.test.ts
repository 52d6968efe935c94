// The statement form with the extended contract: a heating-only building, gas billed on its gross
// calorific value, Q from the living area, a §10 agreement, and the manager's own §12 cut with its
// reason. Posted as a browser posts it, against the real PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cookieFor, dataOf, makeRequest, run, testDb } from '../../tests/support/web';
import { createStatementFixture, type StatementFixture } from '../../tests/support/statement-fixtures';
import { formValuesOf, pdfRenderer, withBlankRows, type StatementFormValues } from '../../server/statements';
import { action as newAction, loader as newLoader } from './abrechnungen.neu';
import { loader as detailLoader } from './abrechnungen.$id';
import { formFields } from '../../tests/support/statement-form';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const database = testDb();
let house: StatementFixture;
let cookie: string;

beforeAll(async () => {
  house = await createStatementFixture(database);
  cookie = await cookieFor(house.org.managers[0]);
});
afterAll(async () => {
  await pdfRenderer().close();
  await database.close();
});

const baseValues = (): StatementFormValues => withBlankRows(formValuesOf(house.request, null));
const post = async (values: StatementFormValues, intent = 'preview', extra: Record<string, string> = {}) =>
  dataOf(await run(newAction, makeRequest('/abrechnungen/neu', { cookie, form: formFields(values, intent, extra) })));

describe('the statement form', () => {
  test('offers the units of the chosen property for a cut', async () => {
    const { units } = dataOf(await run(newLoader, makeRequest(`/abrechnungen/neu?property=${house.property.id}`, { cookie })));
    expect(units.map((u) => u.id)).toEqual([house.units.a.id, house.units.b.id, house.units.c.id, house.units.d.id]);
  });

  test('a cut the manager adds is applied with its reason, saved and shown on the statement page', async () => {
    const values = baseValues();
    const reason = 'Heizkostenverteiler im Bad 2025 nicht abgelesen';
    values.cuts = [{ unit: String(house.units.c.id), cut: 'not-consumption-based:heating', reason }];
    const preview = await post(values, `preview:${house.units.c.id}`);
    expect(preview.errors).toEqual({});
    const c = preview.preview!.units.find((u) => u.unitId === house.units.c.id)!;
    expect(c.cut).toBe(true);
    expect(Math.round(c.amounts.cut * 100)).toBe(Math.floor((Math.round(c.amounts.heating * 100) * 15 + 50) / 100));
    expect(preview.preview!.selected!.html).toContain('15 % von Heizung (§12 Abs. 1 S. 1 HKVO)');
    expect(preview.preview!.selected!.html).toContain(`Begründung: ${reason}`);
    // The cut rows come back as entered, with one blank row to add another.
    expect(preview.values.cuts).toEqual([...values.cuts, { unit: '', cut: '', reason: '' }]);

    const saved = await run(
      newAction,
      makeRequest('/abrechnungen/neu', { cookie, form: formFields(values, 'save', { token: preview.token! }) }),
    );
    const location = saved.kind === 'response' ? saved.response.headers.get('Location')! : '';
    const id = /^\/abrechnungen\/(\d+)$/.exec(location)![1]!;
    const page = dataOf(await run(detailLoader, makeRequest(`/abrechnungen/${id}?einheit=${house.units.c.id}`, { cookie }), { id }));
    expect(page.counts.cuts).toBe(1);
    expect(page.selected!.html).toContain(`Begründung: ${reason}`);
    // A correction starts from the stored cut.
    const correction = dataOf(await run(newLoader, makeRequest(`/abrechnungen/neu?korrektur=${id}`, { cookie })));
    expect(correction.values.cuts[0]).toEqual(values.cuts[0]);
  });

  test('a cut without a reason or without a chosen cut is named by field, in German', async () => {
    const values = baseValues();
    values.cuts = [
      { unit: '', cut: 'no-monthly-info', reason: ' ' },
      { unit: '', cut: '', reason: 'Zähler defekt' },
    ];
    const { errors, preview } = await post(values);
    expect(preview).toBeNull();
    expect(errors['cuts[0].reason']).toBe('Begründung: Bitte angeben; sie steht in der Abrechnung.');
    expect(errors['cuts[1].cut']).toBe('Kürzung: Bitte einen Grund aus der Liste wählen.');
  });

  test('the same cut twice for a unit is refused at that row', async () => {
    const values = baseValues();
    values.cuts = [
      { unit: '', cut: 'no-remote-reading', reason: 'Funkmodule fehlen' },
      { unit: String(house.units.a.id), cut: 'no-remote-reading', reason: 'doppelt' },
    ];
    const { errors } = await post(values);
    expect(errors['cuts[1].cut']).toMatch(/wird bereits angewandt/);
  });

  test('a heating-only building bills heating alone: no hot-water energy, no water rows', async () => {
    const values = { ...baseValues(), hotWaterMode: 'none' as const, coldWaterCost: '' };
    const { errors, preview } = await post(values, `preview:${house.units.c.id}`);
    expect(errors).toEqual({});
    expect(preview!.combined).toBeNull();
    for (const unit of preview!.units) expect([unit.amounts.hotWater, unit.amounts.coldWater]).toEqual([0, 0]);
    const heating = preview!.units.reduce((sum, u) => sum + Math.round(u.amounts.heating * 100), 0);
    expect(heating).toBe(Math.round(preview!.plantCost * 100));
    expect(preview!.selected!.html).not.toContain('Warmwasser</td>');
  });

  test('gas on its gross calorific value: Q × 1.11 (§9(2) S.6)', async () => {
    // Q = 2.5 × 60 m³ × 50 K = 7 500 kWh; × 1.11 = 8 325 kWh of 100 000.
    const { errors, preview } = await post({ ...baseValues(), grossCalorific: true });
    expect(errors).toEqual({});
    expect(preview!.combined).toMatchObject({ hotWaterKwh: 8325, hotWaterShare: 0.08325 });
  });

  test('without a volume: Q = 32 kWh/m² of the living area entered (§9(2) S.4)', async () => {
    const { errors, preview } = await post({ ...baseValues(), hotWaterMode: 'area', heatedAreaM2: '700' });
    expect(errors).toEqual({});
    expect(preview!.combined).toMatchObject({ hotWaterKwh: 22400 });
  });

  test('a consumption share above 70 % needs the §10 agreement', async () => {
    const refused = await post({ ...baseValues(), heatingShare: '85' });
    expect(refused.errors['heatingShare']).toMatch(/höchstens 70.*§10 HKVO/);
    const agreed = await post({ ...baseValues(), heatingShare: '85', heatingAgreed: true });
    expect(agreed.errors).toEqual({});
    expect(agreed.preview).not.toBeNull();
  });
});
