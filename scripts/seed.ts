// `npm run seed`: the demo portfolio into an empty database; `npm run seed -- --units N` adds a large
// generated portfolio for benchmarks. Device workflows are started for new devices unless
// --no-workflows is given (idempotent: a device never gets a second workflow).
import { parseArgs } from 'node:util';
import { createDb } from '../db';
import { migrate } from '../db/migrate';
import { isEmpty, seedDemo, seedLargePortfolio } from '../db/seed/demo';
import { calendarDate } from '../domain/calendar';
import { ensureDatabase, ensureTemporal, migrationTarget } from './lib/services';
import { headSigner } from '../server/proof/signing';
import { startAllDeviceWorkflows } from './lib/workflow-starts';
import { databaseTimeouts } from '../server/config';

const { values } = parseArgs({ options: { units: { type: 'string' }, 'no-workflows': { type: 'boolean', default: false } } });
const units = values.units === undefined ? undefined : Number(values.units);
if (units !== undefined && (!Number.isInteger(units) || units < 1)) {
  console.error('--units: expected a positive whole number');
  process.exit(2);
}

const stops = [await ensureDatabase(console.log)];
const target = migrationTarget();
// Seeded as the owner (it also migrates); audit entries get signed heads when a key is configured.
const db = createDb(target.url, { headSigner: headSigner(), timeouts: databaseTimeouts('maintenance') });
try {
  await migrate(db.sequelize, { appRole: target.appRole });
  const today = calendarDate(new Date());
  if (units) {
    const started = Date.now();
    const { devices } = await seedLargePortfolio(db, units, today);
    console.log(`Seeded ${units} units with ${devices} devices in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } else if (await isEmpty(db)) {
    await seedDemo(db, today);
    console.log('Seeded the demo portfolio.');
  } else {
    console.log('The database already has data; nothing seeded (use --units N for a benchmark portfolio).');
  }
  if (!values['no-workflows']) {
    stops.push(await ensureTemporal(console.log));
    await startAllDeviceWorkflows(db, console.log);
  }
} finally {
  await db.close();
  for (const stop of stops.reverse()) await stop();
}
