import { Model, DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { DOCUMENT_KINDS, type DocumentKind } from '../../domain/documents';

/** A stored document, AES-256-GCM encrypted; `sha256` is the plaintext's hash. Never updated. */
export class Document extends Model<InferAttributes<Document>, InferCreationAttributes<Document>> {
  declare id: CreationOptional<number>;
  declare kind: DocumentKind;
  declare statementId: number | null;
  declare unitId: number | null;
  declare occupancyKey: string | null;
  declare version: number;
  declare fileName: string;
  declare contentType: string;
  declare sha256: string;
  declare byteSize: number;
  declare ciphertext: Buffer;
  declare iv: Buffer;
  declare authTag: Buffer;
  declare createdBy: number | null;
  declare createdAt: CreationOptional<Date>;
}

export function initDocument(sequelize: Sequelize) {
  Document.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      kind: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [DOCUMENT_KINDS as unknown as string[]] } },
      statementId: { type: DataTypes.INTEGER },
      unitId: { type: DataTypes.INTEGER },
      occupancyKey: { type: DataTypes.TEXT },
      version: { type: DataTypes.INTEGER, allowNull: false },
      fileName: { type: DataTypes.TEXT, allowNull: false },
      contentType: { type: DataTypes.TEXT, allowNull: false },
      sha256: { type: DataTypes.TEXT, allowNull: false },
      byteSize: { type: DataTypes.INTEGER, allowNull: false },
      ciphertext: { type: DataTypes.BLOB, allowNull: false },
      iv: { type: DataTypes.BLOB, allowNull: false },
      authTag: { type: DataTypes.BLOB, allowNull: false },
      createdBy: { type: DataTypes.INTEGER },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'documents', underscored: true, updatedAt: false },
  );
}
