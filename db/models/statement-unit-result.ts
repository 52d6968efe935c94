import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { UnitDerivation } from '../../domain/billing';
import { decimal } from './statement';

/** The engine's result for one unit, plus the landlord's CO2 share credited to it. */
export class StatementUnitResult extends Model<InferAttributes<StatementUnitResult>, InferCreationAttributes<StatementUnitResult>> {
  declare id: CreationOptional<number>;
  declare statementId: number;
  declare unitId: number;
  declare heating: number;
  declare hotWater: number;
  declare coldWater: number;
  declare cut: number;
  declare total: number;
  declare co2Credit: number;
  declare amountDue: number;
  declare derivation: UnitDerivation;
}

export function initStatementUnitResult(sequelize: Sequelize) {
  StatementUnitResult.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      statementId: { type: DataTypes.INTEGER, allowNull: false },
      unitId: { type: DataTypes.INTEGER, allowNull: false },
      heating: decimal('heating', 12, 2, { allowNull: false }),
      hotWater: decimal('hotWater', 12, 2, { allowNull: false }),
      coldWater: decimal('coldWater', 12, 2, { allowNull: false }),
      cut: decimal('cut', 12, 2, { allowNull: false }),
      total: decimal('total', 12, 2, { allowNull: false }),
      co2Credit: decimal('co2Credit', 12, 2, { allowNull: false }),
      amountDue: decimal('amountDue', 12, 2, { allowNull: false }),
      derivation: { type: DataTypes.JSONB, allowNull: false },
    },
    { sequelize, tableName: 'statement_unit_results', underscored: true, timestamps: false },
  );
}
