import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { type MonthlyDeliveryEventKind } from '../../domain/monthly';

/** Proof that an information was provided (with the hash of what was published) or opened; append-only, hash-chained. */
export class MonthlyDeliveryEvent extends Model<InferAttributes<MonthlyDeliveryEvent>, InferCreationAttributes<MonthlyDeliveryEvent>> {
  declare id: CreationOptional<number>;
  declare informationId: number;
  declare kind: MonthlyDeliveryEventKind;
  declare userId: number | null;
  declare contentSha256: string;
  declare at: Date;
  declare details: Record<string, unknown>;
  declare prevHash: string;
  declare hash: string;
}

export function initMonthlyDeliveryEvent(sequelize: Sequelize) {
  MonthlyDeliveryEvent.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      informationId: { type: DataTypes.BIGINT, allowNull: false },
      kind: { type: DataTypes.TEXT, allowNull: false },
      userId: { type: DataTypes.INTEGER },
      contentSha256: { type: DataTypes.TEXT, allowNull: false },
      at: { type: DataTypes.DATE, allowNull: false },
      details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      prevHash: { type: DataTypes.TEXT, allowNull: false },
      hash: { type: DataTypes.TEXT, allowNull: false, unique: true },
    },
    { sequelize, tableName: 'monthly_delivery_events', underscored: true, timestamps: false },
  );
}
