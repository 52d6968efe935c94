import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { decimal } from './statement';

/** A property's kWh conversion for the monthly information (defaults in domain/monthly.ts when absent). */
export class MonthlyPropertySetting extends Model<
  InferAttributes<MonthlyPropertySetting>,
  InferCreationAttributes<MonthlyPropertySetting>
> {
  declare propertyId: number;
  declare hkvKwhPerUnit: number;
  declare hotWaterTempC: number;
  declare districtHeating: boolean;
  declare updatedBy: number | null;
  declare updatedAt: CreationOptional<Date>;
}

export function initMonthlyPropertySetting(sequelize: Sequelize) {
  MonthlyPropertySetting.init(
    {
      propertyId: { type: DataTypes.INTEGER, primaryKey: true },
      hkvKwhPerUnit: decimal('hkvKwhPerUnit', 8, 4, { allowNull: false }),
      hotWaterTempC: decimal('hotWaterTempC', 4, 1, { allowNull: false }),
      districtHeating: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      updatedBy: { type: DataTypes.INTEGER },
      updatedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
    },
    { sequelize, tableName: 'monthly_property_settings', underscored: true, createdAt: false },
  );
}
