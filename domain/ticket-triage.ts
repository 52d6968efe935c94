// Category and priority of a new ticket, from what the tenant chose and wrote: the topic gives a
// category and a base priority, a linked object decides the category outright (an objection
// raised from a statement is a statement objection), and plain keywords in subject and body raise
// the priority ("kein Warmwasser" is urgent) or, for general topics, name the category. The
// manager can override both afterwards; the reasons are kept so the decision can be followed.
import { TICKET_CATEGORY_LABELS, TICKET_PRIORITY_LABELS, morePressing, type TicketCategory, type TicketPriority } from './sla';

export const TICKET_TOPICS = {
  heating: { label: 'Heizung', category: 'device_report', priority: 'normal' },
  hot_water: { label: 'Warmwasser', category: 'device_report', priority: 'high' },
  device: { label: 'Messgerät oder Rauchwarnmelder', category: 'device_report', priority: 'normal' },
  reading: { label: 'Ablesung oder Zählerstand', category: 'reading', priority: 'normal' },
  statement_question: { label: 'Frage zur Heizkostenabrechnung', category: 'general_question', priority: 'normal' },
  statement_objection: { label: 'Einspruch gegen die Heizkostenabrechnung', category: 'statement_objection', priority: 'normal' },
  data_protection: { label: 'Datenschutz (Auskunft, Löschung)', category: 'data_protection', priority: 'normal' },
  other: { label: 'Sonstiges', category: 'general_question', priority: 'low' },
} as const satisfies Record<string, { label: string; category: TicketCategory; priority: TicketPriority }>;

export type TicketTopic = keyof typeof TICKET_TOPICS;

export function isTicketTopic(value: unknown): value is TicketTopic {
  return typeof value === 'string' && Object.hasOwn(TICKET_TOPICS, value);
}

interface KeywordRule {
  /** Matched against lower-case text with ß written as ss and runs of whitespace as one space. */
  pattern: RegExp;
  phrase: string;
  priority?: TicketPriority;
  category?: TicketCategory;
}

const KEYWORDS: readonly KeywordRule[] = [
  {
    pattern: /kein(e|en)? (warm ?wasser|warmes wasser|heisses wasser)/,
    phrase: 'kein Warmwasser',
    priority: 'urgent',
    category: 'device_report',
  },
  {
    pattern: /kein(e|en)? heizung|heizung (ist |faellt |fällt )?(ausgefallen|aus\b|kalt)|heizkörper (sind |bleiben )?kalt/,
    phrase: 'Heizung ausgefallen',
    priority: 'urgent',
    category: 'device_report',
  },
  {
    pattern: /wasserschaden|rohrbruch|wasser (läuft|tritt) aus|überschwemm/,
    phrase: 'Wasserschaden',
    priority: 'urgent',
    category: 'device_report',
  },
  { pattern: /gasgeruch|riecht nach gas/, phrase: 'Gasgeruch', priority: 'urgent', category: 'device_report' },
  { pattern: /rauch(warn)?melder (piept|piepst|alarm)/, phrase: 'Rauchwarnmelder piept', priority: 'high', category: 'device_report' },
  {
    pattern: /(zähler|zaehler|messgerät|heizkostenverteiler) (ist )?(defekt|kaputt|ausgefallen)/,
    phrase: 'Gerät defekt',
    priority: 'high',
    category: 'device_report',
  },
  {
    pattern: /dsgvo|datenschutz|auskunft nach art|löschung meiner daten|meine daten löschen/,
    phrase: 'Datenschutz',
    category: 'data_protection',
  },
  { pattern: /einspruch|widerspruch|widerspreche/, phrase: 'Einspruch', category: 'statement_objection' },
  { pattern: /zählerstand|ablesung|ablesetermin/, phrase: 'Ablesung', category: 'reading' },
];

export interface TriageInput {
  topic: TicketTopic;
  subject: string;
  body: string;
  linked?: { kind: 'statement' } | null;
}

export interface Triage {
  category: TicketCategory;
  priority: TicketPriority;
  /** Why, in German, for the manager's view: "Thema „Warmwasser“ → Gerätemeldung, Hoch". */
  reasons: string[];
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/ß/g, 'ss').replace(/\s+/g, ' ');
}

export function triageTicket(input: TriageInput): Triage {
  const topic = TICKET_TOPICS[input.topic];
  let category: TicketCategory = topic.category;
  let priority: TicketPriority = topic.priority;
  const reasons = [`Thema „${topic.label}“ → ${TICKET_CATEGORY_LABELS[category]}, ${TICKET_PRIORITY_LABELS[priority]}`];

  if (input.linked?.kind === 'statement') {
    category = 'statement_objection';
    reasons.push(`aus einer Abrechnung eingereicht → ${TICKET_CATEGORY_LABELS[category]}`);
  }

  const text = normalise(`${input.subject} ${input.body}`);
  // A general topic says little; a keyword may say more. A specific topic or a link is not overruled.
  let categoryOpen = category === 'general_question';
  for (const rule of KEYWORDS) {
    if (!rule.pattern.test(text)) continue;
    if (rule.category && categoryOpen) {
      category = rule.category;
      categoryOpen = false;
      reasons.push(`Stichwort „${rule.phrase}“ → ${TICKET_CATEGORY_LABELS[category]}`);
    }
    if (rule.priority && morePressing(rule.priority, priority) !== priority) {
      priority = rule.priority;
      reasons.push(`Stichwort „${rule.phrase}“ → ${TICKET_PRIORITY_LABELS[priority]}`);
    }
  }
  return { category, priority, reasons };
}
