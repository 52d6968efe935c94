// The personal-data policy (domain/personal-data.ts) applied to what the server hands out: statements
// and their PDFs, proof chains and lifecycle timelines, and /live events. Pages and PDFs call these
// instead of deciding on their own, so that every channel shows the same person the same way.
import { QueryTypes } from 'sequelize';
import type { StatementData } from '../domain/billing/statement';
import { TENANT_PLACEHOLDER, maySee, pseudonymiseStatement, reachOf, shownProofDetails } from '../domain/personal-data';
import type { Role } from '../domain/roles';
import { db } from './db';
import type { SessionUser } from './session';

type Viewer = Pick<SessionUser, 'id' | 'role'>;

/** Whether the viewer sees tenants' names on documents of a property it may see (its scope). */
export function seesTenantNames(viewer: Pick<SessionUser, 'role'>): boolean {
  return maySee(viewer, 'tenant-identity', { own: false, assigned: true });
}

/** The statement as the viewer may see it: tenants' names only where the policy allows. */
export function statementForViewer(viewer: Pick<SessionUser, 'role'>, statement: StatementData): StatementData {
  return seesTenantNames(viewer) ? statement : pseudonymiseStatement(statement);
}

/**
 * Whether the viewer sees every proof event as the recipient's stored chain holds it (who acted, from
 * which IP): then its bundle is the stored chain with the head signed when it was chained.
 */
export function seesWholeProof(viewer: Pick<SessionUser, 'role'>): boolean {
  return (['tenant-contact', 'staff-identity', 'access-data'] as const).every((category) => reachOf(viewer.role, category) === 'all');
}

/** A proof event as the pages and the proof PDF show it. */
export interface ProofEventLike {
  actorId: number | null;
  actor: string;
  ip: string | null;
  details: Record<string, unknown>;
}

const STAFF_PLACEHOLDER = 'Beschäftigte/r';

/**
 * Proof events as the viewer may see them: who acted (a tenant's e-mail, a staff member's), from
 * which IP, and, for a tenant, only the events of the statement as a whole and of its own flats.
 */
export async function proofEventsForViewer<E extends ProofEventLike>(viewer: Viewer, events: E[]): Promise<E[]> {
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is number => id !== null))];
  const roles = new Map<number, Role>(
    actorIds.length === 0
      ? []
      : (
          await db().sequelize.query<{ id: number; role: Role }>('SELECT id, role FROM users WHERE id IN (:actorIds)', {
            replacements: { actorIds },
            type: QueryTypes.SELECT,
          })
        ).map((u) => [u.id, u.role]),
  );
  const ownUnits =
    viewer.role === 'tenant'
      ? new Set(
          (
            await db().sequelize.query<{ unitId: number }>('SELECT unit_id AS "unitId" FROM tenancies WHERE user_id = :userId', {
              replacements: { userId: viewer.id },
              type: QueryTypes.SELECT,
            })
          ).map((t) => t.unitId),
        )
      : null;
  return events
    .filter((e) => ownUnits === null || typeof e.details.unitId !== 'number' || ownUnits.has(e.details.unitId))
    .map((e) => {
      const own = e.actorId !== null && e.actorId === viewer.id;
      const byTenant = e.actorId !== null && roles.get(e.actorId) === 'tenant';
      // A tenant sees only its own flats' events: every staff step left is one of its own case.
      const actorVisible = byTenant
        ? maySee(viewer, 'tenant-contact', { own, assigned: true })
        : e.actorId === null || maySee(viewer, 'staff-identity', { own: own || ownUnits !== null, assigned: true });
      return {
        ...e,
        actor: actorVisible ? e.actor : byTenant ? TENANT_PLACEHOLDER : STAFF_PLACEHOLDER,
        ip: maySee(viewer, 'access-data', { own, assigned: false }) ? e.ip : null,
        details: shownProofDetails(e.details),
      };
    });
}
