import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeHistory } from './history-events';
import { narrate } from './history-narrative';

// The committed replay histories are real exports of the dev server: the timeline reads them.
const history = (path: string) =>
  decodeHistory(JSON.parse(readFileSync(new URL(`../../workflows/histories/${path}`, import.meta.url), 'utf8')) as never);

describe('history narrative', () => {
  it('tells a device deadline in domain words, keeping the events behind each line', () => {
    const events = history('deviceDeadline/reminders-escalation-removed@7d7393e.json');
    const main = narrate(events).filter((entry) => entry.detail === 'main');
    const texts = main.map((entry) => entry.text);
    expect(texts[0]).toMatch(/^Fristüberwachung für Gerät \d+ begonnen/);
    expect(texts.some((t) => /^Erinnerung 90 Tage vor Austauschfrist \(\d\d\.\d\d\.\d{4}\) an die Zuständigen gesendet$/.test(t))).toBe(
      true,
    );
    expect(main.some((e) => e.tone === 'warning' && /abgelaufen: eskaliert/.test(e.text))).toBe(true);
    for (const entry of main) for (const id of entry.eventIds) expect(events.some((e) => e.id === id)).toBe(true);
  });

  it('names who received a notice when the context knows it', () => {
    const events = history('deviceDeadline/reminders-escalation-removed@7d7393e.json');
    const entries = narrate(events, {
      recipients: () => ['verwaltung@example.org'],
      actorOfSignal: () => null,
      unitLabel: () => null,
      deviceLabel: (id) => `HKV ${id}`,
    });
    expect(entries.some((e) => e.text.includes('an verwaltung@example.org gesendet'))).toBe(true);
    expect(entries[0]?.text).toMatch(/^Fristüberwachung für HKV \d+/);
  });

  it('tells an objection and whether it was in time', () => {
    const events = history('statementLifecycle/approved-delivered-opened-objection-final@7d7393e.json');
    const texts = narrate(events).map((entry) => entry.text);
    expect(texts.some((t) => /^Freigegeben durch /.test(t))).toBe(true);
    expect(texts.some((t) => /^Einspruch eingegangen von .*Frist \d\d\.\d\d\.\d{4} eingehalten$/.test(t))).toBe(true);
  });
});

