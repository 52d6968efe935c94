// One personal-data policy: which role sees which personal data, how far, why and on which legal
// basis. The server decides with `reachOf` (statement pages and PDFs, proof pages, property pages,
// /live events); docs/privacy.md and the page /datenschutz/verzeichnis ("Verzeichnis der
// Verarbeitungstätigkeiten", Art. 30 DSGVO) are rendered from the same tables.
import type { Role } from './roles';

export type PersonalDataCategory =
  'tenant-identity' | 'tenant-contact' | 'access-data' | 'consumption' | 'tenant-requests' | 'staff-identity';

/**
 * How far a role sees a category: `all` of its organisation, `assigned` only on the properties it is
 * assigned to (an owner's own, a technician's), `own` only the person's own data, `none` not at all
 * (pages show a neutral placeholder such as "Mietpartei" instead).
 */
export type Reach = 'all' | 'assigned' | 'own' | 'none';

export interface RoleAccess {
  reach: Reach;
  /** Why this role needs (or does not need) it. */
  why: string;
}

export interface PersonalDataRule {
  category: PersonalDataCategory;
  label: string;
  /** What exactly, as stored. */
  data: string;
  subjects: string;
  legalBasis: string;
  retention: string;
  /** Where the portal shows or sends it. */
  shownIn: string;
  access: Readonly<Record<Role, RoleAccess>>;
}

export const ROLE_NAMES: Readonly<Record<Role, string>> = {
  manager: 'Verwaltung',
  owner: 'Eigentümer',
  tenant: 'Mieter',
  technician: 'Technik',
  compliance: 'Prüfung (Compliance)',
  operator: 'Betrieb',
};

export const REACH_LABELS: Readonly<Record<Reach, string>> = {
  all: 'alle der Organisation',
  assigned: 'nur zugewiesene Liegenschaften',
  own: 'nur eigene',
  none: 'nein',
};

