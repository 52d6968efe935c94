// §12 HKVO and §7(4) CO2KostAufG cuts a statement applies on its own from what the portal knows,
// and the manager's own ones: against the real PostgreSQL, stored with the statement, and explained
// in the tenant's document (the HTML page and the PDF, text extracted with pdftotext).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { testDb } from '../tests/support/web';
import { createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';
import { loadStatement, previewStatement, saveStatement } from '../db/statements';
import type { StatementData, StatementRequest, StatementUnitData } from '../domain/billing/statement';
import { ValidationError } from '../domain/validation';
import { createPdfRenderer } from './pdf';
import { renderStatementHtml, renderStatementPdf, statementDocumentModel } from './statement-documents';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const database = testDb();
const renderer = createPdfRenderer();
afterAll(async () => {
  await renderer.close();
  await database.close();
});

const unitOf = (statement: StatementData, unitId: number): StatementUnitData => statement.units.find((u) => u.unitId === unitId)!;
const cents = (euros: number) => Math.round(euros * 100);
/** 3 % (or 15 %) of a cost type's whole cents, half up, as the engine rounds a cut. */
const percentOf = (euros: number, percent: number) => Math.floor((cents(euros) * percent + 50) / 100);
const actorOf = (f: StatementFixture) => ({
  userId: f.org.managers[0].id,
  email: f.org.managers[0].email,
  organisationId: f.org.organisation.id,
});
const withParameters = (f: StatementFixture, parameters: Partial<StatementRequest['parameters']>): StatementRequest => ({
  ...f.request,
  parameters: { ...f.request.parameters, ...parameters },
});

async function pdfText(statement: StatementData, unitId: number): Promise<string> {
  const model = statementDocumentModel(statement, { unitId, occupancyKey: null }, { standalone: true })!;
  const pdf = await renderStatementPdf(renderer, model);
  const child = promisify(execFile)('pdftotext', ['-enc', 'UTF-8', '-', '-'], { maxBuffer: 10 * 1024 * 1024 });
  child.child.stdin!.end(pdf);
  return (await child).stdout.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ');
}
const pageText = (statement: StatementData, unitId: number) =>
  renderStatementHtml(statementDocumentModel(statement, { unitId, occupancyKey: null }, { standalone: false })!).replace(/\s+/g, ' ');

describe('cuts applied from what the portal knows', () => {
  test('without cause no unit is cut', async () => {
    const f = await createStatementFixture(database);
    const statement = (await previewStatement(database, f.request))!;
    expect(statement.units.map((u) => u.amounts.cut)).toEqual([0, 0, 0, 0]);
    expect(statement.units.flatMap((u) => u.cutDetails)).toEqual([]);
  });

  test('§5(2): a device installed after 1.12.2021 that is not remotely readable cuts its unit by 3 %, explained on page and PDF', async () => {
    const f = await createStatementFixture(database);
    await database.models.Device.update(
      { remoteReadable: false, installedAt: '2022-03-01' },
      { where: { unitId: f.units.c.id, type: 'HKV' } },
    );
    // Cold-water meters are no HKVO devices: not remotely readable, they cut nothing.
    await database.models.Device.update({ remoteReadable: false }, { where: { unitId: f.units.a.id, type: 'WZ-K' } });
    const saved = await saveStatement(database, f.request, actorOf(f));
    const c = unitOf(saved, f.units.c.id);
    const expected = percentOf(c.amounts.heating, 3) + percentOf(c.amounts.hotWater, 3);
    expect(cents(c.amounts.cut)).toBe(expected);
    expect(cents(c.amounts.total)).toBe(cents(c.amounts.heating) + cents(c.amounts.hotWater) + cents(c.amounts.coldWater) - expected);
    expect(c.cuts).toEqual(['no-remote-reading']);
    expect(c.cutDetails).toHaveLength(1);
    expect(c.cutDetails[0]).toMatchObject({ reason: 'no-remote-reading', percent: 3, source: 'automatic', amount: expected / 100 });
    expect(c.cutDetails[0]!.explanation).toContain('nach dem 01.12.2021 eingebaut und nicht fernablesbar (§5 Abs. 2 HKVO)');
    expect(c.cutDetails[0]!.explanation).toContain('01.03.2022');
    expect(unitOf(saved, f.units.a.id).amounts.cut).toBe(0);

    // Stored with the statement and read back the same.
    const loaded = (await loadStatement(database, saved.stored!.id))!;
    expect(unitOf(loaded, f.units.c.id).cutDetails).toEqual(c.cutDetails);
    const page = pageText(loaded, f.units.c.id);
    expect(page).toContain('Kürzung 3 % von Heizung und Warmwasser (§12 Abs. 1 S. 2 HKVO): Ausstattung nicht fernablesbar');
    const pdf = await pdfText(loaded, f.units.c.id);
    expect(pdf).toContain('Ausstattung nicht fernablesbar');
    expect(pdf).toContain('§5 Abs. 2 HKVO');
  });

  test('§5(3): after the retrofit deadline older devices that are not remotely readable cut too', async () => {
    const f = await createStatementFixture(database);
    await database.models.Device.update({ remoteReadable: false }, { where: { unitId: f.units.c.id, type: 'WZ-W' } });
    const in2025 = (await previewStatement(database, f.request))!;
    expect(unitOf(in2025, f.units.c.id).amounts.cut).toBe(0);
    // A period reaching into 2027: the devices of 2020 had to be retrofitted by 31.12.2026.
    const period = { start: '2026-07-01', end: '2027-06-30' };
    const later = (await previewStatement(database, { ...f.request, period }))!;
    const c = unitOf(later, f.units.c.id);
    // No readings in that period yet: billed by area, so also the 15 % of §12(1) S.1 (explained on its own).
    expect(c.cutDetails.map((cut) => cut.reason)).toEqual(['no-remote-reading', 'not-consumption-based']);
    expect(c.cutDetails[0]!.explanation).toContain('bis 31.12.2026 nicht auf Fernablesung umgerüstet (§5 Abs. 3 HKVO)');
    expect(c.cutDetails[0]!.explanation).toContain('Warmwasserzähler');
  });

  test('§6a: months the tenant got no monthly information cut that tenant by 3 %, naming the months', async () => {
    const f = await createStatementFixture(database);
    const tenancy = (await database.models.Tenancy.findOne({ where: { unitId: f.units.c.id } }))!;
    // The portal informed C for January to October 2025 (mailed, no portal account); November and December are missing.
    const months = Array.from({ length: 10 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}-01`);
    for (const month of months) {
      await database.sequelize.query(
        `INSERT INTO monthly_information (month, unit_id, property_id, tenancy_id, delivery, estimated, devices_ok, remote_readable,
                                          content, content_sha256, mailed_at)
         VALUES (:month, :unitId, :propertyId, :tenancyId, 'no-account', false, true, true, '{}', repeat('a', 64), now())`,
        {
          replacements: { month, unitId: f.units.c.id, propertyId: f.property.id, tenancyId: tenancy.id },
          type: QueryTypes.INSERT,
        },
      );
    }
    const statement = (await previewStatement(database, f.request))!;
    const c = unitOf(statement, f.units.c.id);
    expect(c.cutDetails.map((cut) => [cut.reason, cut.source])).toEqual([['no-monthly-info', 'automatic']]);
    expect(c.cutDetails[0]!.explanation).toBe(
      'Die monatliche Verbrauchsinformation (§6a HKVO) wurde für 2 von 12 Monaten nicht bereitgestellt: 11/2025, 12/2025.',
    );
    expect(cents(c.amounts.cut)).toBe(percentOf(c.amounts.heating, 3) + percentOf(c.amounts.hotWater, 3));
    // B's tenant got no information at all since the portal informs the property: every month is missing.
    const b = unitOf(statement, f.units.b.id);
    expect(b.cutDetails[0]!.explanation).toContain('für 12 von 12 Monaten');
    // D changed tenants on 1 July: each tenant is owed its own whole months (6 and 6) and cut on its own share.
    const d = unitOf(statement, f.units.d.id);
    expect(d.occupancies.map((o) => o.cutDetails.map((cut) => cut.explanation))).toEqual([
      [
        'Die monatliche Verbrauchsinformation (§6a HKVO) wurde für 6 von 6 Monaten nicht bereitgestellt: 01/2025, 02/2025, 03/2025, 04/2025, 05/2025, 06/2025.',
      ],
      [
        'Die monatliche Verbrauchsinformation (§6a HKVO) wurde für 6 von 6 Monaten nicht bereitgestellt: 07/2025, 08/2025, 09/2025, 10/2025, 11/2025, 12/2025.',
      ],
    ]);
    for (const o of d.occupancies) expect(cents(o.amounts.cut)).toBe(percentOf(o.amounts.heating, 3) + percentOf(o.amounts.hotWater, 3));
    expect(cents(d.amounts.cut)).toBe(d.occupancies.reduce((sum, o) => sum + cents(o.amounts.cut), 0));
    // The unit's statement names each part by its period, not by the tenant (owners see it pseudonymised).
    expect(d.cutDetails.map((cut) => cut.explanation)).toEqual([
      expect.stringMatching(/^Nutzung 01\.01\.2025–30\.06\.2025: Die monatliche .* Nutzung 01\.07\.2025–31\.12\.2025: Die monatliche/),
    ]);
    expect(d.cutDetails[0]!.explanation).not.toContain('Dorn');
  });

  test('CO2KostAufG §7(4): the CO₂ split not shown although the fuel is priced cuts every tenant by 3 %', async () => {
    const f = await createStatementFixture(database);
    const statement = (await previewStatement(database, withParameters(f, { co2Kg: null, co2Cost: null })))!;
    for (const unit of statement.units) {
      expect(unit.cutDetails.map((cut) => cut.reason)).toContain('co2-not-shown');
      const own = unit.cutDetails.filter((cut) => cut.reason === 'co2-not-shown').reduce((sum, cut) => sum + cents(cut.amount), 0);
      const expected = unit.occupancies.reduce((sum, o) => sum + percentOf(o.amounts.heating, 3) + percentOf(o.amounts.hotWater, 3), 0);
      expect(own).toBe(expected);
    }
    const c = unitOf(statement, f.units.c.id);
    expect(c.cutDetails[0]!.explanation).toContain('Kohlendioxidkosten (Erdgas) wurden nicht nach dem CO2KostAufG');
    expect(pageText(statement, f.units.c.id)).toContain('(§7 Abs. 4 CO2KostAufG): CO₂-Kostenaufteilung nicht ausgewiesen');
  });
});

describe('a cut the manager adds', () => {
  test('cuts the named cost type of the named unit with the reason printed on the statement', async () => {
    const f = await createStatementFixture(database);
    const reason = 'Warmwasserzähler 2024 ohne Eichung weiterbetrieben, Verbrauch geschätzt.';
    const request = withParameters(f, { manualCuts: [{ unitId: f.units.c.id, cut: 'not-consumption-based:hotWater', reason }] });
    const saved = await saveStatement(database, request, actorOf(f));
    const c = unitOf(saved, f.units.c.id);
    expect(cents(c.amounts.cut)).toBe(percentOf(c.amounts.hotWater, 15));
    expect(c.cutDetails).toEqual([
      expect.objectContaining({
        reason: 'not-consumption-based',
        costTypes: ['hotWater'],
        percent: 15,
        source: 'manual',
        explanation: reason,
      }),
    ]);
    expect(saved.parameters.manualCuts).toEqual(request.parameters.manualCuts);
    expect(unitOf(saved, f.units.a.id).amounts.cut).toBe(0);
    const pdf = await pdfText(saved, f.units.c.id);
    expect(pdf).toContain('15 % von Warmwasser (§12 Abs. 1 S. 1 HKVO)');
    expect(pdf).toContain(`Begründung: ${reason}`);
  });

  test('is refused without a reason, for a foreign unit, or when the same cut already applies', async () => {
    const f = await createStatementFixture(database);
    const attempt = (manualCuts: StatementRequest['parameters']['manualCuts']) =>
      previewStatement(database, withParameters(f, { manualCuts }));
    await expect(attempt([{ unitId: f.units.c.id, cut: 'no-monthly-info', reason: '  ' }])).rejects.toMatchObject({
      field: 'manualCuts[0].reason',
    });
    await expect(attempt([{ unitId: 999999999, cut: 'no-monthly-info', reason: 'x' }])).rejects.toBeInstanceOf(ValidationError);
    await expect(
      attempt([
        { unitId: null, cut: 'not-consumption-based', reason: 'Ablesung 2025 ausgefallen' },
        { unitId: f.units.c.id, cut: 'not-consumption-based:heating', reason: 'doppelt' },
      ]),
    ).rejects.toMatchObject({ field: 'manualCuts[1].cut' });
  });
});
