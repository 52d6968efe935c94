export const NOTIFICATION_TOPICS = ['ticket', 'ticket-escalation', 'appointment', 'device'] as const;

export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];
