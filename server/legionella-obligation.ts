// Side effects of the legionella sampling workflow (workflows/legionella-sampling.ts): the round's
// projection on the water system, reminders and the escalation to the managers, and the finding's
// notices. Informing the tenants is idempotent per finding: each tenancy gets one row in
// legionella_tenant_notices (portal or letter) and each account one portal entry, however often
// the activity runs.
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../db';
import { ACTION_VALUE_CFU_PER_100ML } from '../domain/legionella';
import { TRINKWASSER_PATH, WATER_SYSTEM_GONE, legionellaWorkflowId, type LegionellaPhase } from '../domain/contracts/legionella';
import { formatDate } from '../domain/format';
import { GoneError } from './errors';
import { genericNotice, managersOf, notifyUsers, type NotifyDeps, type Recipient } from './notifications';

interface SystemFacts {
  id: number;
  organisationId: number;
  propertyId: number;
  propertyName: string;
  name: string;
}

async function systemFacts(db: Db, waterSystemId: number, transaction?: Transaction): Promise<SystemFacts> {
  const [row] = await db.sequelize.query<SystemFacts>(
    `SELECT w.id, w.organisation_id AS "organisationId", w.property_id AS "propertyId", p.name AS "propertyName", w.name
       FROM water_systems w JOIN properties p ON p.id = w.property_id WHERE w.id = :waterSystemId`,
    { replacements: { waterSystemId }, type: QueryTypes.SELECT, transaction },
  );
  if (!row) throw new GoneError(`Trinkwasseranlage ${waterSystemId} existiert nicht mehr`, WATER_SYSTEM_GONE);
  return row;
}

const PHASE_TEXT: Record<LegionellaPhase, string> = {
  routine: 'Legionellenprüfung (TrinkwV §31)',
  finding: 'Nachprobe nach Legionellenbefund',
};

export interface LegionellaDeadlineInput {
  waterSystemId: number;
  phase: LegionellaPhase;
  dueAt: string;
  dedupeKey: string;
}

/** An active tenancy of the property: with an account (portal) or without (a letter). */
interface TenantRow {
  tenancyId: number;
  tenantName: string;
  userId: number | null;
  email: string | null;
}

