import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Session extends Model<InferAttributes<Session>, InferCreationAttributes<Session>> {
  declare id: string;
  declare userId: number;
  declare expiresAt: Date;
  declare ip: string | null;
  declare userAgent: string | null;
  declare createdAt: CreationOptional<Date>;
}

export function initSession(sequelize: Sequelize) {
  Session.init(
    {
      id: { type: DataTypes.TEXT, primaryKey: true },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      ip: { type: DataTypes.TEXT },
      userAgent: { type: DataTypes.TEXT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'sessions', underscored: true, updatedAt: false },
  );
}