describe("history narrative of a tenant's own delivery", () => {
  it('tells the delivery, opening and objection of one recipient, and how its workflow ended', () => {
    const lines = narrate(history('statementRecipient/delivered-opened-objection-final@dafe86f.json'))
      .filter((entry) => entry.detail === 'main')
      .map((entry) => `${entry.tone}|${entry.text}`);
    expect(lines[0]).toMatch(
      /^info\|Heizkostenabrechnung Version \d+ zugestellt \(Einheit \d+\), Zugang \d\d\.\d\d\.\d{4}, Einspruchsfrist bis /,
    );
    expect(lines.some((l) => /^info\|Nachweis Geöffnet \(Nr\. \d+\) – tenant-/.test(l))).toBe(true);
    expect(lines.some((l) => /^info\|Einspruch eingegangen von tenant-.* zu .*, innerhalb der Einspruchsfrist$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('done|Pflicht abgeschlossen: Einspruchsfrist abgelaufen');
    const superseded = narrate(history('statementRecipient/delivered-superseded@dafe86f.json'));
    expect(superseded.at(-1)?.text).toBe('Pflicht abgeschlossen: Ersetzt');
  });
});

describe('history narrative of the later kinds', () => {
  const texts = (path: string) => narrate(history(path)).map((entry) => `${entry.tone}|${entry.text}`);

  it('tells a legal hold stopping the retention and the approved deletion', () => {
    const lines = texts('archiveRetention/held-released-deleted@4e915d2.json');
    expect(lines).toContain('warning|Aufbewahrungssperre (Legal Hold) besteht: die Frist ist angehalten');
    expect(lines).toContain('info|Löschung freigegeben von Benutzer Nr. 3');
    expect(lines.some((l) => /^done\|Nachweis gelöscht am \d\d\.\d\d\.\d{4}, \d\d:\d\d, freigegeben von Benutzer Nr\. 3/.test(l))).toBe(
      true,
    );
    expect(lines.at(-1)).toBe('done|Pflicht abgeschlossen: Gelöscht (Löschvermerk)');
  });

  it('tells the cost-data deadline missed, then met by a saved statement', () => {
    const lines = texts('costDataDeadline/escalation-then-statement@354e239.json');
    expect(lines[0]).toBe('info|Kostenfrist 31.03.2026 für den Abrechnungszeitraum 01.01.2025–31.12.2025 gesetzt');
    expect(lines).toContain('warning|Kostenfrist 31.03.2026 verpasst: eskaliert an die Zuständigen');
    expect(lines).toContain('done|Kosten erfasst: Abrechnung Nr. 1 gespeichert');
    expect(lines.at(-1)).toBe('done|Pflicht abgeschlossen: Kosten erfasst');
  });

  it('tells a legionella finding, the tenants informed and the follow-up', () => {
    const lines = texts('legionellaSampling/finding-then-clean@155608e.json');
    expect(lines).toContain('warning|Laborergebnis der Probe vom 30.11.2026: 1.200 KBE/100 ml, technischer Maßnahmewert überschritten');
    expect(lines).toContain('warning|Mieter über den Befund informiert (Laborergebnis Nr. 2)');
    expect(lines).toContain('info|Nachprobe fällig bis 30.12.2026');
    expect(lines).toContain('warning|Frist der Nachprobe 30.12.2026 verpasst: eskaliert an die Zuständigen');
    expect(lines).toContain('done|Laborergebnis der Probe vom 30.11.2026: 0 KBE/100 ml, unauffällig');
  });

  it('tells a device exchange offered to the tenant, unanswered, escalated and then recorded', () => {
    const lines = texts('deviceExchange/reminded-escalated-exchanged@037fd00.json');
    expect(lines.some((line) => line.startsWith('info|Mietpartei im Portal Termine der Technik angeboten (Terminanfrage Nr.'))).toBe(true);
    expect(lines).toContain('info|Noch keine Antwort der Mietpartei');
    expect(lines.some((line) => line.startsWith('warning|Keine Antwort der Mietpartei in 14 Tagen: eskaliert an'))).toBe(true);
    expect(lines.some((line) => /^done\|Gerätetausch am \d\d\.\d\d\.\d{4} erfasst: Terminangebot erledigt$/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe('done|Pflicht abgeschlossen: Gerät getauscht');
  });

  it('tells a webhook delivery as what it is, not as an obligation', () => {
    const lines = texts('webhookDelivery/attempts-exhausted-failed@d011299.json');
    expect(lines[0]).toBe('info|Webhook-Zustellung Nr. 3 begonnen');
    expect(lines).toContain('error|Zustellung nach dem letzten Versuch aufgegeben und als fehlgeschlagen vermerkt');
    expect(lines.at(-1)).toBe('error|Workflow beendet: fehlgeschlagen');
  });

  it('tells an exchange offer withdrawn as no longer needed, and a changed lead time', () => {
    const withdrawn = texts('deviceExchange/offered-withdrawn@10691f9.json');
    expect(
      withdrawn.some((l) => /^done\|Frist auf den 31\.12\.\d{4} verschoben: Terminangebot zum Gerätetausch nicht mehr nötig$/.test(l)),
    ).toBe(true);
    expect(
      withdrawn.some((l) =>
        /^done\|Gerätetausch nicht mehr nötig: Terminanfrage Nr\. \d+ abgesagt, die Mietpartei ist informiert$/.test(l),
      ),
    ).toBe(true);
    const device = texts('deviceDeadline/lead-time-raised-offered@10691f9.json');
    expect(device).toContain('info|Vorlauf für den Gerätetausch auf 90 Tage geändert: Angebot neu geplant');
  });
});
