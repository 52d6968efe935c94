// Every route module under app/routes with the rule each of its loader and action follows: the
// permission it requires (domain/permissions.ts decides who has it) and the kind of object it names.
// route-matrix.test.ts derives from these and the permission table what every role must get for
// objects in its scope, outside it and in another organisation, calls every loader and action that
// way, and fails for a route module without a rule here (or a rule for a function it lacks).
import type { Permission } from '../../domain/permissions';
import type { Role } from '../../domain/roles';
import type { ObjectKind, Place } from '../support/access-matrix';

export type Expect = 'allowed' | 'open' | 'login' | 401 | 403 | 404;

export interface FunctionRule {
  /** What it requires: a permission, any signed-in user, or nothing. */
  access: Permission | 'user' | 'public';
  /** The object the request names (params, query, form), if any. */
  object?: ObjectKind;
  /** Who sees the object in each place, where the route is stricter than its permission's scope. */
  sees?: Partial<Record<Place, readonly Role[]>>;
  /** Roles that pass `access` but still get 404 (the route shows nothing to them), with the reason in a comment. */
  onlyRoles?: readonly Role[];
  /** Without a session: the login redirect, unless stated. */
  anonymous?: Expect;
  /** Form fields an action needs to get past validation to the access check (besides the object's). */
  form?: Record<string, string>;
}

export interface RouteRule {
  loader?: FunctionRule;
  action?: FunctionRule;
  /** Route params that are not objects (a month). */
  params?: Record<string, string>;
}

const open: FunctionRule = { access: 'public' };
const signedIn: FunctionRule = { access: 'user' };
const needs = (access: Permission, more: Omit<FunctionRule, 'access'> = {}): FunctionRule => ({ access, ...more });

/** Objects only their tenant may open (its own flat's statement, its archived months, its flat's consumption). */
const TENANT_ONLY: FunctionRule['sees'] = { 'in-scope': ['tenant'], outside: [] };

/** A delivery's proof: the statement's readers where they see it, the tenant it went to; a technician nothing (404). */
const RECIPIENT_PROOF: FunctionRule = {
  access: 'user',
  object: 'statement-recipient',
  sees: { 'in-scope': ['manager', 'compliance', 'owner', 'tenant'], outside: ['manager', 'compliance'], foreign: [] },
  onlyRoles: ['manager', 'compliance', 'owner', 'tenant'],
};

