// The side effects of the late-objection workflow (docs/decisions/0012): in one transaction the
// `objection_accepted_late` event in the recipient's chain (actor, server time, IP, reason), the
// acceptance's row, the objection's ticket (handled like a timely one) and the audit entry. The
// signed head goes back to the workflow, whose history anchors it as the version's does.
import { QueryTypes } from 'sequelize';
import type { Client } from '@temporalio/client';
import type { Db } from '../db';
import { appendAudit } from '../db/audit';
import { appendProofEvent } from '../db/proof';
import { STATEMENT_GONE } from '../domain/contracts/statement';
import { lateObjectionWorkflowId, type LateObjectionInput, type LateObjectionResult } from '../domain/contracts/late-objection';
import type { SignedHeadRow } from '../db/heads';
import { formatDate } from '../domain/format';
import { objectionTicketSubject } from '../domain/statement-format';
import { GoneError } from './errors';
import { openTicket } from './tickets';

interface RecipientRow {
  unitId: number;
  unitLabel: string;
  propertyId: number;
  organisationId: number;
  documentNumber: string;
  objectionDeadline: string;
  documentSha256: string | null;
}

interface StoredAcceptance {
  id: number;
  ticketId: number | null;
}

export function createLateObjectionObligation(deps: { db: Db }) {
  const { db } = deps;
  return {
    /**
     * Records the acceptance once: a retry (or a second run of the workflow) finds the event by its
     * key and the row by its recipient, and returns what the first attempt recorded.
     */
    async recordLateObjection(
      input: LateObjectionInput,
      temporal: { client: Client; taskQueue: string },
    ): Promise<LateObjectionResult & { head: SignedHeadRow | null }> {
      return db.sequelize.transaction(async (transaction) => {
        const [recipient] = await db.sequelize.query<RecipientRow>(
          `SELECT r.unit_id AS "unitId", u.label AS "unitLabel", p.id AS "propertyId", p.organisation_id AS "organisationId",
                  s.document_number AS "documentNumber", r.objection_deadline::text AS "objectionDeadline",
                  (SELECT e.document_sha256 FROM statement_proof_events e
                    WHERE e.statement_id = r.statement_id AND e.version = r.version AND e.step = 'delivered'
                      AND e.details->>'occupancyId' = r.occupancy_id::text LIMIT 1) AS "documentSha256"
             FROM statement_recipients r JOIN statements s ON s.id = r.statement_id JOIN properties p ON p.id = s.property_id
             JOIN units u ON u.id = r.unit_id
            WHERE r.statement_id = :statementId AND r.version = :version AND r.occupancy_id = :occupancyId FOR UPDATE OF r`,
          { replacements: { ...input }, type: QueryTypes.SELECT, transaction },
        );
        if (!recipient?.documentSha256)
          throw new GoneError(`recipient ${input.occupancyId} of statement ${input.statementId} v${input.version} gone`, STATEMENT_GONE);
        const { event, head } = await appendProofEvent(
          db,
          {
            statementId: input.statementId,
            version: input.version,
            step: 'objection_accepted_late',
            idempotencyKey: `late-objection-${input.occupancyId}`,
            actor: input.actor,
            ip: input.ip,
            documentSha256: recipient.documentSha256,
            details: {
              occupancyId: input.occupancyId,
              unitId: recipient.unitId,
              receivedOn: input.receivedOn,
              objectionDeadline: recipient.objectionDeadline,
              positions: input.positions,
              reason: input.reason,
            },
          },
          transaction,
        );
        const [stored] = await db.sequelize.query<StoredAcceptance>(
          'SELECT id, ticket_id AS "ticketId" FROM statement_late_objections WHERE occupancy_id = :occupancyId',
          { replacements: { occupancyId: input.occupancyId }, type: QueryTypes.SELECT, transaction },
        );
        if (stored) return { lateObjectionId: stored.id, seq: event.seq, ticketId: stored.ticketId ?? 0, head };

        // Handled like a timely objection: a case for the managers, linked to the version; the tenant's
        // own request from the portal has its case already, which the acceptance continues.
        const [requested] = await db.sequelize.query<{ ticketId: number }>(
          'SELECT ticket_id AS "ticketId" FROM statement_late_objection_requests WHERE occupancy_id = :occupancyId',
          { replacements: { occupancyId: input.occupancyId }, type: QueryTypes.SELECT, transaction },
        );
        const { ticketId } =
          requested ??
          (await openTicket(
            {
              organisationId: recipient.organisationId,
              propertyId: recipient.propertyId,
              unitId: recipient.unitId,
              createdBy: input.actor.userId,
              category: 'statement_objection',
              topic: 'statement_objection',
              subject: objectionTicketSubject(
                {
                  documentNumber: recipient.documentNumber,
                  version: input.version,
                },
                recipient.unitLabel,
                'verspätet, angenommen',
              ),
              body:
                `Eingegangen am ${formatDate(input.receivedOn)}, nach der Einspruchsfrist (bis ${formatDate(recipient.objectionDeadline)}); ` +
                `von der Verwaltung angenommen (§556 Abs. 3 Satz 6 BGB). ${input.reason}\n\n` +
                `Beanstandete Positionen: ${input.positions.join(', ')}\n\n${input.objection}`,
              linked: { kind: 'statement', id: input.statementId, version: input.version },
            },
            { db, client: temporal.client, taskQueue: temporal.taskQueue, transaction },
          ));
        const [created] = await db.sequelize.query<{ id: number }>(
          `INSERT INTO statement_late_objections (occupancy_id, statement_id, version, unit_id, workflow_id, received_on, positions,
                  objection, reason, accepted_by, accepted_at, proof_seq, ticket_id)
           VALUES (:occupancyId, :statementId, :version, :unitId, :workflowId, :receivedOn, ARRAY[:positions]::text[],
                  :objection, :reason, :acceptedBy, :acceptedAt, :seq, :ticketId)
           RETURNING id`,
          {
            replacements: {
              ...input,
              unitId: recipient.unitId,
              workflowId: lateObjectionWorkflowId(input.statementId, input.version, input.occupancyId),
              acceptedBy: input.actor.userId,
              acceptedAt: event.at,
              seq: event.seq,
              ticketId,
            },
            type: QueryTypes.SELECT,
            transaction,
          },
        );
        // The recipient shows "Einspruch" on the statement page, as after a timely one.
        await db.sequelize.query('UPDATE statement_recipients SET objections = objections + 1 WHERE occupancy_id = :occupancyId', {
          replacements: { occupancyId: input.occupancyId },
          transaction,
        });
        await appendAudit(
          db,
          {
            organisationId: recipient.organisationId,
            actorId: input.actor.userId,
            actor: input.actor.name,
            action: 'statement_late_objection_accepted',
            entity: 'statement',
            entityId: input.statementId,
            ip: input.ip,
            details: {
              version: input.version,
              occupancyId: input.occupancyId,
              receivedOn: input.receivedOn,
              objectionDeadline: recipient.objectionDeadline,
              positions: input.positions,
              reason: input.reason,
              ticketId,
              proofSeq: event.seq,
            },
          },
          transaction,
        );
        return { lateObjectionId: created!.id, seq: event.seq, ticketId, head };
      });
    },
  };
}
