// The worker as a function, so that `npm run worker`, tests and the bench run the same thing.
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { Db } from '../../db';
import { createActivities } from '../../activities';
import { createMailer, type Mailer } from '../../server/mail';
import type { PdfRenderer } from '../../server/pdf';
import { config } from '../../server/config';

/** The module the worker bundles: every workflow re-exported from workflows/index.ts. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface BuildWorkerOptions {
  connection: NativeConnection;
  taskQueue: string;
  db: Db;
  namespace?: string;
  /** Defaults to the sink (mails kept in the database only). */
  mailer?: Mailer;
  /** Base URL for links in e-mails. */
  publicUrl?: string;
  /** Shared by the activities (lazy: Chromium starts on the first PDF); the caller closes it after run(). */
  pdfRenderer?: PdfRenderer;
  /** A bundle from bundleWorkflowCode, to skip bundling on every start (tests build one per file). */
  workflowBundle?: WorkflowBundleOption;
  /** Anything else Worker.create accepts (tuning, shorter sticky timeouts in tests). */
  workerOptions?: Partial<WorkerOptions>;
}

export async function buildWorker(options: BuildWorkerOptions): Promise<Worker> {
  const mailer = options.mailer ?? createMailer({ db: options.db, from: config().MAIL_FROM });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ db: options.db, mailer, publicUrl: options.publicUrl, pdfRenderer: options.pdfRenderer }),
    ...options.workerOptions,
  });
}