export const PERSONAL_DATA: readonly PersonalDataRule[] = [
  {
    category: 'tenant-identity',
    label: 'Name der Mietpartei',
    data: 'Name aus dem Mietverhältnis und dem Portalkonto, Nutzungszeitraum je Wohnung',
    subjects: 'Mieter',
    legalBasis: 'Art. 6 Abs. 1 lit. b DSGVO (Mietvertrag) und lit. c (§§ 6, 6a HeizkostenV: Abrechnung und Information je Nutzer)',
    retention: 'bis 10 Jahre nach Ende des Mietverhältnisses (Aufbewahrung der Abrechnungsbelege, § 147 AO)',
    shownIn: 'Abrechnungsseiten und -PDFs, Zustellnachweis, Liegenschaftsseite, Vorgänge, Termine, E-Mails an die Mietpartei',
    access: {
      manager: { reach: 'all', why: 'erstellt und stellt die Abrechnungen zu, verwaltet die Mietverhältnisse' },
      owner: { reach: 'none', why: 'sieht Wohnungen, Verbräuche und Beträge; wer dort wohnt, braucht er für die Abrechnung nicht' },
      tenant: { reach: 'own', why: 'eigene Daten' },
      technician: { reach: 'assigned', why: 'Termine in der Wohnung: weiß, bei wem er klingelt (nur über Terminanfragen)' },
      compliance: { reach: 'none', why: 'prüft Fristen und Nachweise; dafür genügt die Wohnung, nicht die Person' },
      operator: { reach: 'none', why: 'betreibt das Portal, nicht die Mietverhältnisse' },
    },
  },
  {
    category: 'tenant-contact',
    label: 'E-Mail-Adresse der Mietpartei',
    data: 'E-Mail-Adresse des Portalkontos oder der Einladung (auch als Handelnde im Zustellnachweis)',
    subjects: 'Mieter',
    legalBasis: 'Art. 6 Abs. 1 lit. b DSGVO (Portalnutzung, Zustellung im Portal mit E-Mail-Hinweis)',
    retention: 'bis zur Löschung des Kontos; im Zustellnachweis so lange wie die Abrechnung',
    shownIn: 'Zustellnachweis (Seite und PDF), Einladungen und Zugänge der Mietparteien, E-Mails an die Mietpartei',
    access: {
      manager: { reach: 'all', why: 'lädt Mietparteien ein und weist im Streitfall Zugang und Öffnung der Abrechnung nach' },
      owner: { reach: 'none', why: 'nicht erforderlich' },
      tenant: { reach: 'own', why: 'eigene Daten' },
      technician: { reach: 'none', why: 'Terminabsprache läuft über das Portal' },
      compliance: { reach: 'none', why: 'der Nachweis wird ohne Personenbezug geprüft (Prüfsummen, Zeitpunkte)' },
      operator: { reach: 'none', why: 'nicht erforderlich' },
    },
  },
  {
    category: 'access-data',
    label: 'IP-Adresse und Browser',
    data: 'IP-Adresse und Browserkennung bei Anmeldung, Sitzungen, Audit-Log und Nachweisereignissen',
    subjects: 'alle Nutzer',
    legalBasis: 'Art. 6 Abs. 1 lit. f DSGVO (Sicherheit des Portals, Nachweis von Zugang und Öffnung)',
    retention: 'Sitzungen 8 Stunden; im Audit-Log und Zustellnachweis so lange wie diese',
    shownIn: 'Zustellnachweis (Seite und PDF), eigene Sitzungen im Konto',
    access: {
      manager: { reach: 'all', why: 'Nachweis der Zustellung und Öffnung gegenüber der Mietpartei' },
      owner: { reach: 'own', why: 'nur die eigenen Sitzungen' },
      tenant: { reach: 'own', why: 'eigene Sitzungen' },
      technician: { reach: 'own', why: 'nur die eigenen Sitzungen' },
      compliance: { reach: 'own', why: 'nur die eigenen Sitzungen; die Prüfkette wird serverseitig verifiziert' },
      operator: { reach: 'own', why: 'nur die eigenen Sitzungen' },
    },
  },
  {
    category: 'consumption',
    label: 'Verbrauch und Kosten je Wohnung',
    data: 'Ablesewerte der Geräte einer Wohnung, monatliche Verbrauchsinformation, Abrechnungsbeträge',
    subjects: 'Mieter (über die Wohnung bestimmbar)',
    legalBasis: 'Art. 6 Abs. 1 lit. c DSGVO (§§ 6, 6a HeizkostenV)',
    retention: 'bis 10 Jahre nach der Abrechnung (§ 147 AO)',
    shownIn: 'Abrechnungsseiten und -PDFs, Verbrauchsseiten, Geräteregister (letzter Ablesewert)',
    access: {
      manager: { reach: 'all', why: 'erstellt Abrechnung und Verbrauchsinformation' },
      owner: { reach: 'assigned', why: 'Abrechnung der eigenen Liegenschaften, ohne Namen der Mietparteien' },
      tenant: { reach: 'own', why: 'eigene Abrechnung und Verbrauchsinformation' },
      technician: { reach: 'assigned', why: 'Gerätewartung: letzter Ablesewert der Geräte seiner Liegenschaften' },
      compliance: { reach: 'all', why: 'prüft Fristen und Rechenwege der Abrechnungen' },
      operator: { reach: 'none', why: 'nicht erforderlich' },
    },
  },
  {
    category: 'tenant-requests',
    label: 'Anliegen, Terminanfragen und Einsprüche',
    data: 'Betreff, Beschreibung und Verlauf von Anliegen; Terminwünsche und Hinweise; Einspruchsbegründungen',
    subjects: 'Mieter',
    legalBasis: 'Art. 6 Abs. 1 lit. b DSGVO (Mietvertrag, Bearbeitung des Anliegens)',
    retention: '3 Jahre nach Abschluss (regelmäßige Verjährung, § 195 BGB)',
    shownIn: 'Vorgänge, Anliegen, Termine, E-Mails zu diesen',
    access: {
      manager: { reach: 'all', why: 'bearbeitet die Anliegen und Einsprüche' },
      owner: { reach: 'none', why: 'persönliche Angelegenheiten der Mietpartei' },
      tenant: { reach: 'own', why: 'eigene Anliegen' },
      technician: { reach: 'assigned', why: 'nur Terminanfragen seiner Liegenschaften' },
      compliance: { reach: 'all', why: 'prüft die Einhaltung der Bearbeitungsfristen (nur lesend)' },
      operator: { reach: 'none', why: 'nicht erforderlich' },
    },
  },
  {
    category: 'staff-identity',
    label: 'Name und E-Mail-Adresse von Beschäftigten',
    data: 'Name und E-Mail-Adresse der Handelnden (Verwaltung, Technik, Eigentümer) in Verläufen und Nachweisen',
    subjects: 'Beschäftigte der Verwaltung, Technik, Eigentümer',
    legalBasis: 'Art. 6 Abs. 1 lit. f DSGVO (Nachvollziehbarkeit der Bearbeitung), § 26 BDSG',
    retention: 'so lange wie der Vorgang oder Nachweis, in dem sie handeln',
    shownIn: 'Verläufe von Vorgängen und Terminen, Zustellnachweis, Importliste',
    access: {
      manager: { reach: 'all', why: 'Zuständigkeiten in der Organisation' },
      owner: { reach: 'assigned', why: 'wer die eigenen Abrechnungen freigegeben und zugestellt hat' },
      tenant: { reach: 'own', why: 'wer das eigene Anliegen bearbeitet' },
      technician: { reach: 'assigned', why: 'wer an seinen Terminen beteiligt ist' },
      compliance: { reach: 'all', why: 'wer welchen Schritt getan hat (Nachvollziehbarkeit)' },
      operator: { reach: 'own', why: 'das eigene Konto' },
    },
  },
];

