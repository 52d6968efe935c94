import { Op } from 'sequelize';
import type { Db } from '../../db';
import { temporalClient } from '../../server/temporal';
import { ensureDeviceWorkflows } from '../../server/device-obligation';

/** Makes sure every active device has its deadline workflow (idempotent; cheap for existing ones). */
export async function startAllDeviceWorkflows(db: Db, log: (line: string) => void): Promise<number> {
  const ids = (
    await db.models.Device.findAll({
      where: { removedAt: null, successorId: { [Op.is]: null } },
      attributes: ['id'],
      order: [['id', 'ASC']],
      raw: true,
    })
  ).map((d) => d.id);
  const started = Date.now();
  await ensureDeviceWorkflows(temporalClient(), ids, { concurrency: 50 });
  log(`Device workflows checked for ${ids.length} devices in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return ids.length;
}
