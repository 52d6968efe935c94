import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Tenancy extends Model<InferAttributes<Tenancy>, InferCreationAttributes<Tenancy>> {
  declare id: CreationOptional<number>;
  declare unitId: number;
  declare userId: number | null;
  declare tenantName: string;
  declare startsOn: string;
  declare endsOn: string | null;
  /** Where an invitation to the portal may be sent; the account's own address may differ. */
  declare contactEmail: CreationOptional<string | null>;
}

export function initTenancy(sequelize: Sequelize) {
  Tenancy.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      unitId: { type: DataTypes.INTEGER, allowNull: false },
      userId: { type: DataTypes.INTEGER },
      tenantName: { type: DataTypes.TEXT, allowNull: false },
      startsOn: { type: DataTypes.DATEONLY, allowNull: false },
      endsOn: { type: DataTypes.DATEONLY },
      contactEmail: { type: DataTypes.TEXT },
    },
    { sequelize, tableName: 'tenancies', underscored: true },
  );
}
