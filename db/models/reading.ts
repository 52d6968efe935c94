import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export type ReadingSource = 'radio' | 'manual' | 'import' | 'estimate';

export class Reading extends Model<InferAttributes<Reading>, InferCreationAttributes<Reading>> {
  declare id: CreationOptional<number>;
  declare deviceId: number;
  declare readAt: Date;
  declare value: number;
  declare unit: string;
  declare setDateValue: number | null;
  declare source: CreationOptional<ReadingSource>;
  declare createdAt: CreationOptional<Date>;
}

const numeric = (field: 'value' | 'setDateValue') => ({
  type: DataTypes.DECIMAL(14, 3),
  get(this: Reading) {
    const raw = this.getDataValue(field);
    return raw === null || raw === undefined ? null : Number(raw);
  },
});

export function initReading(sequelize: Sequelize) {
  Reading.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      deviceId: { type: DataTypes.INTEGER, allowNull: false },
      readAt: { type: DataTypes.DATE, allowNull: false },
      value: { ...numeric('value'), allowNull: false },
      unit: { type: DataTypes.TEXT, allowNull: false },
      setDateValue: numeric('setDateValue'),
      source: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'radio' },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'readings', underscored: true, updatedAt: false },
  );
}