const BY_CATEGORY = new Map(PERSONAL_DATA.map((rule) => [rule.category, rule]));

/** How far `role` sees `category`: the single rule every page, PDF, export and event follows. */
export function reachOf(role: Role, category: PersonalDataCategory): Reach {
  return BY_CATEGORY.get(category)?.access[role]?.reach ?? 'none';
}

/** Whether the viewer sees a person's data of `category`: `relation` says whose it is. */
export function maySee(viewer: { role: Role }, category: PersonalDataCategory, relation: { own: boolean; assigned: boolean }): boolean {
  const reach = reachOf(viewer.role, category);
  return reach === 'all' || (reach === 'assigned' && relation.assigned) || (reach !== 'none' && relation.own);
}

/** Details the proof pages show (stepNote); anything else (filer's name, IP, manifest) stays on the server. */
// A receipt correction's reason and its new §556(3) check and window are the delivery's facts, not personal data.
const PROOF_DETAILS_SHOWN: readonly string[] = [
  'channel',
  'receivedOn',
  'dispatchedOn',
  'previous',
  'positions',
  'via',
  'byVersion',
  'unitId',
  'role',
  'delegated',
  'reason',
  'deadlineMissed',
  'objectionDeadline',
];

/** A proof event's details as pages, proof PDFs and stored recipient chains show them. */
export function shownProofDetails(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([key]) => PROOF_DETAILS_SHOWN.includes(key)));
}

/** What pages and PDFs show in place of a tenant's name the viewer may not see. */
export const TENANT_PLACEHOLDER = 'Mietpartei';

// ---- the record of processing activities (Art. 30 DSGVO) ----

export interface ProcessingActivity {
  name: string;
  purpose: string;
  categories: readonly PersonalDataCategory[];
  legalBasis: string;
  retention: string;
}

export const PROCESSING_ACTIVITIES: readonly ProcessingActivity[] = [
  {
    name: 'Heizkostenabrechnung',
    purpose: 'Verteilung der Heiz- und Warmwasserkosten nach HeizkostenV, Zustellung mit Nachweis, Einsprüche',
    categories: ['tenant-identity', 'tenant-contact', 'consumption', 'access-data', 'tenant-requests', 'staff-identity'],
    legalBasis: 'Art. 6 Abs. 1 lit. b, c und f DSGVO',
    retention: '10 Jahre nach der Abrechnung (§ 147 AO)',
  },
  {
    name: 'Monatliche Verbrauchsinformation',
    purpose: 'Unterrichtung der Nutzer über ihren Verbrauch (§ 6a HeizkostenV)',
    categories: ['tenant-identity', 'consumption'],
    legalBasis: 'Art. 6 Abs. 1 lit. c DSGVO',
    retention: '10 Jahre nach der zugehörigen Abrechnung',
  },
  {
    name: 'Geräteverwaltung und Ablesung',
    purpose: 'Eich-, Tausch- und Prüffristen der Messgeräte und Rauchwarnmelder, Ablesewerte',
    categories: ['consumption', 'staff-identity'],
    legalBasis: 'Art. 6 Abs. 1 lit. c DSGVO (MessEG/MessEV, Landesbauordnungen)',
    retention: 'Lebensdauer des Geräts, danach 10 Jahre',
  },
  {
    name: 'Anliegen und Termine',
    purpose: 'Bearbeitung von Anliegen der Mieter mit Fristen, Terminvereinbarung für Arbeiten in der Wohnung',
    categories: ['tenant-identity', 'tenant-requests', 'staff-identity'],
    legalBasis: 'Art. 6 Abs. 1 lit. b DSGVO',
    retention: '3 Jahre nach Abschluss (§ 195 BGB)',
  },
  {
    name: 'Portalzugang und Sicherheit',
    purpose: 'Anmeldung, Sitzungen, Schutz vor Missbrauch (Drosselung), Audit-Log',
    categories: ['tenant-contact', 'access-data', 'staff-identity'],
    legalBasis: 'Art. 6 Abs. 1 lit. b und f DSGVO',
    retention: 'Sitzungen 8 Stunden, Drosselungszähler 24 Stunden, Audit-Log 10 Jahre',
  },
];

export function ruleOf(category: PersonalDataCategory): PersonalDataRule {
  const rule = BY_CATEGORY.get(category);
  if (!rule) throw new RangeError(`unknown personal-data category: ${category}`);
  return rule;
}

const ROLE_ORDER: readonly Role[] = ['manager', 'owner', 'tenant', 'technician', 'compliance', 'operator'];

