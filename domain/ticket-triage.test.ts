import { describe, expect, it } from 'vitest';
import { triageTicket } from './ticket-triage';

describe('triageTicket', () => {
  it('takes category and base priority from the topic', () => {
    expect(triageTicket({ topic: 'reading', subject: 'Zählerstand', body: 'Wann wird abgelesen?' })).toMatchObject({
      category: 'reading',
      priority: 'normal',
    });
    expect(triageTicket({ topic: 'other', subject: 'Frage', body: 'Wer ist mein Ansprechpartner?' })).toMatchObject({
      category: 'general_question',
      priority: 'low',
    });
  });

  it('"kein Warmwasser" is urgent, whatever the spelling', () => {
    for (const body of ['Seit heute Morgen kein Warmwasser!', 'Wir haben KEIN warmes Wasser', 'keine  Warm wasser im Bad']) {
      const triage = triageTicket({ topic: 'hot_water', subject: 'Bad', body });
      expect(triage, body).toMatchObject({ category: 'device_report', priority: 'urgent' });
    }
    expect(triageTicket({ topic: 'hot_water', subject: 'Warmwasser lauwarm', body: 'Das Wasser wird nur lauwarm.' }).priority).toBe('high');
  });

  it('an objection raised from a statement is a statement objection', () => {
    const triage = triageTicket({
      topic: 'statement_question',
      subject: 'Abrechnung 2024',
      body: 'Die Fläche stimmt nicht.',
      linked: { kind: 'statement' },
    });
    expect(triage.category).toBe('statement_objection');
    expect(triage.reasons).toContain('aus einer Abrechnung eingereicht → Einspruch Abrechnung');
  });

  it('keywords name the category of a general topic only', () => {
    expect(triageTicket({ topic: 'other', subject: 'Auskunft', body: 'Ich bitte um Auskunft nach Art. 15 DSGVO.' }).category).toBe(
      'data_protection',
    );
    expect(triageTicket({ topic: 'heating', subject: 'Heizkörper', body: 'Frage zum Datenschutz beim Funkzähler' }).category).toBe(
      'device_report',
    );
  });

  it('explains itself', () => {
    const triage = triageTicket({ topic: 'heating', subject: 'Heizung ausgefallen', body: 'Alle Heizkörper sind kalt.' });
    expect(triage).toEqual({
      category: 'device_report',
      priority: 'urgent',
      reasons: ['Thema „Heizung“ → Gerätemeldung, Normal', 'Stichwort „Heizung ausgefallen“ → Dringend'],
    });
  });
});
