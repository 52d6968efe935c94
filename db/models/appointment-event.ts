import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { AppointmentEventKind } from '../../domain/contracts/appointment';
import { caseEventColumns } from './case-event-columns';

/** One step in an appointment request's history. Append-only: a trigger refuses UPDATE and DELETE. */
export class AppointmentEvent extends Model<InferAttributes<AppointmentEvent>, InferCreationAttributes<AppointmentEvent>> {
  declare id: CreationOptional<number>;
  declare appointmentId: number;
  declare seq: number;
  declare kind: AppointmentEventKind;
  declare actorId: number | null;
  declare actorName: string;
  declare actorRole: string;
  declare at: Date;
  declare body: string | null;
  declare details: CreationOptional<Record<string, unknown>>;
  declare createdAt: CreationOptional<Date>;
}

export function initAppointmentEvent(sequelize: Sequelize) {
  AppointmentEvent.init(
    {
      ...caseEventColumns(),
      appointmentId: { type: DataTypes.INTEGER, allowNull: false },
    },
    { sequelize, tableName: 'appointment_events', underscored: true, updatedAt: false },
  );
}
