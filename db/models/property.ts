import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Property extends Model<InferAttributes<Property>, InferCreationAttributes<Property>> {
  declare id: CreationOptional<number>;
  declare organisationId: number;
  declare name: string;
  declare street: string;
  declare postalCode: string;
  declare city: string;
  declare federalState: CreationOptional<string>;
  declare ownerId: number | null;
  declare technicianId: number | null;
}

export function initProperty(sequelize: Sequelize) {
  Property.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      organisationId: { type: DataTypes.INTEGER, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: false },
      street: { type: DataTypes.TEXT, allowNull: false },
      postalCode: { type: DataTypes.TEXT, allowNull: false },
      city: { type: DataTypes.TEXT, allowNull: false },
      federalState: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'BE' },
      ownerId: { type: DataTypes.INTEGER },
      technicianId: { type: DataTypes.INTEGER },
    },
    { sequelize, tableName: 'properties', underscored: true },
  );
}