export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = {
  _index: { loader: signedIn },
  // The archive: an uploaded document and one of its versions; uploads, corrections and holds are the managers'.
  'nachweise._index': { loader: needs('read:archive:own'), action: needs('create:archive:any') },
  'nachweise.$id': {
    loader: needs('read:archive:own', { object: 'archive-document' }),
    action: needs('create:archive:any', { object: 'archive-document' }),
  },
  'nachweise.$id.datei.$versionId': { loader: needs('read:archive:own', { object: 'archive-version' }) },
  'nachweise.sperren': { loader: needs('handle:archive:any'), action: needs('handle:archive:any') },
  // Drinking-water systems and legionella results: the managers'.
  trinkwasser: { loader: needs('create:archive:any'), action: needs('create:archive:any') },
  'abrechnungen.$id.einheit.$unitId[.pdf]': { loader: needs('read:statement:own', { object: 'statement-unit' }) },
  'abrechnungen.$id_.nachweis': { loader: needs('read:statement:own', { object: 'statement' }) },
  // Forwarding a statement to the property's owner: managers; opening a forwarded one: its owner.
  'abrechnungen.$id_.weiterleiten': { action: needs('deliver:statement:any', { object: 'statement' }) },
  // Forwarding a property's monthly summary or register report to its owner: managers.
  'liegenschaften.$id_.weiterleiten': {
    action: needs('deliver:statement:any', { object: 'property', form: { art: 'monatsinformation', monat: '2025-10' } }),
  },
  weiterleitungen: { loader: needs('read:statement:own'), action: needs('read:statement:own', { onlyRoles: ['owner'] }) },
  'abrechnungen.$id.nachweis[.pdf]': { loader: needs('read:statement:own', { object: 'statement' }) },
  // One recipient's proof, its bundle and its PDF: readers of the statement, and the tenant it was delivered to.
  // Correcting a letter's receipt date: the managers (the deliverers), for recipients they see.
  'abrechnungen.$id_.nachweis_.$occupancyId': {
    loader: RECIPIENT_PROOF,
    action: needs('deliver:statement:any', { object: 'statement-recipient', form: { receivedOn: '', reason: '' } }),
  },
  'abrechnungen.$id_.nachweis_.$occupancyId_.nachweis[.zip]': { loader: RECIPIENT_PROOF },
  'abrechnungen.$id_.nachweis_.$occupancyId_.nachweis[.pdf]': { loader: RECIPIENT_PROOF },
  // The installation's public keys: for verifiers without an account.
  schluessel: { loader: open },
  'abrechnungen.$id': {
    loader: needs('read:statement:own', { object: 'statement' }),
    // Approve and deliver are refused by the workflow's own role checks; the page's door is reading.
    action: needs('read:statement:own', { object: 'statement' }),
  },
  'abrechnungen._index': { loader: needs('read:statement:own') },
  'abrechnungen.neu': { loader: needs('create:statement:any'), action: needs('create:statement:any') },
  aktivieren: { loader: open, action: open },
  'anliegen.$id': {
    // The tenant's page of a ticket; a technician works on it on the staff's page (vorgaenge.$id).
    loader: needs('read:ticket:own', { object: 'ticket', onlyRoles: ['manager', 'compliance', 'tenant'] }),
    // Writing to a ticket from the tenant's page: only whoever filed it.
    action: needs('read:ticket:own', { object: 'ticket', sees: TENANT_ONLY, form: { intent: 'reply', text: '' } }),
  },
  'anliegen._index': { loader: needs('file:ticket:own') },
  'anliegen.neu': { loader: needs('file:ticket:own'), action: needs('file:ticket:own') },
  benachrichtigungen: { loader: needs('read:notification:own'), action: needs('update:notification:own') },
  'benutzer._index': { loader: needs('read:staff-account:any'), action: needs('create:staff-account:any') },
  'datenschutz.verzeichnis': { loader: needs('read:processing-record:any') },
  'e-mail.bestaetigen': { loader: open, action: open },
  // GET only sends the browser back to the property's page.
  'einladungen.$propertyId.briefe': {
    loader: open,
    action: needs('create:invitation:any', { object: 'tenancy', form: { intent: 'letter' } }),
  },
  'einladungen.$propertyId': {
    loader: needs('read:invitation:any', { object: 'property' }),
    action: needs('create:invitation:any', { object: 'tenancy', form: { intent: 'invite-email', email: '' } }),
  },
  'einladungen._index': { loader: needs('read:invitation:any') },
  'einstellungen.api-schluessel': {
    loader: needs('read:api-token:any'),
    action: needs('create:api-token:any', { form: { intent: 'create', name: 'Gateway', scopes: 'read' } }),
  },
  'einstellungen.webhooks': {
    loader: needs('read:webhook:any'),
    action: needs('create:webhook:any', { form: { intent: 'register', url: 'https://erp.example.de/hook', kinds: 'objection.filed' } }),
  },
  'einstellungen.abrechnungen': { loader: needs('update:statement-settings:any'), action: needs('update:statement-settings:any') },
  'einstellungen.vergleichswert': { loader: needs('update:statement-settings:any'), action: needs('update:statement-settings:any') },
  'einstellungen.geraetetausch': { loader: needs('update:device:any'), action: needs('update:device:any') },
  'einstellungen.benachrichtigungen': { loader: signedIn, action: signedIn },
  // The development mail sink: managers only (others get 404, as if it did not exist).
  'entwicklung.mails': { loader: { access: 'user', onlyRoles: ['manager'] } },
  'favicon[.]ico': { loader: open },
  // The property chosen by ?property= is checked by the page against the scope (app/routes/dashboard.test.ts).
  dashboard: { loader: needs('read:property:own') },
  'geraete.$id': {
    loader: needs('read:device:own', { object: 'device' }),
    action: needs('update:device:own', { object: 'device' }),
  },
  'geraete._index': { loader: needs('read:register:own') },
  'geraete[.]csv': { loader: needs('export:device:own') },
  'geraete.bericht[.pdf]': { loader: needs('export:device:own') },
  // Properties and units of the manager's own organisation only (app/routes/device-import.test.ts).
  'geraete.import': { loader: needs('create:device:any'), action: needs('create:device:any') },
  // Status only for anonymous callers (app/routes/healthz.test.ts checks what each one sees).
  healthz: { loader: open },
  'konto._index': { loader: needs('read:account:own'), action: needs('update:account:own') },
  // GET sends the browser to the account page; only the POST produces the archive.
  'konto.datenauskunft': { loader: open, action: needs('export:account:own') },
  'konto.sitzungen': { loader: needs('read:account:own'), action: needs('update:account:own') },
  'konto.zwei-faktor': { loader: needs('update:second-factor:own'), action: needs('update:second-factor:own') },
  'liegenschaften.$id': {
    loader: needs('read:property:own', { object: 'property' }),
    // Setting the property's technician (an invalid choice, so the fixture's technician stays).
    action: needs('update:property:any', { object: 'property', form: { technicianId: 'x' } }),
  },
  'liegenschaften._index': { loader: needs('read:property:own') },
  // An EventSource cannot follow a redirect: 401 makes it stop.
  live: { loader: needs('read:device:own', { anonymous: 401 }) },
  login: { loader: open, action: open },
  'login_.zweiter-faktor': { loader: open, action: open },
  logout: { loader: open, action: open },
  'meine-abrechnungen.$id': {
    loader: needs('read:tenancy:own', { object: 'tenant-statement', sees: TENANT_ONLY }),
    action: needs('read:tenancy:own', { object: 'tenant-statement', sees: TENANT_ONLY }),
  },
  'meine-abrechnungen.$id[.pdf]': {
    loader: needs('read:tenancy:own', { object: 'tenant-statement', sees: TENANT_ONLY }),
    // The page's download button: the PDF, and the download recorded as an opening.
    action: needs('read:tenancy:own', { object: 'tenant-statement', sees: TENANT_ONLY }),
  },
  'meine-abrechnungen': { loader: needs('read:tenancy:own') },
  'meine-dokumente._index': { loader: needs('read:document:own') },
  'meine-dokumente.verbrauch.$id': { loader: needs('read:document:own', { object: 'archived-month', sees: TENANT_ONLY }) },
  'meine-wohnung': { loader: needs('read:tenancy:own') },
  // A month with information in the organisation (the fixture's archived month); one without is 404 for everybody.
  // The compliance desk: read only (no actions); the organisation's whole scope.
  'pruefung._index': { loader: needs('read:compliance:any') },
  'pruefung.abdeckung': { loader: needs('read:compliance:any') },
  // The coverage reports; a property of another organisation is refused by the page's own test.
  'pruefung.berichte._index': { loader: needs('read:compliance:any') },
  'pruefung.berichte.$bericht': { loader: needs('read:compliance:any'), params: { bericht: 'monatsinformation' } },
  'pruefung.berichte.$bericht.pdf': { loader: needs('export:compliance:any'), params: { bericht: 'fristen' } },
  'pruefung.pflichten[.]csv': { loader: needs('export:compliance:any') },
  'pruefung.integritaet': {
    loader: needs('read:compliance:any'),
    // Resolving needs the compliance role (the service answers a manager with a refusal, not a status).
    action: needs('read:compliance:any', { form: { intent: 'resolve', findingId: '1', note: 'geprüft' } }),
  },
  'pruefung.protokoll': { loader: needs('read:compliance:any') },
  'pruefung.protokoll[.]csv': { loader: needs('export:compliance:any') },
  'pruefung.verlauf.$workflowId': { loader: needs('read:compliance:any', { object: 'obligation' }) },
  'pruefung.verlauf.$workflowId.export': { loader: needs('export:compliance:any', { object: 'obligation' }) },
  'monatsinformationen.$month': { loader: needs('read:monthly-information:any'), params: { month: '2024-11' } },
  'monatsinformationen._index': { loader: needs('read:monthly-information:any'), action: needs('update:monthly-information:any') },
  'monatsinformationen.ablesungen': { loader: needs('create:reading:any'), action: needs('create:reading:any') },
  'passwort.vergessen': { action: open },
  'passwort.zuruecksetzen': { loader: open, action: open },
  'termine.$id': {
    loader: needs('read:appointment:own', { object: 'appointment' }),
    // Acting on a request: its tenant and the technician side (the property's technician, managers); compliance only reads.
    action: needs('read:appointment:own', {
      object: 'appointment',
      sees: { 'in-scope': ['manager', 'technician', 'tenant'], outside: ['manager'] },
    }),
  },
  'termine._index': { loader: needs('read:appointment:own') },
  'termine.neu': { loader: needs('request:appointment:own'), action: needs('request:appointment:own') },
  verbrauch: {
    loader: needs('read:unit:own'),
    action: needs('read:unit:own', { object: 'flat', sees: TENANT_ONLY, form: { intent: 'opened', monat: '2026-01' } }),
  },
  'vorgaenge.$id': {
    // Staff's page: managers and compliance see the organisation's tickets, a technician those of its
    // properties and its own; the tenant who filed one reads it on anliegen.$id.
    loader: needs('read:ticket:own', { object: 'ticket', onlyRoles: ['manager', 'compliance', 'technician'] }),
    action: needs('handle:ticket:own', { object: 'ticket' }),
  },
  'vorgaenge._index': { loader: needs('read:ticket:any') },
  // The technician's work list: its assigned open tickets with SLA clocks and its properties' appointment requests.
  arbeitsliste: { loader: needs('handle:ticket:own') },
};
