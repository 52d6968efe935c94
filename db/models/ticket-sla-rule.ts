import { Model, DataTypes, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { TICKET_CATEGORIES, TICKET_PRIORITIES, type TicketCategory, type TicketPriority } from '../../domain/sla';

/** One cell of an organisation's SLA matrix that differs from the defaults in domain/sla.ts. */
export class TicketSlaRule extends Model<InferAttributes<TicketSlaRule>, InferCreationAttributes<TicketSlaRule>> {
  declare organisationId: number;
  declare category: TicketCategory;
  declare priority: TicketPriority;
  declare reactionSeconds: number;
  declare resolutionSeconds: number;
  declare businessHours: boolean;
}

export function initTicketSlaRule(sequelize: Sequelize) {
  TicketSlaRule.init(
    {
      organisationId: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      category: { type: DataTypes.TEXT, allowNull: false, primaryKey: true, validate: { isIn: [[...TICKET_CATEGORIES]] } },
      priority: { type: DataTypes.TEXT, allowNull: false, primaryKey: true, validate: { isIn: [[...TICKET_PRIORITIES]] } },
      reactionSeconds: { type: DataTypes.INTEGER, allowNull: false, validate: { min: 1 } },
      resolutionSeconds: { type: DataTypes.INTEGER, allowNull: false, validate: { min: 1 } },
      businessHours: { type: DataTypes.BOOLEAN, allowNull: false },
    },
    { sequelize, tableName: 'ticket_sla_rules', underscored: true },
  );
}
