import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Unit extends Model<InferAttributes<Unit>, InferCreationAttributes<Unit>> {
  declare id: CreationOptional<number>;
  declare propertyId: number;
  declare label: string;
  declare floor: string | null;
  declare areaM2: number;
}

export function initUnit(sequelize: Sequelize) {
  Unit.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      propertyId: { type: DataTypes.INTEGER, allowNull: false },
      label: { type: DataTypes.TEXT, allowNull: false },
      floor: { type: DataTypes.TEXT },
      // NUMERIC comes back from pg as a string; the getter keeps the model's type honest.
      areaM2: {
        type: DataTypes.DECIMAL(8, 2),
        allowNull: false,
        get() {
          return Number(this.getDataValue('areaM2'));
        },
      },
    },
    { sequelize, tableName: 'units', underscored: true },
  );
}