export function createLegionellaObligation(deps: NotifyDeps) {
  const { db } = deps;

  async function tellManagers(input: LegionellaDeadlineInput, daysBefore: number | null) {
    const facts = await systemFacts(db, input.waterSystemId);
    const what = PHASE_TEXT[input.phase];
    const title =
      daysBefore === null
        ? `Frist überschritten: ${what}, ${facts.name}`
        : `Erinnerung: ${what}, ${facts.name}, fällig in ${daysBefore} Tagen`;
    await notifyUsers(deps, {
      recipients: await managersOf(db, facts.organisationId),
      topic: 'device',
      kind: daysBefore === null ? 'legionella-escalation' : 'legionella-reminder',
      urgency: daysBefore === null ? 'urgent' : 'routine',
      dedupeKey: input.dedupeKey,
      compose: () =>
        genericNotice({
          title,
          body: `${what} der Anlage „${facts.name}“ (${facts.propertyName}) ist am ${formatDate(input.dueAt)} fällig. Erfassen Sie den Laborbefund unter Trinkwasser.`,
          link: TRINKWASSER_PATH,
          reference: legionellaWorkflowId(facts.id),
          facts: [
            { label: 'Liegenschaft', value: facts.propertyName },
            { label: 'Anlage', value: facts.name },
            { label: 'Fällig am', value: formatDate(input.dueAt) },
          ],
          actionLabel: 'Trinkwasser im Portal öffnen',
        }),
    });
  }

  return {
    /** Projects the current round onto the water system row (for the pages). */
    async recordLegionellaRound(input: { waterSystemId: number; phase: LegionellaPhase; dueAt: string; findingResultId: number | null }) {
      const rows = await db.sequelize.query(
        `UPDATE water_systems SET phase = :phase, due_at = :dueAt, finding_result_id = :findingResultId WHERE id = :waterSystemId RETURNING id`,
        { replacements: input, type: QueryTypes.SELECT },
      );
      if (rows.length === 0) throw new GoneError(`Trinkwasseranlage ${input.waterSystemId} existiert nicht mehr`, WATER_SYSTEM_GONE);
    },

    async sendLegionellaReminder(input: LegionellaDeadlineInput & { daysBefore: number }) {
      await tellManagers(input, input.daysBefore);
    },

    async escalateLegionella(input: LegionellaDeadlineInput) {
      await tellManagers(input, null);
    },

    /**
     * A finding: the managers are told urgently (health office, cause investigation, re-sampling),
     * every active tenancy of the property is listed once (portal or letter) and each tenant with an
     * account gets one portal entry.
     */
    async informLegionellaFinding({ waterSystemId, resultId }: { waterSystemId: number; resultId: number }) {
      const facts = await systemFacts(db, waterSystemId);
      const [result] = await db.sequelize.query<{ sampledAt: string; cfu: number }>(
        `SELECT sampled_at::text AS "sampledAt", cfu_per_100ml AS cfu FROM legionella_results WHERE id = :resultId AND water_system_id = :waterSystemId`,
        { replacements: { resultId, waterSystemId }, type: QueryTypes.SELECT },
      );
      if (!result) throw new GoneError(`Laborbefund ${resultId} existiert nicht mehr`, WATER_SYSTEM_GONE);
      const tenants = await db.sequelize.query<TenantRow>(
        `SELECT t.id AS "tenancyId", t.tenant_name AS "tenantName", us.id AS "userId", us.email
           FROM tenancies t JOIN units u ON u.id = t.unit_id LEFT JOIN users us ON us.id = t.user_id
          WHERE u.property_id = :propertyId AND t.starts_on <= CURRENT_DATE AND (t.ends_on IS NULL OR t.ends_on >= CURRENT_DATE)
          ORDER BY t.id`,
        { replacements: { propertyId: facts.propertyId }, type: QueryTypes.SELECT },
      );
      if (tenants.length > 0) {
        await db.sequelize.query(
          `INSERT INTO legionella_tenant_notices (result_id, tenancy_id, channel)
           SELECT :resultId, unnest(ARRAY[:tenancyIds]::int[]), unnest(ARRAY[:channels]::text[]) ON CONFLICT DO NOTHING`,
          {
            replacements: {
              resultId,
              tenancyIds: tenants.map((t) => t.tenancyId),
              channels: tenants.map((t) => (t.userId === null ? 'brief' : 'portal')),
            },
          },
        );
      }
      const recipients: Recipient[] = tenants.flatMap((t) =>
        t.userId === null || t.email === null ? [] : [{ id: t.userId, name: t.tenantName, email: t.email }],
      );
      const when = formatDate(result.sampledAt);
      await notifyUsers(deps, {
        recipients,
        topic: 'archive',
        kind: 'legionella-finding-tenant',
        urgency: 'urgent',
        dedupeKey: `${legionellaWorkflowId(waterSystemId)}:finding-${resultId}:tenants`,
        compose: () =>
          genericNotice({
            title: 'Legionellen im Trinkwasser festgestellt',
            body: `In der Trinkwasserprobe vom ${when} (${facts.propertyName}) wurde der technische Maßnahmenwert von ${ACTION_VALUE_CFU_PER_100ML} KBE/100 ml überschritten. Das Gesundheitsamt wird informiert, die Ursache wird untersucht. Bis zur Entwarnung: Duschen Sie möglichst nicht mit warmem Wasser, lassen Sie Warmwasser vor Gebrauch einige Minuten ablaufen und vermeiden Sie das Einatmen von Wassernebel.`,
            link: '/benachrichtigungen',
            reference: `Befund ${resultId}`,
            facts: [
              { label: 'Liegenschaft', value: facts.propertyName },
              { label: 'Probenahme', value: when },
            ],
            actionLabel: 'Im Portal ansehen',
          }),
      });
      await notifyUsers(deps, {
        recipients: await managersOf(db, facts.organisationId),
        topic: 'device',
        kind: 'legionella-finding',
        urgency: 'urgent',
        dedupeKey: `${legionellaWorkflowId(waterSystemId)}:finding-${resultId}:managers`,
        compose: () =>
          genericNotice({
            title: `Legionellenbefund: ${facts.name} (${result.cfu} KBE/100 ml)`,
            body: `Melden Sie den Befund unverzüglich dem Gesundheitsamt und erfassen Sie das Meldedatum, lassen Sie die Ursache untersuchen und beauftragen Sie die Nachprobe. ${tenants.filter((t) => t.userId === null).length} Mietparteien ohne Portalzugang brauchen einen Brief (Liste unter Trinkwasser).`,
            link: TRINKWASSER_PATH,
            reference: `Befund ${resultId}`,
            facts: [
              { label: 'Liegenschaft', value: facts.propertyName },
              { label: 'Anlage', value: facts.name },
              { label: 'Probenahme', value: when },
              { label: 'Ergebnis', value: `${result.cfu} KBE/100 ml` },
            ],
            actionLabel: 'Trinkwasser im Portal öffnen',
          }),
      });
    },
  };
}
