import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class Mail extends Model<InferAttributes<Mail>, InferCreationAttributes<Mail>> {
  declare id: CreationOptional<number>;
  declare dedupeKey: string;
  declare toAddress: string;
  declare subject: string;
  declare textBody: string;
  declare htmlBody: string | null;
  declare transport: 'smtp' | 'sink';
  declare sentAt: Date | null;
  declare createdAt: CreationOptional<Date>;
}

export function initMail(sequelize: Sequelize) {
  Mail.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      dedupeKey: { type: DataTypes.TEXT, allowNull: false, unique: true },
      toAddress: { type: DataTypes.TEXT, allowNull: false },
      subject: { type: DataTypes.TEXT, allowNull: false },
      textBody: { type: DataTypes.TEXT, allowNull: false },
      htmlBody: { type: DataTypes.TEXT },
      transport: { type: DataTypes.TEXT, allowNull: false },
      sentAt: { type: DataTypes.DATE },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'mails', underscored: true, updatedAt: false },
  );
}
