import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { NOTICE_URGENCIES, type NoticeUrgency } from '../../domain/notifications';

export class Notification extends Model<InferAttributes<Notification>, InferCreationAttributes<Notification>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare kind: string;
  declare title: string;
  declare body: string;
  declare link: string | null;
  // Activities may run twice; the key makes the second insert a no-op.
  declare dedupeKey: string;
  /** 'urgent' (escalations, breaches, expired deadlines) or 'routine'. */
  declare urgency: CreationOptional<NoticeUrgency>;
  /** The property the notice is about (inbox groups and filters); null for notices about none. */
  declare propertyId: CreationOptional<number | null>;
  /** Routine notice of a user with a digest rhythm: mailed with the next digest, not on its own. */
  declare digestPending: CreationOptional<boolean>;
  /** The digest mail (its dedupe key) that included this notice; null until one did. */
  declare digestKey: CreationOptional<string | null>;
  declare readAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
}

export function initNotification(sequelize: Sequelize) {
  Notification.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      kind: { type: DataTypes.TEXT, allowNull: false },
      title: { type: DataTypes.TEXT, allowNull: false },
      body: { type: DataTypes.TEXT, allowNull: false },
      link: { type: DataTypes.TEXT },
      dedupeKey: { type: DataTypes.TEXT, allowNull: false },
      urgency: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'routine', validate: { isIn: [[...NOTICE_URGENCIES]] } },
      propertyId: { type: DataTypes.INTEGER },
      digestPending: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      digestKey: { type: DataTypes.TEXT },
      readAt: { type: DataTypes.DATE },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'notifications', underscored: true, updatedAt: false },
  );
}
