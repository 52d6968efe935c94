// The contract of the notice digest (issue 14 item 4): routine notices of users who chose a daily or
// weekly rhythm are not mailed one by one but collected into one e-mail per user and period; urgent
// ones are always mailed at once. A Temporal Schedule starts `mailDigestRun` every morning.
import { parseDate } from '../dates';
import type { Role } from '../roles';

export const MAIL_DIGEST_WORKFLOW_TYPE = 'mailDigestRun';
export const MAIL_DIGEST_OBLIGATION = 'mail-digest';
/** The Schedule and the id its runs start with (Temporal appends the scheduled time). */
export const MAIL_DIGEST_SCHEDULE_ID = 'mail-digest';
/** Local (German) hour of the daily run: before office hours, so the day starts with one overview. */
export const MAIL_DIGEST_HOUR = 7;
/** ISO weekday (1 = Monday) on which the weekly digests go out. */
export const WEEKLY_DIGEST_WEEKDAY = 1;

export const MAIL_RHYTHMS = ['sofort', 'taeglich', 'woechentlich'] as const;
export type MailRhythm = (typeof MAIL_RHYTHMS)[number];

export const MAIL_RHYTHM_LABELS: Readonly<Record<MailRhythm, string>> = {
  sofort: 'Sofort, eine E-Mail je Benachrichtigung',
  taeglich: 'Täglich, eine Zusammenfassung am Morgen',
  woechentlich: 'Wöchentlich, eine Zusammenfassung am Montagmorgen',
};

export function isMailRhythm(value: unknown): value is MailRhythm {
  return typeof value === 'string' && (MAIL_RHYTHMS as readonly string[]).includes(value);
}

/**
 * The rhythm of users who chose none (accounts from before the digest): "sofort" for every role, so
 * their mail behaviour stays unless they opt in. New accounts get NEW_ACCOUNT_MAIL_RHYTHMS stored at creation.
 */
const DEFAULT_MAIL_RHYTHMS: Readonly<Record<Role, MailRhythm>> = {
  manager: 'sofort',
  owner: 'sofort',
  tenant: 'sofort',
  technician: 'sofort',
  compliance: 'sofort',
  operator: 'sofort',
};

export function defaultMailRhythm(role: Role): MailRhythm {
  return DEFAULT_MAIL_RHYTHMS[role];
}

/**
 * The rhythm stored for a new account of the role, as if chosen (the user can change it): managers
 * get "taeglich", since a portfolio of thousands of units produces hundreds of routine reminders a
 * day that one by one bury the mails that matter; urgent notices still arrive at once.
 */
const NEW_ACCOUNT_MAIL_RHYTHMS: Readonly<Partial<Record<Role, MailRhythm>>> = { manager: 'taeglich' };

export function newAccountMailRhythm(role: Role): MailRhythm | null {
  return NEW_ACCOUNT_MAIL_RHYTHMS[role] ?? null;
}

export interface MailDigestInput {
  /** The German calendar date of the run (YYYY-MM-DD); absent (the Schedule's runs): the run's start. */
  date?: string;
  /** Users per page of the activity; tests set it low. */
  pageSize?: number;
  /** Only these organisations' users (tests); absent: everyone. */
  organisationIds?: number[];
}

export interface MailDigestPeriod {
  date: string;
  /** Whether the weekly users are due too (the run falls on WEEKLY_DIGEST_WEEKDAY). */
  weekly: boolean;
  /** Notices created before this instant (ISO) go into this period's digests. */
  cutoff: string;
  organisationIds?: number[];
}

export interface MailDigestResult {
  users: number;
  notices: number;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function isoWeekday(date: string): number {
  const { year, month, day } = parseDate(date);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/** The period's part of the digest keys; the user's id follows it. */
export function mailDigestKeyPrefix(rhythm: 'taeglich' | 'woechentlich', date: string): string {
  return `${MAIL_DIGEST_OBLIGATION}:${rhythm}:${date}:user-`;
}

/** Dedupe key of one user's digest of one period: the mail's key and the mark on the notices it includes. */
export function mailDigestKey(rhythm: 'taeglich' | 'woechentlich', date: string, userId: number): string {
  return `${mailDigestKeyPrefix(rhythm, date)}${userId}`;
}
