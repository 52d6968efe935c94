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
