import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { TokenPurpose } from '../../domain/accounts';

/**
 * A one-time secret: an invitation link, a letter's activation code, a set-up, reset or
 * verification link. Only its SHA-256 is stored; it is used once, expires, and can be revoked.
 */
export class AccountToken extends Model<InferAttributes<AccountToken>, InferCreationAttributes<AccountToken>> {
  declare id: CreationOptional<number>;
  declare purpose: TokenPurpose;
  declare secretHash: string;
  declare organisationId: number;
  declare userId: number | null;
  declare tenancyId: number | null;
  /** Invitation: where it was sent; verify-email: the address to be confirmed. */
  declare email: string | null;
  declare createdBy: number | null;
  declare createdAt: CreationOptional<Date>;
  declare expiresAt: Date;
  declare usedAt: CreationOptional<Date | null>;
  declare revokedAt: CreationOptional<Date | null>;
  declare failedAttempts: CreationOptional<number>;
}

export function initAccountToken(sequelize: Sequelize) {
  AccountToken.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      purpose: { type: DataTypes.TEXT, allowNull: false },
      secretHash: { type: DataTypes.TEXT, allowNull: false, unique: true },
      organisationId: { type: DataTypes.INTEGER, allowNull: false },
      userId: { type: DataTypes.INTEGER },
      tenancyId: { type: DataTypes.INTEGER },
      email: { type: DataTypes.TEXT },
      createdBy: { type: DataTypes.INTEGER },
      createdAt: DataTypes.DATE,
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      usedAt: { type: DataTypes.DATE },
      revokedAt: { type: DataTypes.DATE },
      failedAttempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    },
    { sequelize, tableName: 'account_tokens', underscored: true, updatedAt: false },
  );
}
