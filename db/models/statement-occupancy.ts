import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { CostType, OccupancyDerivation } from '../../domain/billing';
import { decimal } from './statement';
import type { AppliedCut } from '../../domain/billing/statement';

/** A tenancy or vacancy within the billing period (§9b) with its consumption and amounts. */
export class StatementOccupancy extends Model<InferAttributes<StatementOccupancy>, InferCreationAttributes<StatementOccupancy>> {
  declare id: CreationOptional<number>;
  declare statementId: number;
  declare unitId: number;
  declare occupancyKey: string;
  declare position: number;
  declare tenancyId: number | null;
  declare tenantName: string | null;
  declare dateFrom: string;
  declare dateTo: string;
  declare heating: number;
  declare hotWater: number;
  declare coldWater: number;
  /** §9b(3): cost types split by the fixed keys alone because no usable intermediate reading exists. */
  declare fixedKeysOnly: CostType[];
  declare cutDetails: AppliedCut[];
  declare heatingAmount: number;
  declare hotWaterAmount: number;
  declare coldWaterAmount: number;
  declare cut: number;
  declare total: number;
  declare co2Credit: number;
  declare amountDue: number;
  /** Null when the unit had a single occupancy (it then is the unit). */
  declare derivation: OccupancyDerivation | null;
}

export function initStatementOccupancy(sequelize: Sequelize) {
  StatementOccupancy.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      statementId: { type: DataTypes.INTEGER, allowNull: false },
      unitId: { type: DataTypes.INTEGER, allowNull: false },
      occupancyKey: { type: DataTypes.TEXT, allowNull: false },
      position: { type: DataTypes.INTEGER, allowNull: false },
      tenancyId: { type: DataTypes.INTEGER },
      tenantName: { type: DataTypes.TEXT },
      dateFrom: { type: DataTypes.DATEONLY, allowNull: false },
      dateTo: { type: DataTypes.DATEONLY, allowNull: false },
      heating: decimal('heating', 14, 3, { allowNull: false }),
      hotWater: decimal('hotWater', 14, 3, { allowNull: false }),
      coldWater: decimal('coldWater', 14, 3, { allowNull: false }),
      fixedKeysOnly: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
      cutDetails: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      heatingAmount: decimal('heatingAmount', 12, 2, { allowNull: false }),
      hotWaterAmount: decimal('hotWaterAmount', 12, 2, { allowNull: false }),
      coldWaterAmount: decimal('coldWaterAmount', 12, 2, { allowNull: false }),
      cut: decimal('cut', 12, 2, { allowNull: false }),
      total: decimal('total', 12, 2, { allowNull: false }),
      co2Credit: decimal('co2Credit', 12, 2, { allowNull: false }),
      amountDue: decimal('amountDue', 12, 2, { allowNull: false }),
      derivation: { type: DataTypes.JSONB },
    },
    { sequelize, tableName: 'statement_occupancies', underscored: true, timestamps: false },
  );
}
