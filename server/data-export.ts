// DSGVO Art. 15: everything stored about the asking user, as a ZIP of JSON files and the PDFs of
// the statements delivered to it. Every query is keyed by the user's own id (or its own
// tenancies), so nothing of another person's account can enter; tickets contain the public
// conversation only (internal notes of the staff are not the tenant's data, Art. 15(4)).
import { QueryTypes } from 'sequelize';
import { ROLE_LABELS } from '../domain/format';
import { auditAccount, type AccountActor } from './account-security';
import { db } from './db';
import { zip, type ZipEntry } from './proof/zip';
import type { RequestContext } from './request';
import type { SessionUser } from './session';
import { addresseePdf, findTenantStatement, tenantStatements } from './statements';

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

async function rows<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
  return db().sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
}

const README = (user: SessionUser, at: Date) => `Auskunft nach Art. 15 DSGVO
===========================

Für: ${user.name} <${user.email}>
Erstellt: ${at.toISOString()}
Verantwortlich: ${user.organisationName}

Inhalt dieses Archivs
- konto.json: Ihr Benutzerkonto (ohne Passwort und Schlüssel, die nur als Prüfwerte gespeichert sind)
- mietverhaeltnisse.json: Ihre Mietverhältnisse mit Wohnung und Liegenschaft
- sitzungen.json: Ihre aktiven Anmeldungen (Zeitpunkt, IP-Adresse, Browser)
- benachrichtigungen.json, benachrichtigungseinstellungen.json: Nachrichten im Portal und Ihre Einstellungen
- e-mails.json: die an Ihre Adresse versandten E-Mails
- anliegen.json: Ihre Anliegen mit dem Ihnen sichtbaren Verlauf
- termine.json: Ihre Terminanfragen mit Terminvorschlägen und Verlauf
- einsprueche.json: Ihre Einsprüche gegen Abrechnungen
- monatsinformationen.json: die an Sie gerichteten monatlichen Verbrauchsinformationen
- abrechnungen/: die Ihnen zugestellten Heizkostenabrechnungen (PDF) und abrechnungen.json
- protokoll.json: Einträge des Prüfprotokolls, die Sie betreffen (Anmeldungen, Kontoänderungen, Zustellungen)
- zustellnachweise.json: Zustell- und Öffnungsnachweise Ihrer Abrechnungen

Zwecke der Verarbeitung: Erstellung und Zustellung der Heiz- und Wasserkostenabrechnung und der
monatlichen Verbrauchsinformation (HeizkostenV), Bearbeitung Ihrer Anliegen und Termine, Sicherheit
des Portals (Anmeldungen, Prüfprotokoll). Empfänger: Ihre Hausverwaltung und der Messdienst als
Auftragsverarbeiter. Speicherdauer: Abrechnungsunterlagen zehn Jahre (§ 147 AO), Kontodaten bis
zur Löschung des Kontos. Sie haben das Recht auf Berichtigung, Löschung, Einschränkung der
Verarbeitung, Widerspruch und Beschwerde bei einer Aufsichtsbehörde (Art. 16–21, 77 DSGVO).
`;