/** Every channel that hands out personal data, and how it follows the tables (for the document). */
export const APPLIED_IN: readonly string[] = [
  'Statement page, its embedded document and the per-unit PDFs: tenants’ names only for roles whose reach for „Name der Mietpartei“ covers them; owners and compliance get a copy with „Mietpartei“, rendered on the fly and never stored (`server/personal-data.ts`, `addresseePdf`).',
  'Proof page, proof PDF and every lifecycle timeline: a tenant’s e-mail, a staff member’s identity and IPs per „E-Mail-Adresse der Mietpartei“, „Name und E-Mail-Adresse von Beschäftigten“ and „IP-Adresse und Browser“; a tenant sees only its own flats’ steps (`proofEventsForViewer`).',
  'Property page: the tenants column per „Name der Mietpartei“ (`seesTenantNames`).',
  'Tickets, requests, appointments: their pages require the ticket and appointment permissions, which owners do not have; technicians see appointments of their properties only.',
  '`/live` events: each type needs the permission and scope of the pages that show it; user ids are never sent (`liveEventFor`).',
  'CSV export of the device register: devices, deadlines and the last reading of the viewer’s scope, no names or contact data.',
  'E-mails: a statement’s delivery notice goes to its tenant only; ticket mails to the managers and the tenant who filed; appointment mails to the tenant and the property’s technician (the managers where there is none); device reminders carry no tenant data.',
];

/** docs/privacy.md, rendered from the tables above (scripts/privacy-doc.ts writes it; a test keeps it current). */
export function privacyMarkdown(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines: string[] = [
    '# Personal data: who sees what, and why',
    '',
    '<!-- Generated from domain/personal-data.ts by `npx tsx scripts/privacy-doc.ts`; do not edit by hand. -->',
    '',
    'The portal follows one policy for personal data, defined in `domain/personal-data.ts`. The server',
    'applies it to every page, PDF, proof, CSV export, e-mail and live event (`reachOf`); this document',
    'and the page `/datenschutz/verzeichnis` (Verzeichnis der Verarbeitungstätigkeiten, for managers and',
    'compliance) are rendered from the same tables. Reach: *alle der Organisation*; *nur zugewiesene',
    'Liegenschaften* (an owner’s own, a technician’s assigned); *nur eigene*; *nein* (pages show a',
    `placeholder such as „${TENANT_PLACEHOLDER}“ instead).`,
    '',
    '## Who sees which personal data',
    '',
    `| Daten | ${ROLE_ORDER.map((role) => ROLE_NAMES[role]).join(' | ')} | Rechtsgrundlage |`,
    `| --- | ${ROLE_ORDER.map(() => '---').join(' | ')} | --- |`,
    ...PERSONAL_DATA.map(
      (rule) =>
        `| ${cell(rule.label)} | ${ROLE_ORDER.map((role) => REACH_LABELS[rule.access[role].reach]).join(' | ')} | ${cell(rule.legalBasis)} |`,
    ),
    '',
    '## Why each role sees it (or not)',
    '',
  ];
  for (const rule of PERSONAL_DATA) {
    lines.push(
      `### ${rule.label}`,
      '',
      `${rule.data}. Betroffene: ${rule.subjects}. Angezeigt in: ${rule.shownIn}. Speicherdauer: ${rule.retention}.`,
      '',
    );
    for (const role of ROLE_ORDER) {
      const { reach, why } = rule.access[role];
      lines.push(`- **${ROLE_NAMES[role]}** (${REACH_LABELS[reach]}): ${why}`);
    }
    lines.push('');
  }
  lines.push('## Where the server applies it', '', ...APPLIED_IN.map((item) => `- ${item}`), '');
  lines.push(
    '## Verzeichnis der Verarbeitungstätigkeiten',
    '',
    '| Tätigkeit | Zweck | Daten | Rechtsgrundlage | Löschfrist |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const activity of PROCESSING_ACTIVITIES) {
    const data = activity.categories.map((category) => ruleOf(category).label).join(', ');
    lines.push(
      `| ${cell(activity.name)} | ${cell(activity.purpose)} | ${cell(data)} | ${cell(activity.legalBasis)} | ${cell(activity.retention)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

// ---- applying it to documents ----

/** A statement with every tenant's name replaced by TENANT_PLACEHOLDER (vacancies stay vacancies). */
export function pseudonymiseStatement<S extends { units: ReadonlyArray<{ occupancies: ReadonlyArray<{ tenantName: string | null }> }> }>(
  statement: S,
): S {
  return {
    ...statement,
    units: statement.units.map((unit) => ({
      ...unit,
      occupancies: unit.occupancies.map((o) => ({ ...o, tenantName: o.tenantName === null ? null : TENANT_PLACEHOLDER })),
    })),
  };
}
