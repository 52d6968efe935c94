// Who may do what: permissions (`action:entity:own|any`, Epic Stack style) granted by role. The
// server checks them in every loader and action and scopes every query (server/permissions.ts).
import type { Role } from './roles';

type Action = 'read' | 'create' | 'update' | 'export' | 'deliver' | 'file' | 'handle' | 'request';
type Entity =
  | 'property'
  | 'unit'
  | 'tenancy'
  | 'device'
  | 'register'
  | 'notification'
  | 'statement'
  | 'statement-settings'
  | 'ticket'
  | 'appointment'
  | 'monthly-information'
  | 'reading'
  | 'processing-record'
  | 'health-details'
  // The account lifecycle: a user's own account (password, e-mail, sessions, data export), the
  // second factor of staff accounts, tenants' invitations, staff accounts, delivered documents.
  | 'account'
  | 'second-factor'
  | 'invitation'
  | 'staff-account'
  | 'document'
  // The evidence archive (/nachweise): its documents, uploads, legal holds and deletion approvals.
  | 'archive'
  // Tokens of the REST API and the radio gateways, webhook endpoints (issue 17).
  | 'api-token'
  | 'webhook'

  // The compliance desk (/pruefung): obligations from Temporal visibility, their histories, the audit log.
  | 'compliance'
  // The Temporal Web UI: an operator's tool (it can cancel and start workflows), never a user's.
  | 'temporal-ui';
/**
 * `own`: rows in the user's scope (its properties, its unit; a tenant's own tickets and appointment
 * requests, a technician's properties' appointments); `any`: all rows of its organisation.
 */
type Access = 'own' | 'any';
export type Permission = `${Action}:${Entity}:${Access}`;

/** Everyone manages their own account and may download what is stored about them (DSGVO Art. 15). */
const OWN_ACCOUNT: readonly Permission[] = ['read:account:own', 'update:account:own', 'export:account:own'];
/** Staff may protect their account with a second factor (TOTP). */
const STAFF_ACCOUNT: readonly Permission[] = [...OWN_ACCOUNT, 'update:second-factor:own'];

const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  manager: [
    ...STAFF_ACCOUNT,
    // Tenants' portal access (invitations, activation letters, move-out) and the staff's accounts.
    'read:invitation:any',
    'create:invitation:any',
    'update:tenancy:any',
    'read:staff-account:any',
    'create:staff-account:any',
    'read:property:any',
    // The property's settings: which technician serves it (work routing).
    'update:property:any',
    'read:unit:any',
    'read:tenancy:any',
    'read:device:any',
    'read:register:any',
    'export:device:any',
    'read:notification:own',
    'update:notification:own',
    'update:device:any',
    // The device import (/geraete/import).
    'create:device:any',
    'read:statement:any',
    'create:statement:any',
    'deliver:statement:any',
    'read:ticket:any',
    'handle:ticket:any',
    'read:appointment:any',
    'handle:appointment:any',
    // Running the monthly information, its conversion factors and entering readings are the
    // managers' job; compliance only reads.
    'read:monthly-information:any',
    'update:monthly-information:any',
    'create:reading:any',
    // The organisation's objection-window mode and the owners' approval delegation.
    'update:statement-settings:any',
    // The archive: uploads and corrections, legal holds and the approval of deletions at retention end.
    'read:archive:any',
    'create:archive:any',
    'handle:archive:any',
    // The record of processing activities (Art. 30 DSGVO), rendered from domain/personal-data.ts.
    'read:processing-record:any',
    // /healthz with each dependency's latency and error (anonymous callers get the status only).
    'read:health-details:any',
    // Managers may read the compliance desk too.
    'read:compliance:any',
    'export:compliance:any',
    // API tokens of the organisation's gateways and ERP systems: listed, created and revoked.
    'read:api-token:any',
    'create:api-token:any',
    'update:api-token:any',
    // Webhook endpoints of the organisation and their delivery log.
    'read:webhook:any',
    'create:webhook:any',
  ],
  compliance: [
    ...STAFF_ACCOUNT,
    'read:property:any',
    'read:unit:any',
    'read:device:any',
    'read:register:any',
    'export:device:any',
    'read:notification:own',
    'update:notification:own',
    'read:statement:any',
    'read:ticket:any',
    'read:appointment:any',
    'read:monthly-information:any',
    'read:archive:any',
    'read:processing-record:any',
    'read:compliance:any',
    'export:compliance:any',
  ],
  owner: [
    ...STAFF_ACCOUNT,
    'read:property:own',
    'read:unit:own',
    'read:device:own',
    'read:register:own',
    'export:device:own',
    'read:notification:own',
    'update:notification:own',
    // Tickets and appointments carry tenants' personal matters; owners are not party to them.
    'read:statement:own',
    // The archive of their properties (certificates, protocols, statements and their proofs).
    'read:archive:own',
  ],
  technician: [
    ...STAFF_ACCOUNT,
    'read:device:own',
    'read:register:own',
    'export:device:own',
    'read:notification:own',
    'update:notification:own',
    // Device work on the properties the technician is assigned to (its scope).
    'update:device:own',
    'read:appointment:own',
    'handle:appointment:own',
    // Tickets of the properties the technician serves and those assigned to it: its work list (issue 14).
    'read:ticket:own',
    'handle:ticket:own',
  ],
  tenant: [
    ...OWN_ACCOUNT,
    // What was delivered to the tenant stays readable after its tenancy ended (meine-dokumente).
    'read:document:own',
    'read:tenancy:own',
    'read:unit:own',
    'read:device:own',
    'read:notification:own',
    'update:notification:own',
    // Tenants read their own statements through their tenancies (meine-abrechnungen, read:tenancy:own),
    // not through the statement pages.
    'file:ticket:own',
    'read:ticket:own',
    'request:appointment:own',
    'read:appointment:own',
    // The archive's documents of the tenant's own flat (protocols, reports, its own statements).
    'read:archive:own',
  ],
  // Operations staff: only their notifications for now (a later issue links the Temporal UI).
  operator: [
    ...STAFF_ACCOUNT,
    'read:notification:own',
    'update:notification:own',
    // /healthz with each dependency's latency and error.
    'read:health-details:any',
    'read:temporal-ui:any',
  ],
};

/** `any` implies `own`. */
export function hasPermission(user: { role: Role }, permission: Permission): boolean {
  const granted = ROLE_PERMISSIONS[user.role] ?? [];
  if (granted.includes(permission)) return true;
  const [action, entity, access] = permission.split(':');
  return access === 'own' && granted.includes(`${action}:${entity}:any` as Permission);
}
