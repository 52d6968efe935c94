import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** Between a correct password and the second factor: keyed by the SHA-256 of the cookie's token. */
export class LoginChallenge extends Model<InferAttributes<LoginChallenge>, InferCreationAttributes<LoginChallenge>> {
  declare id: string;
  declare userId: number;
  declare ip: string | null;
  declare userAgent: string | null;
  declare failedAttempts: CreationOptional<number>;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
}

export function initLoginChallenge(sequelize: Sequelize) {
  LoginChallenge.init(
    {
      id: { type: DataTypes.TEXT, primaryKey: true },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      ip: { type: DataTypes.TEXT },
      userAgent: { type: DataTypes.TEXT },
      failedAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'login_challenges', underscored: true, updatedAt: false },
  );
}
