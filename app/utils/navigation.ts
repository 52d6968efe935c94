// The header's navigation per role, and where each role lands after log-in.
import type { Role } from '../../domain/roles';

export interface NavItem {
  to: string;
  label: string;
}

const DASHBOARD: NavItem = { to: '/dashboard', label: 'Dashboard' };
const PROPERTIES: NavItem = { to: '/liegenschaften', label: 'Liegenschaften' };
const REGISTER: NavItem = { to: '/geraete', label: 'Geräteregister' };
const MY_FLAT: NavItem = { to: '/meine-wohnung', label: 'Meine Wohnung' };
const STATEMENTS: NavItem = { to: '/abrechnungen', label: 'Abrechnungen' };
const MY_STATEMENTS: NavItem = { to: '/meine-abrechnungen', label: 'Meine Abrechnungen' };
const TICKETS: NavItem = { to: '/vorgaenge', label: 'Vorgänge' };
const MY_TICKETS: NavItem = { to: '/anliegen', label: 'Anliegen' };
const APPOINTMENTS: NavItem = { to: '/termine', label: 'Termine' };
const SETTINGS: NavItem = { to: '/konto', label: 'Einstellungen' };
const MONTHLY: NavItem = { to: '/monatsinformationen', label: 'Monatsinformationen' };
const MY_CONSUMPTION: NavItem = { to: '/verbrauch', label: 'Mein Verbrauch' };
const MY_DOCUMENTS: NavItem = { to: '/meine-dokumente', label: 'Meine Dokumente' };
const INVITATIONS: NavItem = { to: '/einladungen', label: 'Mieterzugänge' };
const COMPLIANCE: NavItem = { to: '/pruefung', label: 'Prüfung' };
const INBOX: NavItem = { to: '/benachrichtigungen', label: 'Benachrichtigungen' };
const ARCHIVE: NavItem = { to: '/nachweise', label: 'Nachweise' };
const DRINKING_WATER: NavItem = { to: '/trinkwasser', label: 'Trinkwasser' };
const FORWARDS: NavItem = { to: '/weiterleitungen', label: 'Weitergeleitet' };
const WORK_LIST: NavItem = { to: '/arbeitsliste', label: 'Arbeitsliste' };

/** Mirrors the permissions in permissions.server.ts: only pages a role may open. */
export const NAVIGATION: Readonly<Record<Role, readonly NavItem[]>> = {
  manager: [
    DASHBOARD,
    PROPERTIES,
    REGISTER,
    STATEMENTS,
    ARCHIVE,
    DRINKING_WATER,
    MONTHLY,
    TICKETS,
    APPOINTMENTS,
    INVITATIONS,
    COMPLIANCE,
    SETTINGS,
  ],
  // Owners receive what their managers forward (statements, monthly summaries, register reports).
  owner: [DASHBOARD, PROPERTIES, REGISTER, STATEMENTS, FORWARDS, ARCHIVE, SETTINGS],
  compliance: [COMPLIANCE, DASHBOARD, PROPERTIES, REGISTER, STATEMENTS, ARCHIVE, MONTHLY, TICKETS, APPOINTMENTS, SETTINGS],
  technician: [WORK_LIST, REGISTER, APPOINTMENTS, SETTINGS],
  tenant: [MY_FLAT, MY_CONSUMPTION, MY_STATEMENTS, MY_DOCUMENTS, ARCHIVE, MY_TICKETS, APPOINTMENTS, SETTINGS],
  operator: [INBOX, SETTINGS],
};

const ACCOUNT: NavItem = { to: '/konto', label: 'Mein Konto' };
const SESSIONS: NavItem = { to: '/konto/sitzungen', label: 'Sitzungen' };
const SECOND_FACTOR: NavItem = { to: '/konto/zwei-faktor', label: 'Zwei-Faktor-Anmeldung' };
const NOTIFICATION_SETTINGS: NavItem = { to: '/einstellungen/benachrichtigungen', label: 'Benachrichtigungen' };
const STATEMENT_SETTINGS: NavItem = { to: '/einstellungen/abrechnungen', label: 'Abrechnungen' };
const REFERENCE_SETTINGS: NavItem = { to: '/einstellungen/vergleichswert', label: 'Vergleichswert' };
const EXCHANGE_SETTINGS: NavItem = { to: '/einstellungen/geraetetausch', label: 'Gerätetausch' };
const STAFF: NavItem = { to: '/benutzer', label: 'Benutzer' };
const API_TOKENS: NavItem = { to: '/einstellungen/api-schluessel', label: 'API-Schlüssel' };
const WEBHOOKS: NavItem = { to: '/einstellungen/webhooks', label: 'Webhooks' };
const STAFF_SETTINGS = [ACCOUNT, SESSIONS, SECOND_FACTOR, NOTIFICATION_SETTINGS] as const;

/** The settings pages per role (the sub-navigation of "Einstellungen"). */
export const SETTINGS_NAVIGATION: Readonly<Record<Role, readonly NavItem[]>> = {
  manager: [...STAFF_SETTINGS, STATEMENT_SETTINGS, REFERENCE_SETTINGS, EXCHANGE_SETTINGS, STAFF, API_TOKENS, WEBHOOKS],
  owner: STAFF_SETTINGS,
  compliance: STAFF_SETTINGS,
  technician: STAFF_SETTINGS,
  operator: STAFF_SETTINGS,
  tenant: [ACCOUNT, SESSIONS, NOTIFICATION_SETTINGS],
};

export function homePath(role: Role): string {
  return NAVIGATION[role][0]?.to ?? '/benachrichtigungen';
}
