import {
  Model,
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type ModelAttributeColumnOptions,
  type Sequelize,
} from 'sequelize';
import type { BillingInput } from '../../domain/billing';
import type { HotWaterMethod, ManualCut, StatementSummary } from '../../domain/billing/statement';
import { STATEMENT_STATUSES, type StatementStatus } from '../../domain/statement-lifecycle';

/**
 * A NUMERIC column read as a number (pg returns NUMERIC as a string). Amounts and consumptions in
 * statements have at most 3 decimals and stay far below 2^53, so no precision is lost.
 */
export function decimal(
  field: string,
  precision: number,
  scale: number,
  options: { allowNull?: boolean } = {},
): ModelAttributeColumnOptions {
  return {
    type: DataTypes.DECIMAL(precision, scale),
    allowNull: options.allowNull ?? true,
    get(this: Model) {
      const raw: unknown = this.getDataValue(field);
      return raw === null || raw === undefined ? null : Number(raw);
    },
  };
}

/** One version of the heating statement of a property for a billing period; immutable but for its status. */
export class Statement extends Model<InferAttributes<Statement>, InferCreationAttributes<Statement>> {
  declare id: CreationOptional<number>;
  declare propertyId: number;
  declare periodStart: string;
  declare periodEnd: string;
  declare version: number;
  declare status: CreationOptional<StatementStatus>;
  declare statusChangedAt: CreationOptional<Date | null>;
  declare documentNumber: string;
  declare supersedesId: number | null;
  declare correctionReason: string | null;
  declare heatingConsumptionShare: number;
  declare hotWaterConsumptionShare: number;
  declare coldWaterCost: number;
  declare coldWaterConsumptionShare: number;
  declare hotWaterTempC: number | null;
  declare hotWaterKwhMeasured: number | null;
  declare hotWaterM3Entered: number | null;
  declare districtHeating: boolean;
  declare co2Kg: number | null;
  declare co2Cost: number | null;
  declare heatedAreaM2: number | null;
  declare heatingAgreed: boolean;
  declare hotWaterAgreed: boolean;
  declare hotWaterMethod: HotWaterMethod;
  declare grossCalorific: boolean;
  declare manualCuts: ManualCut[];
  declare engineInput: BillingInput;
  declare engineInputSha256: string;
  declare summary: StatementSummary;
  declare createdBy: number | null;
  declare createdAt: CreationOptional<Date>;
}

export function initStatement(sequelize: Sequelize) {
  Statement.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      propertyId: { type: DataTypes.INTEGER, allowNull: false },
      periodStart: { type: DataTypes.DATEONLY, allowNull: false },
      periodEnd: { type: DataTypes.DATEONLY, allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      status: {
        type: DataTypes.TEXT,
        allowNull: false,
        defaultValue: 'draft',
        validate: { isIn: [STATEMENT_STATUSES as unknown as string[]] },
      },
      statusChangedAt: { type: DataTypes.DATE },
      documentNumber: { type: DataTypes.TEXT, allowNull: false, unique: true },
      supersedesId: { type: DataTypes.INTEGER },
      correctionReason: { type: DataTypes.TEXT },
      heatingConsumptionShare: decimal('heatingConsumptionShare', 4, 3, { allowNull: false }),
      hotWaterConsumptionShare: decimal('hotWaterConsumptionShare', 4, 3, { allowNull: false }),
      coldWaterCost: decimal('coldWaterCost', 12, 2, { allowNull: false }),
      coldWaterConsumptionShare: decimal('coldWaterConsumptionShare', 4, 3, { allowNull: false }),
      hotWaterTempC: decimal('hotWaterTempC', 5, 2),
      hotWaterKwhMeasured: decimal('hotWaterKwhMeasured', 14, 3),
      hotWaterM3Entered: decimal('hotWaterM3Entered', 14, 3),
      districtHeating: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      co2Kg: decimal('co2Kg', 14, 3),
      co2Cost: decimal('co2Cost', 12, 2),
      heatedAreaM2: decimal('heatedAreaM2', 10, 2),
      heatingAgreed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      hotWaterAgreed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      hotWaterMethod: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'volume' },
      grossCalorific: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      manualCuts: { type: DataTypes.JSONB, allowNull: false, defaultValue: [] },
      engineInput: { type: DataTypes.JSONB, allowNull: false },
      engineInputSha256: { type: DataTypes.TEXT, allowNull: false },
      summary: { type: DataTypes.JSONB, allowNull: false },
      createdBy: { type: DataTypes.INTEGER },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'statements', underscored: true, updatedAt: false },
  );
}
