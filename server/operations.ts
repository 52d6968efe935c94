// Operators' tools the portal links to. The Temporal Web UI can cancel, terminate and start
// workflows and has no login of its own: only the operator role gets its address (README,
// "Temporal Web UI in production", puts it behind authentication).
import { config } from './config';
import type { SessionUser } from './session';
import { hasPermission } from '../domain/permissions';

export function temporalUiLink(user: Pick<SessionUser, 'role'>): string | null {
  if (!hasPermission(user, 'read:temporal-ui:any')) return null;
  return config().TEMPORAL_UI_URL ?? null;
}
