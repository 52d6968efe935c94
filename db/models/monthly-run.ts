import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type MonthlyRunStatus = 'running' | 'completed' | 'failed';

/** One execution of the monthly workflow: the projection its activities keep for the managers' pages. */
export class MonthlyRun extends Model<InferAttributes<MonthlyRun>, InferCreationAttributes<MonthlyRun>> {
  declare id: CreationOptional<number>;
  /** First day of the month, YYYY-MM-01. */
  declare month: string;
  declare workflowId: string;
  declare status: CreationOptional<MonthlyRunStatus>;
  declare propertiesTotal: CreationOptional<number>;
  declare unitsTotal: CreationOptional<number>;
  declare startedAt: CreationOptional<Date>;
  declare finishedAt: CreationOptional<Date | null>;
  declare summary: CreationOptional<Record<string, unknown>>;
}

export function initMonthlyRun(sequelize: Sequelize) {
  MonthlyRun.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      month: { type: DataTypes.DATEONLY, allowNull: false },
      workflowId: { type: DataTypes.TEXT, allowNull: false, unique: true },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'running' },
      propertiesTotal: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      unitsTotal: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      startedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      finishedAt: { type: DataTypes.DATE },
      summary: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
    },
    { sequelize, tableName: 'monthly_runs', underscored: true, timestamps: false },
  );
}
