import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { PROOF_STEPS, type ProofStep } from '../../domain/statement-lifecycle';

/** One proven step of a statement version; append-only, hash-chained per version (db/proof.ts). */
export class ProofEvent extends Model<InferAttributes<ProofEvent>, InferCreationAttributes<ProofEvent>> {
  declare id: CreationOptional<number>;
  declare statementId: number;
  declare version: number;
  declare seq: number;
  declare step: ProofStep;
  declare idempotencyKey: string;
  declare at: Date;
  declare actorId: number | null;
  declare actor: string;
  declare ip: string | null;
  declare documentSha256: string;
  declare details: Record<string, unknown>;
  declare prevHash: string;
  declare hash: string;
}

export function initProofEvent(sequelize: Sequelize) {
  ProofEvent.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      statementId: { type: DataTypes.INTEGER, allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      seq: { type: DataTypes.INTEGER, allowNull: false },
      step: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [PROOF_STEPS as unknown as string[]] } },
      idempotencyKey: { type: DataTypes.TEXT, allowNull: false },
      at: { type: DataTypes.DATE, allowNull: false },
      actorId: { type: DataTypes.INTEGER },
      actor: { type: DataTypes.TEXT, allowNull: false },
      ip: { type: DataTypes.TEXT },
      documentSha256: { type: DataTypes.TEXT, allowNull: false },
      details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      prevHash: { type: DataTypes.TEXT, allowNull: false },
      hash: { type: DataTypes.TEXT, allowNull: false },
    },
    { sequelize, tableName: 'statement_proof_events', underscored: true, timestamps: false },
  );
}
