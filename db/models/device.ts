import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { DEVICE_TYPES, type DeadlineKind, type DeviceType, type Light } from '../../domain/deadlines';
import { type RadioStatus } from '../../domain/deadlines';

export class Device extends Model<InferAttributes<Device>, InferCreationAttributes<Device>> {
  declare id: CreationOptional<number>;
  declare propertyId: number;
  declare unitId: number | null;
  declare type: DeviceType;
  declare serial: string;
  declare location: string | null;
  declare installedAt: string;
  declare calibratedYear: number | null;
  declare lastInspectionAt: string | null;
  declare batteryPercent: number | null;
  declare radioStatus: CreationOptional<RadioStatus>;
  declare remoteReadable: CreationOptional<boolean>;
  declare lastReadingAt: Date | null;
  declare lastReadingValue: number | null;
  declare predecessorId: number | null;
  declare successorId: CreationOptional<number | null>;
  declare removedAt: CreationOptional<string | null>;
  declare deadlineKind: CreationOptional<DeadlineKind | null>;
  declare dueAt: CreationOptional<string | null>;
  declare light: CreationOptional<Light | null>;
  declare lightChangedAt: CreationOptional<Date | null>;
  declare lastReminderDays: CreationOptional<number | null>;
  declare escalatedAt: CreationOptional<Date | null>;
  /** What the device last reported by radio ("ok" or its status text); null until it reports. */
  declare reportedStatus: CreationOptional<string | null>;
  declare reportedStatusAt: CreationOptional<Date | null>;
}

export function initDevice(sequelize: Sequelize) {
  Device.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      propertyId: { type: DataTypes.INTEGER, allowNull: false },
      unitId: { type: DataTypes.INTEGER },
      type: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [DEVICE_TYPES as unknown as string[]] } },
      serial: { type: DataTypes.TEXT, allowNull: false, unique: true },
      location: { type: DataTypes.TEXT },
      installedAt: { type: DataTypes.DATEONLY, allowNull: false },
      calibratedYear: { type: DataTypes.INTEGER },
      lastInspectionAt: { type: DataTypes.DATEONLY },
      batteryPercent: { type: DataTypes.INTEGER, validate: { min: 0, max: 100 } },
      radioStatus: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'ok' },
      remoteReadable: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      lastReadingAt: { type: DataTypes.DATE },
      lastReadingValue: {
        type: DataTypes.DECIMAL(14, 3),
        get() {
          const value = this.getDataValue('lastReadingValue');
          return value === null || value === undefined ? null : Number(value);
        },
      },
      predecessorId: { type: DataTypes.INTEGER },
      successorId: { type: DataTypes.INTEGER },
      removedAt: { type: DataTypes.DATEONLY },
      deadlineKind: { type: DataTypes.TEXT },
      dueAt: { type: DataTypes.DATEONLY },
      light: { type: DataTypes.TEXT },
      lightChangedAt: { type: DataTypes.DATE },
      lastReminderDays: { type: DataTypes.INTEGER },
      escalatedAt: { type: DataTypes.DATE },
      reportedStatus: { type: DataTypes.TEXT },
      reportedStatusAt: { type: DataTypes.DATE },
    },
    { sequelize, tableName: 'devices', underscored: true },
  );
}
