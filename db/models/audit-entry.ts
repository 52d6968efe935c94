import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class AuditEntry extends Model<InferAttributes<AuditEntry>, InferCreationAttributes<AuditEntry>> {
  declare id: CreationOptional<number>;
  declare at: CreationOptional<Date>;
  declare organisationId: number | null;
  declare actorId: number | null;
  declare actor: string;
  declare action: string;
  declare entity: string;
  declare entityId: string | null;
  declare ip: string | null;
  declare details: Record<string, unknown>;
  declare prevHash: string;
  declare hash: string;
}

export function initAuditEntry(sequelize: Sequelize) {
  AuditEntry.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      organisationId: { type: DataTypes.INTEGER },
      actorId: { type: DataTypes.INTEGER },
      actor: { type: DataTypes.TEXT, allowNull: false },
      action: { type: DataTypes.TEXT, allowNull: false },
      entity: { type: DataTypes.TEXT, allowNull: false },
      entityId: { type: DataTypes.TEXT },
      ip: { type: DataTypes.TEXT },
      details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      prevHash: { type: DataTypes.TEXT, allowNull: false },
      hash: { type: DataTypes.TEXT, allowNull: false, unique: true },
    },
    { sequelize, tableName: 'audit_log', underscored: true, timestamps: false },
  );
}
