// The deadlines device work resolved (table device_deadline_resolutions, migration 0212): written in
// the transaction that records the work (server/device-work.ts), read by the device-deadline coverage
// report (server/compliance-reports.ts). A deadline is resolved once: a second record keeps the first.
import type { Transaction } from 'sequelize';
import type { Db } from '../db';
import type { Deadline } from '../domain/deadlines';
import type { ResolutionHow } from '../domain/deadline-resolution';

export interface ResolvedDeadlineRecord {
  deviceId: number;
  deadline: Deadline;
  resolvedOn: string;
  how: ResolutionHow;
  recordedBy: number | null;
}

export async function recordResolvedDeadline(db: Db, record: ResolvedDeadlineRecord, transaction: Transaction): Promise<void> {
  await db.sequelize.query(
    `INSERT INTO device_deadline_resolutions (device_id, kind, due_at, resolved_on, how, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (device_id, kind, due_at) DO NOTHING`,
    {
      bind: [record.deviceId, record.deadline.kind, record.deadline.dueAt, record.resolvedOn, record.how, record.recordedBy],
      transaction,
    },
  );
}
