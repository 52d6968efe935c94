import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { NOTIFICATION_TOPICS, type NotificationTopic } from '../../domain/notifications';

/** A user's channels for one topic. No row: both channels on. */
export class NotificationPreference extends Model<
  InferAttributes<NotificationPreference>,
  InferCreationAttributes<NotificationPreference>
> {
  declare userId: number;
  declare topic: NotificationTopic;
  declare inPortal: boolean;
  declare email: boolean;
  declare updatedAt: CreationOptional<Date>;
}

export function initNotificationPreference(sequelize: Sequelize) {
  NotificationPreference.init(
    {
      userId: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      topic: { type: DataTypes.TEXT, allowNull: false, primaryKey: true, validate: { isIn: [[...NOTIFICATION_TOPICS]] } },
      inPortal: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      email: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'notification_preferences', underscored: true, createdAt: false },
  );
}
