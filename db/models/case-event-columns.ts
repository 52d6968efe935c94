import { DataTypes } from 'sequelize';

/**
 * The columns every case history shares (ticket_events, appointment_events): the step's number and
 * kind, who took it, when, its text and details. Each model adds its own foreign key.
 */
export function caseEventColumns() {
  return {
    id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
    /** The workflow's sequence number: unique per case, so a retried activity writes the step once. */
    seq: { type: DataTypes.INTEGER, allowNull: false },
    kind: { type: DataTypes.TEXT, allowNull: false },
    actorId: { type: DataTypes.INTEGER },
    actorName: { type: DataTypes.TEXT, allowNull: false },
    actorRole: { type: DataTypes.TEXT, allowNull: false },
    at: { type: DataTypes.DATE, allowNull: false },
    body: { type: DataTypes.TEXT },
    details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
    createdAt: DataTypes.DATE,
  } as const;
}