/** The archive's entries for `user`; statement PDFs are rendered and stored on first request, as on the statement pages. */
export async function personalDataEntries(user: SessionUser, context: RequestContext | undefined, at = new Date()): Promise<ZipEntry[]> {
  const userId = user.id;
  const [account] = await rows<Record<string, unknown>>(
    `SELECT u.id, u.name, u.email, u.role, o.name AS organisation, u.created_at AS "createdAt", u.updated_at AS "updatedAt",
            u.email_verified_at AS "emailVerifiedAt", u.password_changed_at AS "passwordChangedAt",
            (u.password_hash IS NOT NULL) AS "passwordSet", u.totp_enabled_at AS "secondFactorEnabledAt",
            (SELECT count(*)::int FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) AS "recoveryCodesUnused"
       FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = :userId`,
    { userId },
  );
  const tenancies = await rows<{ id: number } & Record<string, unknown>>(
    `SELECT t.id, t.tenant_name AS "tenantName", t.contact_email AS "contactEmail", t.starts_on AS "startsOn", t.ends_on AS "endsOn",
            u.label AS unit, u.floor, u.area_m2 AS "areaM2", p.name AS property, p.street, p.postal_code AS "postalCode", p.city
       FROM tenancies t JOIN units u ON u.id = t.unit_id JOIN properties p ON p.id = u.property_id
      WHERE t.user_id = :userId ORDER BY t.starts_on`,
    { userId },
  );
  const tenancyIds = tenancies.map((t) => t.id);
  const noIds = [-1];
  const sessions = await rows(
    'SELECT created_at AS "createdAt", expires_at AS "expiresAt", ip, user_agent AS "userAgent" FROM sessions WHERE user_id = :userId ORDER BY created_at',
    { userId },
  );
  const notifications = await rows(
    'SELECT kind, title, body, link, created_at AS "createdAt", read_at AS "readAt" FROM notifications WHERE user_id = :userId ORDER BY created_at',
    { userId },
  );
  const preferences = await rows(
    'SELECT topic, in_portal AS "inPortal", email, updated_at AS "updatedAt" FROM notification_preferences WHERE user_id = :userId ORDER BY topic',
    { userId },
  );
  const mails = await rows(
    `SELECT to_address AS "to", subject, text_body AS text, created_at AS "createdAt", sent_at AS "sentAt"
       FROM mails WHERE lower(to_address) = lower(:email) ORDER BY created_at`,
    { email: user.email },
  );
  const tickets = await rows<{ id: number } & Record<string, unknown>>(
    `SELECT id, topic, subject, body, category, priority, status, unit_id AS "unitId", linked_kind AS "linkedKind", linked_id AS "linkedId",
            created_at AS "createdAt", resolved_at AS "resolvedAt", closed_at AS "closedAt"
       FROM tickets WHERE created_by = :userId ORDER BY created_at`,
    { userId },
  );
  const ticketEvents = await rows<{ ticketId: number } & Record<string, unknown>>(
    `SELECT ticket_id AS "ticketId", seq, kind, actor_name AS "actorName", actor_role AS "actorRole", at, body
       FROM ticket_events WHERE ticket_id IN (:ids) AND visibility = 'public' ORDER BY ticket_id, seq`,
    { ids: tickets.length > 0 ? tickets.map((t) => t.id) : noIds },
  );
  const appointments = await rows<{ id: number } & Record<string, unknown>>(
    `SELECT id, unit_id AS "unitId", reason, note, status, created_at AS "createdAt", completed_at AS "completedAt"
       FROM appointment_requests WHERE tenant_id = :userId ORDER BY created_at`,
    { userId },
  );
  const appointmentIds = appointments.length > 0 ? appointments.map((a) => a.id) : noIds;
  const slots = await rows<{ appointmentId: number } & Record<string, unknown>>(
    `SELECT appointment_id AS "appointmentId", position, starts_at AS "startsAt", ends_at AS "endsAt", offered_by AS "offeredBy"
       FROM appointment_slots WHERE appointment_id IN (:ids) ORDER BY appointment_id, position`,
    { ids: appointmentIds },
  );
  const appointmentEvents = await rows<{ appointmentId: number } & Record<string, unknown>>(
    `SELECT appointment_id AS "appointmentId", seq, kind, actor_name AS "actorName", actor_role AS "actorRole", at, body
       FROM appointment_events WHERE appointment_id IN (:ids) ORDER BY appointment_id, seq`,
    { ids: appointmentIds },
  );
  // Timely objections and those sent after the window (with the reason for the delay).
  const objections = await rows(
    `SELECT statement_id AS "statementId", version, unit_id AS "unitId", positions, reason, NULL AS "delayReason",
            filed_at AS "filedAt", ticket_id AS "ticketId"
       FROM statement_objections WHERE filed_by = :userId
     UNION ALL
     SELECT statement_id, version, unit_id, positions, objection, reason, submitted_at, ticket_id
       FROM statement_late_objection_requests WHERE user_id = :userId
     ORDER BY "filedAt"`,
    { userId },
  );
  const monthly = await rows(
    `SELECT month::text AS month, unit_id AS "unitId", tenancy_id AS "tenancyId", delivery, total_kwh AS "totalKwh",
            heating_kwh AS "heatingKwh", hot_water_kwh AS "hotWaterKwh", estimated, content, content_sha256 AS "contentSha256",
            published_at AS "publishedAt", notified_at AS "notifiedAt", mailed_at AS "mailedAt", opened_at AS "openedAt"
       FROM monthly_information
      WHERE tenancy_id IN (:ids) AND delivery IN ('portal','no-account') ORDER BY month, unit_id`,
    { ids: tenancyIds.length > 0 ? tenancyIds : noIds },
  );
  const audit = await rows(
    `SELECT at, actor, action, entity, entity_id AS "entityId", ip, details
       FROM audit_log
      WHERE (actor_id = :userId OR (entity = 'user' AND entity_id = :userIdText)
             OR (entity = 'tenancy' AND entity_id IN (:tenancyIds)))
      ORDER BY id`,
    { userId, userIdText: String(userId), tenancyIds: tenancyIds.length > 0 ? tenancyIds.map(String) : ['-1'] },
  );
  const proofs = await rows(
    `SELECT statement_id AS "statementId", version, step, at, actor, ip, document_sha256 AS "documentSha256"
       FROM statement_proof_events WHERE actor_id = :userId ORDER BY id`,
    { userId },
  );

  const entries: ZipEntry[] = [
    { name: 'LIESMICH.txt', bytes: new TextEncoder().encode(README(user, at)) },
    { name: 'konto.json', bytes: json({ ...account, roleLabel: ROLE_LABELS[user.role] }) },
    { name: 'mietverhaeltnisse.json', bytes: json(tenancies) },
    { name: 'sitzungen.json', bytes: json(sessions) },
    { name: 'benachrichtigungen.json', bytes: json(notifications) },
    { name: 'benachrichtigungseinstellungen.json', bytes: json(preferences) },
    { name: 'e-mails.json', bytes: json(mails) },
    {
      name: 'anliegen.json',
      bytes: json(
        tickets.map((t) => ({ ...t, history: ticketEvents.filter((e) => e.ticketId === t.id).map(({ ticketId: _t, ...e }) => e) })),
      ),
    },
    {
      name: 'termine.json',
      bytes: json(
        appointments.map((a) => ({
          ...a,
          slots: slots.filter((s) => s.appointmentId === a.id).map(({ appointmentId: _a, ...s }) => s),
          history: appointmentEvents.filter((e) => e.appointmentId === a.id).map(({ appointmentId: _a, ...e }) => e),
        })),
      ),
    },
    { name: 'einsprueche.json', bytes: json(objections) },
    { name: 'monatsinformationen.json', bytes: json(monthly) },
    { name: 'protokoll.json', bytes: json(audit) },
    { name: 'zustellnachweise.json', bytes: json(proofs) },
  ];

  // The statements as delivered: each addressee's own PDF, exactly what the statement page serves.
  const statements = await tenantStatements(user);
  entries.push({ name: 'abrechnungen/abrechnungen.json', bytes: json(statements) });
  for (const row of statements) {
    const own = await findTenantStatement(user, row.id, row.unitId);
    const document = own ? await addresseePdf(user, own.statement, own.addressee, context) : null;
    if (document) entries.push({ name: `abrechnungen/${document.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}`, bytes: document.content });
  }
  return entries;
}

/** The ZIP, and the audit entry that it was handed out. */
export async function personalDataZip(user: SessionUser, actor: AccountActor, context: RequestContext | undefined): Promise<Buffer> {
  const at = new Date();
  const entries = await personalDataEntries(user, context, at);
  const archive = zip(entries, at);
  await auditAccount(actor, 'personal_data_exported', { type: 'user', id: user.id }, { files: entries.length, bytes: archive.length });
  return archive;
}

export function zipResponse(archive: Buffer, fileName: string): Response {
  return new Response(new Uint8Array(archive), {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Content-Length': String(archive.length),
      'Cache-Control': 'private, no-store',
    },
  });
}
