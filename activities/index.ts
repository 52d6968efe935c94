// The worker's activities: the services' workflow side effects (server/*-obligation.ts) adapted to
// Temporal. The adapter is the only place that knows Temporal here: a GoneError (the row was
// deleted) becomes a non-retryable failure of its type, and the device's successor starts on the
// calling worker's task queue.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db';
import { GoneError } from '../server/errors';
import type { Mailer } from '../server/mail';
import type { PdfRenderer } from '../server/pdf';
import { createDeviceObligation } from '../server/device-obligation';
import { createTicketObligation } from '../server/ticket-obligation';
import { createAppointmentObligation } from '../server/appointment-obligation';
import { createMonthlyObligation } from '../server/monthly-obligation';
import { createStatementObligation } from '../server/statement-obligation';
import { createArchiveObligation } from '../server/archive-obligation';
import type { DeviceReplacementInput } from '../server/device-obligation';
import type { Progress, ProgressSource } from '../server/progress';

export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  /** Base URL for links in e-mails (PUBLIC_URL); without it e-mails carry the bare path. */
  publicUrl?: string;
  /**
   * The worker's PDF renderer, shared by all activities: lazy (Chromium starts on the first render)
   * and closed by whoever created it when the worker shuts down. Without it, an activity that
   * renders launches Chromium for that call only.
   */
  pdfRenderer?: PdfRenderer;
}

/** While a step of unknown length runs, the last details are repeated this often (well inside every heartbeat timeout). */
const KEEP_ALIVE_MS = 3_000;

/** Progress as activity heartbeats; the previous attempt's last heartbeat is what a retry resumes from. */
const heartbeats: ProgressSource = <D>(): Progress<D> => {
  const context = Context.current();
  const resumed = context.info.heartbeatDetails as D | undefined;
  let last: D | undefined = resumed;
  return {
    resumed,
    report(details) {
      last = details;
      context.heartbeat(details);
    },
    async keepAlive(step) {
      const timer = setInterval(() => context.heartbeat(last), KEEP_ALIVE_MS);
      try {
        return await step();
      } finally {
        clearInterval(timer);
      }
    },
  };
};

type AsyncFunctions = Record<string, (...args: never[]) => Promise<unknown>>;

function failingFast<T extends AsyncFunctions>(service: T): T {
  const adapted: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(service)) {
    adapted[name] = async (...args: never[]) => {
      try {
        return await run(...args);
      } catch (error) {
        if (error instanceof GoneError) throw ApplicationFailure.nonRetryable(error.message, error.type);
        throw error;
      }
    };
  }
  return adapted as T;
}

export function createActivities(deps: ActivityDeps) {
  const devices = createDeviceObligation(deps);
  return failingFast({
    ...devices,
    linkDeviceReplacement: (input: DeviceReplacementInput) =>
      devices.linkDeviceReplacement(input, { client: Context.current().client, taskQueue: Context.current().info.taskQueue }),
    ...createTicketObligation(deps),
    ...createAppointmentObligation(deps),
    ...createMonthlyObligation({ ...deps, progress: heartbeats }),
    ...createStatementObligation({ ...deps, progress: heartbeats }),
    ...createArchiveObligation(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
