import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { CostType, CutInput } from '../../domain/billing';
import { decimal } from './statement';
import type { AppliedCut, DeviceConsumption, PerCostType, SubstituteValue } from '../../domain/billing/statement';

/** A unit's keys as billed: area, consumptions (substitute values marked), readings, previous period. */
export class StatementKey extends Model<InferAttributes<StatementKey>, InferCreationAttributes<StatementKey>> {
  declare id: CreationOptional<number>;
  declare statementId: number;
  declare unitId: number;
  declare position: number;
  declare unitLabel: string;
  declare unitFloor: string | null;
  declare areaM2: number;
  declare heating: number;
  declare hotWater: number;
  declare coldWater: number;
  /** 'HKV-Einheiten' or 'kWh': what the heating consumption counts. */
  declare heatingUnit: string;
  declare estimated: CostType[];
  /** §9a: how each substitute value was found. */
  declare substitutes: Partial<PerCostType<SubstituteValue>>;
  declare cuts: CutInput[];
  /** Every cut in the unit's amounts with its explanation (empty in statements before migration 0220). */
  declare cutDetails: AppliedCut[];
  declare previousConsumption: Partial<PerCostType<number | null>>;
  declare readings: DeviceConsumption[];
}

export function initStatementKey(sequelize: Sequelize) {
  StatementKey.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      statementId: { type: DataTypes.INTEGER, allowNull: false },
      unitId: { type: DataTypes.INTEGER, allowNull: false },
      position: { type: DataTypes.INTEGER, allowNull: false },
      unitLabel: { type: DataTypes.TEXT, allowNull: false },
      unitFloor: { type: DataTypes.TEXT },
      areaM2: decimal('areaM2', 8, 2, { allowNull: false }),
      heating: decimal('heating', 14, 3, { allowNull: false }),
      hotWater: decimal('hotWater', 14, 3, { allowNull: false }),
      coldWater: decimal('coldWater', 14, 3, { allowNull: false }),
      heatingUnit: { type: DataTypes.TEXT, allowNull: false },
      estimated: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
      substitutes: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      cuts: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
      cutDetails: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      previousConsumption: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      readings: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
    },
    { sequelize, tableName: 'statement_keys', underscored: true, timestamps: false },
  );
}
