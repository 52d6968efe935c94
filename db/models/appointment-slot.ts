import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { SlotOfferer } from '../../domain/contracts/appointment';

/** A time slot offered for an appointment request, by the tenant or (as a proposal) the technician. */
export class AppointmentSlot extends Model<InferAttributes<AppointmentSlot>, InferCreationAttributes<AppointmentSlot>> {
  declare id: CreationOptional<number>;
  declare appointmentId: number;
  declare position: number;
  declare startsAt: Date;
  declare endsAt: Date;
  declare offeredBy: SlotOfferer;
  declare createdAt: CreationOptional<Date>;
}

export function initAppointmentSlot(sequelize: Sequelize) {
  AppointmentSlot.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      appointmentId: { type: DataTypes.INTEGER, allowNull: false },
      position: { type: DataTypes.INTEGER, allowNull: false },
      startsAt: { type: DataTypes.DATE, allowNull: false },
      endsAt: { type: DataTypes.DATE, allowNull: false },
      offeredBy: { type: DataTypes.TEXT, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'appointment_slots', underscored: true, updatedAt: false },
  );
}
