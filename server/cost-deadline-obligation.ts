// Side effects of the cost-data deadline workflow (workflows/cost-deadline.ts): whether a statement
// for the period is saved already, and the reminders and the escalation to the managers.
import { QueryTypes } from 'sequelize';
import { PROPERTY_GONE, costDeadlineWorkflowId, type CostDeadlineInput } from '../domain/contracts/cost-deadline';
import { formatDate } from '../domain/format';
import { formatPeriod } from '../domain/statement-format';
import { GoneError } from './errors';
import { genericNotice, managersOf, notifyUsers, type NotifyDeps } from './notifications';

export type CostDeadlineNoticeInput = CostDeadlineInput & { dedupeKey: string };

export function createCostDeadlineObligation(deps: NotifyDeps) {
  const { db } = deps;

  async function property(propertyId: number) {
    const [row] = await db.sequelize.query<{ organisationId: number; name: string }>(
      `SELECT organisation_id AS "organisationId", name FROM properties WHERE id = :propertyId`,
      { replacements: { propertyId }, type: QueryTypes.SELECT },
    );
    if (!row) throw new GoneError(`Liegenschaft ${propertyId} existiert nicht mehr`, PROPERTY_GONE);
    return row;
  }

  async function tellManagers(input: CostDeadlineNoticeInput, daysBefore: number | null) {
    const facts = await property(input.propertyId);
    const period = formatPeriod(input.periodStart, input.periodEnd);
    const title =
      daysBefore === null
        ? `Frist überschritten: Kosten ${period}, ${facts.name}`
        : `Erinnerung: Kosten ${period}, ${facts.name}, fällig in ${daysBefore} Tagen`;
    await notifyUsers(deps, {
      recipients: await managersOf(db, facts.organisationId),
      topic: 'statement',
      kind: daysBefore === null ? 'cost-deadline-escalation' : 'cost-deadline-reminder',
      urgency: daysBefore === null ? 'urgent' : 'routine',
      dedupeKey: input.dedupeKey,
      compose: () =>
        genericNotice({
          title,
          body: `Die Kosten des Abrechnungszeitraums ${period} für „${facts.name}“ sind bis ${formatDate(input.dueAt)} zu erfassen, damit die Abrechnung alle Mietparteien innerhalb der Frist nach § 556 Abs. 3 BGB erreicht.`,
          link: '/abrechnungen/neu',
          reference: costDeadlineWorkflowId(input.propertyId, input.periodEnd),
          facts: [
            { label: 'Liegenschaft', value: facts.name },
            { label: 'Zeitraum', value: period },
            { label: 'Fällig am', value: formatDate(input.dueAt) },
          ],
          actionLabel: 'Abrechnungen im Portal öffnen',
        }),
    });
  }

  return {
    /** The id of a statement saved for the property and period, or null. */
    async findCostDataStatement({ propertyId, periodEnd }: { propertyId: number; periodEnd: string }): Promise<number | null> {
      await property(propertyId);
      const [row] = await db.sequelize.query<{ id: number }>(
        `SELECT id FROM statements WHERE property_id = :propertyId AND period_end = :periodEnd ORDER BY version LIMIT 1`,
        { replacements: { propertyId, periodEnd }, type: QueryTypes.SELECT },
      );
      return row?.id ?? null;
    },

    async sendCostDeadlineReminder(input: CostDeadlineNoticeInput & { daysBefore: number }) {
      await tellManagers(input, input.daysBefore);
    },

    async escalateCostDeadline(input: CostDeadlineNoticeInput) {
      await tellManagers(input, null);
    },
  };
}
