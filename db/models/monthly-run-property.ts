import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A run's progress in one property: units done of units total (only ever grows). */
export class MonthlyRunProperty extends Model<InferAttributes<MonthlyRunProperty>, InferCreationAttributes<MonthlyRunProperty>> {
  declare runId: number;
  declare propertyId: number;
  declare unitsTotal: number;
  declare unitsDone: CreationOptional<number>;
  declare finishedAt: CreationOptional<Date | null>;
}

export function initMonthlyRunProperty(sequelize: Sequelize) {
  MonthlyRunProperty.init(
    {
      runId: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      propertyId: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      unitsTotal: { type: DataTypes.INTEGER, allowNull: false },
      unitsDone: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      finishedAt: { type: DataTypes.DATE },
    },
    { sequelize, tableName: 'monthly_run_properties', underscored: true, timestamps: false },
  );
}
