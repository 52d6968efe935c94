// `npm run worker`: runs every workflow and activity on the task queue until SIGINT/SIGTERM.
// Stateless: start as many as the load needs.
import { NativeConnection } from '@temporalio/worker';
import { db } from '../server/db';
import { requireLeastPrivilege } from '../server/database-role';
import { createMailer } from '../server/mail';
import { createPdfRenderer } from '../server/pdf';
import { requireConfig } from '../server/config';
import { temporalSettings } from '../server/temporal';
import { ensureOpenCaseWorkflows } from '../server/case-sweep';
import { ensureCostDeadlines, previousCalendarYear } from '../server/cost-deadlines';
import { calendarDate } from '../domain/calendar';
import { buildWorker } from './lib/worker';
import { ensureMonthlyScheduleAt } from '../server/monthly-schedule';
import { ensureMailDigestScheduleAt } from '../server/mail-digest-schedule';
import { ensureProofVerificationScheduleAt } from '../server/proof-verification-schedule';
import { startOutboxRelay } from '../server/outbox';

async function main() {
  const { address, namespace, taskQueue } = temporalSettings();
  // Every proof head the worker appends is signed: no key, no worker.
  const settings = requireConfig('DATABASE_URL', 'PROOF_SIGNING_KEY');
  const database = db();
  await requireLeastPrivilege(database, 'worker');
  const mailer = createMailer({
    db: database,
    smtpUrl: settings.SMTP_URL,
    from: settings.MAIL_FROM,
  });
  // Lazy: Chromium is launched on the first PDF (statement approval) and reused until shutdown.
  const pdfRenderer = createPdfRenderer({ executablePath: settings.PUPPETEER_EXECUTABLE_PATH });
  // Delivers what user actions wrote for Temporal (server/outbox.ts); it retries while Temporal is
  // away, and starts before the connection so a slow Temporal does not hold it back.
  const relay = startOutboxRelay({ db: database, taskQueue });
  let connection: NativeConnection | undefined;
  try {
    connection = await NativeConnection.connect({ address });
    const worker = await buildWorker({
      connection,
      namespace,
      taskQueue,
      db: database,
      mailer,
      publicUrl: settings.PUBLIC_URL,
      pdfRenderer,
    });
    console.log(`Monthly information schedule ${await ensureMonthlyScheduleAt({ address, namespace, taskQueue })}`);
    console.log(`Notice digest schedule ${await ensureMailDigestScheduleAt({ address, namespace, taskQueue })}`);
    console.log(`Proof verification schedule ${await ensureProofVerificationScheduleAt({ address, namespace, taskQueue })}`);
    console.log(
      `Worker ready: task queue ${taskQueue} on ${address} (namespace ${namespace}), mail via ${settings.SMTP_URL ? 'SMTP' : 'the sink'}`,
    );
    // Repairs cases whose workflow start failed after commit; in the background, so polling starts at once.
    void ensureOpenCaseWorkflows({ db: database, taskQueue })
      .then(({ tickets, appointments }) =>
        console.log(`Start-up sweep: workflows ensured for ${tickets} open tickets and ${appointments} open appointment requests`),
      )
      .catch((error: unknown) => console.error('Start-up sweep failed', error));
    // Each property's cost-data deadline for the last calendar year (idempotent; a met one is not restarted).
    const lastYear = previousCalendarYear(calendarDate(new Date()));
    void ensureCostDeadlines(lastYear, { db: database, taskQueue })
      .then((count) => console.log(`Start-up sweep: cost-data deadlines ${lastYear.end} ensured for ${count} properties`))
      .catch((error: unknown) => console.error('Cost-data deadline sweep failed', error));
    // run() drains in-flight tasks and returns on SIGINT/SIGTERM (the SDK's default shutdown signals).
    await worker.run();
  } finally {
    await relay.stop();
    await pdfRenderer.close();
    mailer.close();
    await connection?.close();
    await database.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
