// The device workflow's live state (its getStatus query) for the detail page. Temporal being down
// must not take the page down: the caller gets a reason to show instead.
import { WorkflowNotFoundError } from '@temporalio/client';
import { getStatus } from '../workflows/shared/device';
import { deviceWorkflowId, type DeviceDeadlineStatus } from '../domain/contracts/device';
import { temporalClient } from './temporal';

const QUERY_TIMEOUT_MS = 2_000;

export type WorkflowStatus = { available: true; status: DeviceDeadlineStatus } | { available: false; reason: string };

export async function deviceWorkflowStatus(deviceId: number): Promise<WorkflowStatus> {
  try {
    const client = temporalClient();
    const status = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
      client.workflow.getHandle(deviceWorkflowId(deviceId)).query(getStatus),
    );
    return { available: true, status };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { available: false, reason: 'Für dieses Gerät läuft kein Fristen-Workflow.' };
    console.warn(`[device ${deviceId}] getStatus failed: ${(error as Error).message}`);
    return { available: false, reason: 'Der Live-Status ist derzeit nicht verfügbar. Die Angaben unten stammen aus der Datenbank.' };
  }
}
