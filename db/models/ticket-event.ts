import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { TicketEventKind } from '../../domain/contracts/ticket';
import { caseEventColumns } from './case-event-columns';

/** One step in a ticket's history. Append-only: a trigger refuses UPDATE and DELETE. */
export class TicketEvent extends Model<InferAttributes<TicketEvent>, InferCreationAttributes<TicketEvent>> {
  declare id: CreationOptional<number>;
  declare ticketId: number;
  /** The workflow's sequence number: unique per ticket, so a retried activity writes the step once. */
  declare seq: number;
  declare kind: TicketEventKind;
  declare visibility: 'public' | 'internal';
  declare actorId: number | null;
  declare actorName: string;
  declare actorRole: string;
  declare at: Date;
  declare body: string | null;
  declare details: CreationOptional<Record<string, unknown>>;
  declare createdAt: CreationOptional<Date>;
}

export function initTicketEvent(sequelize: Sequelize) {
  TicketEvent.init(
    {
      ...caseEventColumns(),
      ticketId: { type: DataTypes.INTEGER, allowNull: false },
      visibility: { type: DataTypes.TEXT, allowNull: false },
    },
    { sequelize, tableName: 'ticket_events', underscored: true, updatedAt: false },
  );
}
