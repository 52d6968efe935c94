// All activities of the worker, built from their dependencies (tests pass their own database and mailer).
import type { Db } from '../db';
import { createDeviceActivities } from '../server/device-obligation';
import type { Mailer, MailMessage } from '../server/mail';
import { createNotificationActivities } from '../server/notifications';
import { createTicketActivities } from '../server/ticket-obligation';
import { createAppointmentActivities } from '../server/appointment-obligation';
import { createMonthlyActivities } from '../server/monthly-obligation';
import { createStatementLifecycleActivities } from '../server/statement-obligation';
import type { PdfRenderer } from '../server/pdf';

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

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDeviceActivities(deps),
    ...createNotificationActivities(deps),
    ...createTicketActivities(deps),
    ...createAppointmentActivities(deps),
    ...createMonthlyActivities(deps),
    ...createStatementLifecycleActivities(deps),
    async sendMail(message: MailMessage): Promise<void> {
      await deps.mailer.send(message);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
