import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Organisation extends Model<InferAttributes<Organisation>, InferCreationAttributes<Organisation>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare reminderDays: CreationOptional<number[]>;
  declare hkvLifetimeYears: CreationOptional<number>;
  /** Days before a calibration or replacement deadline the unit's tenant is offered the exchange. */
  declare deviceExchangeLeadDays: CreationOptional<number>;
}

export function initOrganisation(sequelize: Sequelize) {
  Organisation.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      name: { type: DataTypes.TEXT, allowNull: false, validate: { notEmpty: true } },
      reminderDays: { type: DataTypes.ARRAY(DataTypes.INTEGER), allowNull: false, defaultValue: [90, 30, 7] },
      hkvLifetimeYears: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 10 },
      deviceExchangeLeadDays: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 60 },
    },
    { sequelize, tableName: 'organisations', underscored: true },
  );
}
