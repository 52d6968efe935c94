import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { APPOINTMENT_REASONS, type AppointmentReason, type AppointmentStatus } from '../../domain/contracts/appointment';

/** An appointment request (Terminwunsch) as the workflow `appointment-<id>` last recorded it; see migration 0004. */
export class AppointmentRequest extends Model<InferAttributes<AppointmentRequest>, InferCreationAttributes<AppointmentRequest>> {
  declare id: CreationOptional<number>;
  declare organisationId: number;
  declare propertyId: number;
  declare unitId: number;
  declare tenantId: number;
  declare technicianId: number | null;
  declare reason: AppointmentReason;
  declare note: string | null;
  declare status: AppointmentStatus;
  declare openOffer: number[];
  declare confirmedSlot: CreationOptional<number | null>;
  declare confirmDueAt: Date | null;
  declare escalatedAt: CreationOptional<Date | null>;
  declare remindedAt: CreationOptional<Date | null>;
  declare completedAt: CreationOptional<Date | null>;
  declare eventSeq: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initAppointmentRequest(sequelize: Sequelize) {
  AppointmentRequest.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      organisationId: { type: DataTypes.INTEGER, allowNull: false },
      propertyId: { type: DataTypes.INTEGER, allowNull: false },
      unitId: { type: DataTypes.INTEGER, allowNull: false },
      tenantId: { type: DataTypes.INTEGER, allowNull: false },
      technicianId: { type: DataTypes.INTEGER },
      reason: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [[...APPOINTMENT_REASONS]] } },
      note: { type: DataTypes.TEXT, validate: { len: [0, 2000] } },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'requested' },
      openOffer: { type: DataTypes.ARRAY(DataTypes.INTEGER), allowNull: false, defaultValue: [] },
      confirmedSlot: { type: DataTypes.INTEGER },
      confirmDueAt: { type: DataTypes.DATE },
      escalatedAt: { type: DataTypes.DATE },
      remindedAt: { type: DataTypes.DATE },
      completedAt: { type: DataTypes.DATE },
      eventSeq: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'appointment_requests', underscored: true },
  );
}
