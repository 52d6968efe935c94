// The header's navigation per role, and where each role lands after log-in.
import type { Role } from '../../domain/roles';

export interface NavItem {
  to: string;
  label: string;
}

const PROPERTIES: NavItem = { to: '/liegenschaften', label: 'Liegenschaften' };
const REGISTER: NavItem = { to: '/geraete', label: 'Geräteregister' };
const MY_FLAT: NavItem = { to: '/meine-wohnung', label: 'Meine Wohnung' };
const STATEMENTS: NavItem = { to: '/abrechnungen', label: 'Abrechnungen' };
const MY_STATEMENTS: NavItem = { to: '/meine-abrechnungen', label: 'Meine Abrechnungen' };
const TICKETS: NavItem = { to: '/vorgaenge', label: 'Vorgänge' };
const MY_TICKETS: NavItem = { to: '/anliegen', label: 'Anliegen' };
const APPOINTMENTS: NavItem = { to: '/termine', label: 'Termine' };
const SETTINGS: NavItem = { to: '/einstellungen/benachrichtigungen', label: 'Einstellungen' };
const MONTHLY: NavItem = { to: '/monatsinformationen', label: 'Monatsinformationen' };
const MY_CONSUMPTION: NavItem = { to: '/verbrauch', label: 'Mein Verbrauch' };

/** Mirrors the permissions in permissions.server.ts: only pages a role may open. */
export const NAVIGATION: Readonly<Record<Role, readonly NavItem[]>> = {
  manager: [PROPERTIES, REGISTER, STATEMENTS, MONTHLY, TICKETS, APPOINTMENTS, SETTINGS],
  owner: [PROPERTIES, REGISTER, STATEMENTS],
  compliance: [PROPERTIES, REGISTER, STATEMENTS, MONTHLY, TICKETS, APPOINTMENTS],
  technician: [REGISTER, APPOINTMENTS, SETTINGS],
  tenant: [MY_FLAT, MY_CONSUMPTION, MY_STATEMENTS, MY_TICKETS, APPOINTMENTS, SETTINGS],
};

const NOTIFICATION_SETTINGS: NavItem = { to: '/einstellungen/benachrichtigungen', label: 'Benachrichtigungen' };
const STATEMENT_SETTINGS: NavItem = { to: '/einstellungen/abrechnungen', label: 'Abrechnungen' };

/** The settings pages per role (the sub-navigation of "Einstellungen"). */
export const SETTINGS_NAVIGATION: Readonly<Record<Role, readonly NavItem[]>> = {
  manager: [NOTIFICATION_SETTINGS, STATEMENT_SETTINGS],
  owner: [NOTIFICATION_SETTINGS],
  compliance: [NOTIFICATION_SETTINGS],
  technician: [NOTIFICATION_SETTINGS],
  tenant: [NOTIFICATION_SETTINGS],
};

export function homePath(role: Role): string {
  return NAVIGATION[role][0]?.to ?? '/benachrichtigungen';
}
