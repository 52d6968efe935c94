import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

/** A tenant's objection to a statement version, naming the disputed positions. */
export class Objection extends Model<InferAttributes<Objection>, InferCreationAttributes<Objection>> {
  declare id: CreationOptional<number>;
  declare statementId: number;
  declare version: number;
  declare unitId: number;
  declare filedBy: number;
  declare positions: string[];
  declare reason: string;
  declare idempotencyKey: string;
  /** The manager's case for it, once opened. */
  declare ticketId: number | null;
  declare filedAt: CreationOptional<Date>;
}

export function initObjection(sequelize: Sequelize) {
  Objection.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      statementId: { type: DataTypes.INTEGER, allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      unitId: { type: DataTypes.INTEGER, allowNull: false },
      filedBy: { type: DataTypes.INTEGER, allowNull: false },
      positions: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false },
      reason: { type: DataTypes.TEXT, allowNull: false },
      idempotencyKey: { type: DataTypes.TEXT, allowNull: false, unique: true },
      ticketId: { type: DataTypes.INTEGER },
      filedAt: { type: DataTypes.DATE },
    },
    { sequelize, tableName: 'statement_objections', underscored: true, timestamps: false },
  );
}
