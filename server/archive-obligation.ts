// Side effects of the retention workflow (workflows/archive-retention.ts): whether a legal hold
// covers a version, the managers' request to approve a deletion at retention end, and the deletion
// with its tombstone. Idempotent: a retried deletion finds its tombstone and reports the same outcome.
import { QueryTypes } from 'sequelize';
import type { Db } from '../db';
import { appendAudit } from '../db/audit';
import { ARCHIVE_KIND_LABELS, type ArchiveUploadKind } from '../domain/archive';
import { ARCHIVE_VERSION_GONE, archiveDocumentPath, retentionWorkflowId, type DeletionOutcome } from '../domain/contracts/retention';
import { formatDate } from '../domain/format';
import { lockProperty } from './archive';
import { GoneError } from './errors';
import { genericNotice, managersOf, notifyUsers, type NotifyDeps } from './notifications';

interface VersionFacts {
  versionId: number;
  documentId: number;
  version: number;
  organisationId: number;
  propertyId: number;
  propertyName: string;
  unitId: number | null;
  kind: ArchiveUploadKind;
  title: string;
  sha256: string;
  documentDate: string;
  retentionUntil: string;
  storedAt: Date;
  held: boolean;
}

function versionGone(versionId: number): GoneError {
  return new GoneError(`Archivversion ${versionId} existiert nicht mehr`, ARCHIVE_VERSION_GONE);
}

async function versionFacts(db: Db, versionId: number): Promise<VersionFacts | null> {
  const [row] = await db.sequelize.query<VersionFacts>(
    `SELECT v.id AS "versionId", d.id AS "documentId", v.version, d.organisation_id AS "organisationId", d.property_id AS "propertyId",
            p.name AS "propertyName", d.unit_id AS "unitId", d.kind, d.title, v.sha256, v.document_date::text AS "documentDate",
            v.retention_until::text AS "retentionUntil", v.created_at AS "storedAt",
            EXISTS (SELECT 1 FROM archive_legal_holds h WHERE h.released_at IS NULL AND h.property_id = d.property_id
                      AND (h.unit_id IS NULL OR h.unit_id = d.unit_id)) AS held
       FROM archive_versions v JOIN archive_documents d ON d.id = v.document_id JOIN properties p ON p.id = d.property_id
      WHERE v.id = :versionId`,
    { replacements: { versionId }, type: QueryTypes.SELECT },
  );
  return row ?? null;
}

export function createArchiveObligation(deps: NotifyDeps) {
  const { db } = deps;
  return {
    /** Whether an active legal hold covers the version. */
    async retentionHeld({ versionId }: { versionId: number }): Promise<boolean> {
      const facts = await versionFacts(db, versionId);
      if (!facts) throw versionGone(versionId);
      return facts.held;
    },

    /** Asks the managers, once per version, to approve the deletion now that retention ended. */
    async announceRetentionEnd({
      versionId,
      documentId,
      retentionUntil,
    }: {
      versionId: number;
      documentId: number;
      retentionUntil: string;
    }) {
      const facts = await versionFacts(db, versionId);
      if (!facts) throw versionGone(versionId);
      const managers = await managersOf(db, facts.organisationId);
      const label = ARCHIVE_KIND_LABELS[facts.kind];
      await notifyUsers(deps, {
        recipients: managers,
        topic: 'archive',
        kind: 'archive-retention-ended',
        urgency: 'routine',
        dedupeKey: `${retentionWorkflowId(versionId)}:ended`,
        compose: () =>
          genericNotice({
            title: `Aufbewahrungsfrist beendet: ${facts.title} (Version ${facts.version})`,
            body: `Die Aufbewahrungsfrist des Nachweises „${facts.title}“ (${label}, ${facts.propertyName}) endete am ${formatDate(retentionUntil)}. Er wird erst gelöscht, wenn Sie die Löschung freigeben.`,
            link: archiveDocumentPath(documentId),
            reference: `Nachweis ${documentId}`,
            facts: [
              { label: 'Art', value: label },
              { label: 'Liegenschaft', value: facts.propertyName },
              { label: 'Aufbewahrt bis', value: formatDate(retentionUntil) },
              { label: 'SHA-256', value: facts.sha256 },
            ],
            actionLabel: 'Nachweis im Portal öffnen',
          }),
      });
    },

    /**
     * Deletes the version and writes its tombstone in one transaction, under the property's lock so
     * that no hold is placed in between. A hold, or a retention not yet over, refuses the deletion
     * (the database's trigger would refuse it too).
     */
    async deleteArchiveVersion({ versionId, approvedBy }: { versionId: number; approvedBy: number }): Promise<DeletionOutcome> {
      return db.sequelize.transaction(async (transaction) => {
        const [tombstone] = await db.sequelize.query<{ deletedAt: Date }>(
          `SELECT deleted_at AS "deletedAt" FROM archive_tombstones WHERE version_id = :versionId`,
          { replacements: { versionId }, type: QueryTypes.SELECT, transaction },
        );
        if (tombstone) return { deleted: true, deletedAt: tombstone.deletedAt.toISOString() };
        const before = await versionFacts(db, versionId);
        if (!before) throw versionGone(versionId);
        await lockProperty(db, before.propertyId, transaction);
        const facts = await versionFacts(db, versionId);
        if (!facts) throw versionGone(versionId);
        if (facts.held) return { deleted: false, reason: 'held' };
        const [stone] = await db.sequelize.query<{ deletedAt: Date }>(
          `INSERT INTO archive_tombstones (version_id, document_id, version, kind, sha256, document_date, stored_at, retention_until, approved_by)
           VALUES (:versionId, :documentId, :version, :kind, :sha256, :documentDate, :storedAt, :retentionUntil, :approvedBy)
           RETURNING deleted_at AS "deletedAt"`,
          { replacements: { ...facts, approvedBy }, type: QueryTypes.SELECT, transaction },
        );
        await db.sequelize.query(`DELETE FROM archive_versions WHERE id = :versionId`, { replacements: { versionId }, transaction });
        await appendAudit(
          db,
          {
            organisationId: facts.organisationId,
            actorId: approvedBy,
            actor: 'retention',
            action: 'archive.version_deleted',
            entity: 'archive_document',
            entityId: facts.documentId,
            details: { versionId, version: facts.version, sha256: facts.sha256, retentionUntil: facts.retentionUntil },
          },
          transaction,
        );
        if (!stone) throw new Error('tombstone not written');
        return { deleted: true, deletedAt: stone.deletedAt.toISOString() };
      });
    },
  };
}
