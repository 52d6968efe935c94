import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { ROLES, type Role } from '../../domain/roles';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare organisationId: number;
  declare email: string;
  declare name: string;
  declare role: Role;
  /** Null until the holder of a staff account or an invited tenant sets a password. */
  declare passwordHash: string | null;
  declare emailVerifiedAt: CreationOptional<Date | null>;
  declare passwordChangedAt: CreationOptional<Date | null>;
  /** The TOTP secret sealed with DOCUMENT_KEY (server/second-factor.ts); null without a second factor. */
  declare totpSecret: CreationOptional<string | null>;
  /** A secret being set up, until the first code confirms it. */
  declare totpPendingSecret: CreationOptional<string | null>;
  declare totpEnabledAt: CreationOptional<Date | null>;
  /** The last accepted TOTP time step: a code is accepted once. */
  declare totpLastStep: CreationOptional<number | null>;
  declare createdAt: CreationOptional<Date>;
}

export function initUser(sequelize: Sequelize) {
  User.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      organisationId: { type: DataTypes.INTEGER, allowNull: false },
      email: { type: DataTypes.TEXT, allowNull: false, unique: true, validate: { isEmail: true } },
      name: { type: DataTypes.TEXT, allowNull: false },
      role: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [ROLES as unknown as string[]] } },
      passwordHash: { type: DataTypes.TEXT },
      emailVerifiedAt: { type: DataTypes.DATE },
      passwordChangedAt: { type: DataTypes.DATE },
      totpSecret: { type: DataTypes.TEXT },
      totpPendingSecret: { type: DataTypes.TEXT },
      totpEnabledAt: { type: DataTypes.DATE },
      totpLastStep: { type: DataTypes.BIGINT },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'users', underscored: true },
  );
}
