import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { TICKET_CATEGORIES, TICKET_PRIORITIES, type SlaClock, type TicketCategory, type TicketPriority } from '../../domain/sla';
import type { TicketTopic } from '../../domain/ticket-triage';
import type { TicketStatus } from '../../domain/contracts/ticket';

/** A ticket (Vorgang) as the workflow `ticket-<id>` last recorded it; see migration 0004. */
export class Ticket extends Model<InferAttributes<Ticket>, InferCreationAttributes<Ticket>> {
  declare id: CreationOptional<number>;
  declare organisationId: number;
  declare propertyId: number;
  declare unitId: number | null;
  declare createdBy: number;
  declare topic: TicketTopic;
  declare subject: string;
  declare body: string;
  declare category: TicketCategory;
  declare priority: TicketPriority;
  declare triageReasons: CreationOptional<string[]>;
  declare linkedKind: 'statement' | null;
  declare linkedId: number | null;
  declare linkedVersion: number | null;
  declare status: TicketStatus;
  declare assigneeId: CreationOptional<number | null>;
  declare round: CreationOptional<number>;
  declare slaClock: SlaClock;
  declare reactionDueAt: Date | null;
  declare resolutionDueAt: Date | null;
  declare reactionRemainingMs: CreationOptional<number | null>;
  declare resolutionRemainingMs: CreationOptional<number | null>;
  declare slaPausedAt: CreationOptional<Date | null>;
  declare reactedAt: CreationOptional<Date | null>;
  declare resolvedAt: CreationOptional<Date | null>;
  declare closedAt: CreationOptional<Date | null>;
  declare reactionBreachedAt: CreationOptional<Date | null>;
  declare resolutionBreachedAt: CreationOptional<Date | null>;
  declare eventSeq: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initTicket(sequelize: Sequelize) {
  Ticket.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      organisationId: { type: DataTypes.INTEGER, allowNull: false },
      propertyId: { type: DataTypes.INTEGER, allowNull: false },
      unitId: { type: DataTypes.INTEGER },
      createdBy: { type: DataTypes.INTEGER, allowNull: false },
      topic: { type: DataTypes.TEXT, allowNull: false },
      subject: { type: DataTypes.TEXT, allowNull: false, validate: { len: [1, 200] } },
      body: { type: DataTypes.TEXT, allowNull: false, validate: { len: [1, 10_000] } },
      category: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [[...TICKET_CATEGORIES]] } },
      priority: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [[...TICKET_PRIORITIES]] } },
      triageReasons: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
      linkedKind: { type: DataTypes.TEXT },
      linkedId: { type: DataTypes.INTEGER },
      linkedVersion: { type: DataTypes.INTEGER },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'open' },
      assigneeId: { type: DataTypes.INTEGER },
      round: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      slaClock: { type: DataTypes.TEXT, allowNull: false },
      reactionDueAt: { type: DataTypes.DATE },
      resolutionDueAt: { type: DataTypes.DATE },
      reactionRemainingMs: { type: DataTypes.BIGINT },
      resolutionRemainingMs: { type: DataTypes.BIGINT },
      slaPausedAt: { type: DataTypes.DATE },
      reactedAt: { type: DataTypes.DATE },
      resolvedAt: { type: DataTypes.DATE },
      closedAt: { type: DataTypes.DATE },
      reactionBreachedAt: { type: DataTypes.DATE },
      resolutionBreachedAt: { type: DataTypes.DATE },
      eventSeq: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'tickets', underscored: true },
  );
}
