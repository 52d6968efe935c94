import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { MonthlyInformationContent } from '../../domain/monthly';
import { decimal } from './statement';
import { type MonthlyDelivery } from '../../domain/monthly';

/** The published monthly consumption information of one unit and month (HKVO §6a). */
export class MonthlyInformation extends Model<InferAttributes<MonthlyInformation>, InferCreationAttributes<MonthlyInformation>> {
  declare id: CreationOptional<number>;
  /** First day of the month, YYYY-MM-01. */
  declare month: string;
  declare unitId: number;
  declare propertyId: number;
  declare tenancyId: number | null;
  declare recipientId: number | null;
  declare delivery: MonthlyDelivery;
  declare totalKwh: number | null;
  declare heatingKwh: number | null;
  declare hotWaterKwh: number | null;
  declare changePreviousMonth: number | null;
  declare changePreviousYear: number | null;
  declare changePeers: number | null;
  declare estimated: boolean;
  declare devicesOk: boolean;
  declare remoteReadable: boolean;
  declare content: MonthlyInformationContent;
  declare contentSha256: string;
  declare runId: number | null;
  declare publishedAt: CreationOptional<Date>;
  declare revisedAt: CreationOptional<Date | null>;
  declare notifiedAt: CreationOptional<Date | null>;
  declare mailedAt: CreationOptional<Date | null>;
  declare openedAt: CreationOptional<Date | null>;
}

export function initMonthlyInformation(sequelize: Sequelize) {
  MonthlyInformation.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      month: { type: DataTypes.DATEONLY, allowNull: false },
      unitId: { type: DataTypes.INTEGER, allowNull: false },
      propertyId: { type: DataTypes.INTEGER, allowNull: false },
      tenancyId: { type: DataTypes.INTEGER },
      recipientId: { type: DataTypes.INTEGER },
      delivery: { type: DataTypes.TEXT, allowNull: false },
      totalKwh: decimal('totalKwh', 14, 2),
      heatingKwh: decimal('heatingKwh', 14, 2),
      hotWaterKwh: decimal('hotWaterKwh', 14, 2),
      changePreviousMonth: decimal('changePreviousMonth', 10, 2),
      changePreviousYear: decimal('changePreviousYear', 10, 2),
      changePeers: decimal('changePeers', 10, 2),
      estimated: { type: DataTypes.BOOLEAN, allowNull: false },
      devicesOk: { type: DataTypes.BOOLEAN, allowNull: false },
      remoteReadable: { type: DataTypes.BOOLEAN, allowNull: false },
      content: { type: DataTypes.JSONB, allowNull: false },
      contentSha256: { type: DataTypes.TEXT, allowNull: false },
      runId: { type: DataTypes.INTEGER },
      publishedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      revisedAt: { type: DataTypes.DATE },
      notifiedAt: { type: DataTypes.DATE },
      mailedAt: { type: DataTypes.DATE },
      openedAt: { type: DataTypes.DATE },
    },
    { sequelize, tableName: 'monthly_information', underscored: true, timestamps: false },
  );
}
