// The statement PDF as a tenant receives it: rendered by Chromium, its text extracted with
// pdftotext, and every figure the statement must show found in it, formatted in German.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDb } from '../tests/support/web';
import { createStatementFixture, type StatementFixture } from '../tests/support/statement-fixtures';
import { sha256 } from '../db/audit';
import { saveStatement } from '../db/statements';
import { type StatementData } from '../domain/billing/statement';
import { createPdfRenderer } from './pdf';
import { renderStatementPdf, statementDocumentModel, statementPdf } from './statement-documents';

process.env.DOCUMENT_KEY ??= randomBytes(32).toString('hex');
const database = testDb();
const renderer = createPdfRenderer();
let f: StatementFixture;
let statement: StatementData;

beforeAll(async () => {
  f = await createStatementFixture(database);
  statement = await saveStatement(database, f.request, {
    userId: f.org.managers[0].id,
    email: f.org.managers[0].email,
    organisationId: f.org.organisation.id,
  });
});

afterAll(async () => {
  await renderer.close();
  await database.close();
});

async function pdfText(pdf: Buffer): Promise<string> {
  const run = promisify(execFile);
  const child = run('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], { maxBuffer: 10 * 1024 * 1024 });
  child.child.stdin!.end(pdf);
  // Layout mode separates columns with spaces and currency amounts with a no-break space.
  return (await child).stdout.replace(/\u00a0/g, ' ');
}

const euro = (value: number) =>
  new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(value).replace(/\u00a0/g, ' ');

async function render(unitId: number, occupancyKey: string | null): Promise<string> {
  const model = statementDocumentModel(statement, { unitId, occupancyKey }, { standalone: true })!;
  const pdf = await renderStatementPdf(renderer, model);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  return pdfText(pdf);
}

describe('the statement PDF of a unit', () => {
  let text: string;
  let unit: StatementData['units'][number];

  beforeAll(async () => {
    unit = statement.units.find((u) => u.unitId === f.units.c.id)!;
    text = await render(unit.unitId, null);
  });

  test('names property, unit, period, document number and version', () => {
    expect(text).toContain(f.property.name);
    expect(text).toContain('Whg. 2.01');
    expect(text).toContain('01.01.2025 – 31.12.2025');
    expect(text).toContain(statement.stored!.documentNumber);
    expect(text).toMatch(/Version\s+1/);
  });

  test('shows the amount of every cost type, the total and the amount due, in German format', () => {
    for (const amount of [
      unit.amounts.heating,
      unit.amounts.hotWater,
      unit.amounts.coldWater,
      unit.amounts.total,
      unit.amounts.amountDue,
    ]) {
      expect(text).toContain(euro(amount));
    }
    expect(text).toContain(euro(-unit.amounts.co2Credit));
    expect(text).toContain('10.175,00 €'); // heating cost of the house after the §9 split
    expect(text).toContain('825,00 €');
  });

  test('has the keys and the sections HKVO §6a(3) requires', () => {
    // Keys: 70 % by consumption over all units' HKV units (B's substitute included), 30 % by area.
    expect(text).toMatch(/Heizung\s+10\.175,00 €\s+70 % ÷ 5\.425,45 Einheiten = 1,312794/);
    expect(text).toContain('30 % ÷ 234,50 m²');
    expect(text).toContain('13,017058 € je m²');
    for (const section of [
      'Energieträger, Steuern und Entgelte',
      'Erdgas: 100.000 kWh',
      'Steuern, Abgaben und Zölle',
      'Entgelte für Messgeräte und Abrechnung',
      'CO₂-Kosten: Vermieter und Mieter',
      'Vorjahreszeitraum',
      'Durchschnittsnutzer',
      'Verbraucherzentrale Bundesverband',
      'Verbraucherzentrale Berlin',
      'Deutsche Energie-Agentur',
      'Berliner Energieagentur',
      'Einwände und Beschwerden',
      'Ablauf des 12. Monats',
      'Schlichtungsstelle Energie',
    ]) {
      expect(text, section).toContain(section);
    }
    expect(text).toContain('2.000,00 €'); // taxes and levies in the fuel invoice
    expect(text).toContain('700,00 €'); // metering fees: 450 + 250
    expect(text).toMatch(/85,29 kg\/m²/);
  });

  test('marks a substitute value with its method', async () => {
    const b = await render(f.units.b.id, null);
    expect(b).toContain('Ersatzwert');
    expect(b).toContain('Durchschnittsverbrauch der übrigen Nutzeinheiten');
  });
});

describe('after a change of tenant', () => {
  test('the new tenant’s statement shows only its part, from its intermediate readings', async () => {
    const a = statement.units.find((u) => u.unitId === f.units.a.id)!;
    const occupancy = a.occupancies[1]!;
    const text = await render(a.unitId, occupancy.key);
    expect(text).toContain('Anna Neumieter');
    expect(text).not.toContain('Paul Altmieter');
    expect(text).toContain('16.03.2025 – 31.12.2025');
    expect(text).toContain(euro(occupancy.amounts.amountDue));
    expect(text).toContain('Aufteilung bei Nutzerwechsel');
    expect(text).toMatch(/700 von 1\.000 Einheiten/);
  });
});

describe('stored PDFs', () => {
  test('rendered once, stored encrypted with its hash, then served from storage', async () => {
    const actor = { userId: f.org.managers[0].id, email: f.org.managers[0].email, organisationId: f.org.organisation.id };
    const addressee = { unitId: f.units.d.id, occupancyKey: null };
    const first = (await statementPdf(database, renderer, statement, addressee, actor))!;
    expect(first.rendered).toBe(true);
    expect(first.sha256).toBe(sha256(first.content));
    const again = (await statementPdf(database, renderer, statement, addressee, actor))!;
    expect(again.rendered).toBe(false);
    expect(again.id).toBe(first.id);
    expect(again.content.equals(first.content)).toBe(true);
    expect(await pdfText(again.content)).toContain('Whg. 2.02');
    const audits = await database.models.AuditEntry.count({
      where: { action: 'statement_document_downloaded', entityId: String(first.id) },
    });
    expect(audits).toBe(2);
  });
});
