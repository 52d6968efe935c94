import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { decimal } from './statement';
import { COST_KINDS, type CostKind } from '../../domain/billing/statement';

/** A fuel delivery or invoice, or a §7(2) operating cost item, as entered for a statement. */
export class StatementCost extends Model<InferAttributes<StatementCost>, InferCreationAttributes<StatementCost>> {
  declare id: CreationOptional<number>;
  declare statementId: number;
  declare position: number;
  declare kind: CostKind;
  declare category: string;
  declare description: string | null;
  declare invoiceDate: string | null;
  declare amount: number;
  declare taxesAndLevies: number | null;
  declare kwh: number | null;
  declare litres: number | null;
}

export function initStatementCost(sequelize: Sequelize) {
  StatementCost.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      statementId: { type: DataTypes.INTEGER, allowNull: false },
      position: { type: DataTypes.INTEGER, allowNull: false },
      kind: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [COST_KINDS as unknown as string[]] } },
      category: { type: DataTypes.TEXT, allowNull: false },
      description: { type: DataTypes.TEXT },
      invoiceDate: { type: DataTypes.DATEONLY },
      amount: decimal('amount', 12, 2, { allowNull: false }),
      taxesAndLevies: decimal('taxesAndLevies', 12, 2),
      kwh: decimal('kwh', 14, 3),
      litres: decimal('litres', 14, 3),
    },
    { sequelize, tableName: 'statement_costs', underscored: true, timestamps: false },
  );
}
