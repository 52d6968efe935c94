// A deliberately non-deterministic change for workflows/replay.test.ts: the device workflow as it
// is, but with a timer first that no recorded history has. Replaying a history against this must
// fail; if it did not, the replay test could not catch a real mistake either.
import { sleep } from '@temporalio/workflow';
import { deviceDeadline as currentDeviceDeadline } from '../../../workflows/device-deadline';
import type { DeviceDeadlineInput, DeviceDeadlineStatus } from '../../../domain/contracts/device';

export async function deviceDeadline(input: DeviceDeadlineInput): Promise<DeviceDeadlineStatus> {
  await sleep('1 second');
  return currentDeviceDeadline(input);
}
