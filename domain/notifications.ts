// The notification vocabulary: the topics a user sets channels for, which roles each concerns, and
// how urgent a notice is. Every feature's notices go through one path (server/notifications.ts).
import type { Role } from './roles';

/** In the order the settings page lists them. */
export const NOTIFICATION_TOPICS = [
  'ticket',
  'ticket-escalation',
  'appointment',
  'device',
  'statement',
  'monthly-information',
  'archive',
] as const;

export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

/**
 * 'urgent': escalations, SLA breaches, expired deadlines: someone must act now. 'routine': everything
 * else. Both are delivered at once today; a digest may later bundle the routine ones.
 */
export const NOTICE_URGENCIES = ['urgent', 'routine'] as const;

export type NoticeUrgency = (typeof NOTICE_URGENCIES)[number];

export interface TopicText {
  label: string;
  /** What the role is told about under this topic; a role without an entry receives none of it. */
  description: Partial<Record<Role, string>>;
}

export const NOTIFICATION_TOPIC_TEXTS: Readonly<Record<NotificationTopic, TopicText>> = {
  ticket: {
    label: 'Anliegen und Vorgänge',
    description: {
      tenant: 'Eingangsbestätigung, Antworten und Rückfragen der Hausverwaltung, Lösung Ihres Anliegens.',
      manager: 'Neue Anliegen, Zuweisungen, Antworten der Mieter, Statuswechsel.',
    },
  },
  'ticket-escalation': {
    label: 'SLA-Warnungen',
    description: { manager: 'Eine Frist ist zu 75 % verbraucht, oder sie ist überschritten.' },
  },
  appointment: {
    label: 'Termine',
    description: {
      tenant: 'Bestätigung, neue Vorschläge und die Erinnerung am Tag vor dem Termin.',
      technician: 'Neue Terminwünsche, Zusagen und Absagen der Mieter, Erinnerungen.',
      manager: 'Unbestätigte Terminanfragen und nicht angetroffene Mieter.',
    },
  },
  device: {
    label: 'Gerätefristen',
    description: {
      manager: 'Erinnerungen vor Eich-, Austausch- und Wartungsfristen und die Meldung, wenn eine Frist abgelaufen ist.',
      technician: 'Erinnerungen vor den Fristen der Geräte in Ihren Liegenschaften und die Meldung, wenn eine abgelaufen ist.',
      owner: 'Die Meldung, wenn die Frist eines Geräts in Ihrer Liegenschaft abgelaufen ist.',
    },
  },
  statement: {
    label: 'Heizkostenabrechnungen',
    description: {
      tenant: 'Die Nachricht, dass Ihre Heizkostenabrechnung im Portal zugestellt ist.',
      manager: 'Erinnerungen vor der Zustellfrist (§ 556 Abs. 3 BGB) und die Meldung, wenn sie versäumt ist.',
      owner: 'Die Meldung, wenn ein Mieter Einspruch gegen die Abrechnung Ihrer Liegenschaft erhebt.',
    },
  },
  'monthly-information': {
    label: 'Monatliche Verbrauchsinformation',
    description: {
      tenant: 'Die Nachricht, dass Ihre Verbrauchsinformation des Vormonats bereitliegt.',
      manager: 'Die Meldung, wenn die Verbrauchsinformation eines Monats bereitgestellt ist oder der Lauf scheitert.',
    },
  },
  archive: {
    label: 'Nachweise und Aufbewahrung',
    description: {
      manager: 'Die Meldung, wenn die Aufbewahrungsfrist eines Nachweises endet und er zur Löschung freigegeben werden kann.',
    },
  },
};

/** The topics that concern a role, in the settings page's order. */
export function notificationTopicsFor(role: Role): NotificationTopic[] {
  return NOTIFICATION_TOPICS.filter((topic) => NOTIFICATION_TOPIC_TEXTS[topic].description[role] !== undefined);
}

export function isNotificationTopic(value: unknown): value is NotificationTopic {
  return typeof value === 'string' && (NOTIFICATION_TOPICS as readonly string[]).includes(value);
}

// ---- the inbox's groups ----

/** What a notice is about, from its kind's prefix ('device-reminder' → device). */
export const NOTICE_CATEGORIES = ['device', 'ticket', 'appointment', 'statement', 'monthly', 'other'] as const;
export type NoticeCategory = (typeof NOTICE_CATEGORIES)[number];

export const NOTICE_CATEGORY_LABELS: Readonly<Record<NoticeCategory, string>> = {
  device: 'Gerätefristen',
  ticket: 'Vorgänge',
  appointment: 'Termine',
  statement: 'Abrechnungen',
  monthly: 'Verbrauchsinformation',
  other: 'Sonstiges',
};

export function noticeCategory(kind: string): NoticeCategory {
  const prefix = kind.split('-')[0] ?? '';
  return isNoticeCategory(prefix) ? prefix : 'other';
}

export function isNoticeCategory(value: unknown): value is NoticeCategory {
  return typeof value === 'string' && (NOTICE_CATEGORIES as readonly string[]).includes(value);
}
