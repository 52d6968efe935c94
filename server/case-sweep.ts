// The worker's start-up sweep: a case (ticket or appointment request) is committed before its
// workflow starts, so a crash or a Temporal outage in between leaves a row without a workflow.
// The pages repair such a case when someone opens it; this sweep repairs all of them at once,
// and also starts the workflows of cases that were written as rows only (the demo seed).
import { Op } from 'sequelize';
import { db as sharedDb } from './db';
import { ensureAppointmentWorkflow } from './appointments';
import { ensureTicketWorkflow } from './tickets';
import type { WorkflowOptions } from './temporal';

/** Runs `ensure` for each id; one failure is logged and does not stop the others. Returns how many succeeded. */
async function ensureEach(what: string, ids: number[], ensure: (id: number) => Promise<boolean>): Promise<number> {
  let ensured = 0;
  for (const id of ids) {
    try {
      if (await ensure(id)) ensured += 1;
    } catch (error) {
      console.error(`[sweep] ${what} ${id}: ensuring its workflow failed`, error);
    }
  }
  return ensured;
}

/**
 * Ensures a workflow for every ticket that is not closed and has had no step since it was filed
 * (the only ones that can be started from their row). Idempotent: a running workflow is kept.
 */
export async function ensureOpenTicketWorkflows(options: WorkflowOptions = {}): Promise<number> {
  const database = options.db ?? sharedDb();
  const tickets = await database.models.Ticket.findAll({
    where: { status: { [Op.ne]: 'closed' }, eventSeq: 1 },
    attributes: ['id'],
    order: [['id', 'ASC']],
  });
  return ensureEach(
    'ticket',
    tickets.map((t) => t.id),
    (id) => ensureTicketWorkflow(id, options),
  );
}

/** The same for appointment requests nobody has answered yet. */
export async function ensureOpenAppointmentWorkflows(options: WorkflowOptions = {}): Promise<number> {
  const database = options.db ?? sharedDb();
  const requests = await database.models.AppointmentRequest.findAll({
    where: { status: 'requested', eventSeq: 1 },
    attributes: ['id'],
    order: [['id', 'ASC']],
  });
  return ensureEach(
    'appointment',
    requests.map((r) => r.id),
    (id) => ensureAppointmentWorkflow(id, options),
  );
}

export async function ensureOpenCaseWorkflows(options: WorkflowOptions = {}): Promise<{ tickets: number; appointments: number }> {
  return { tickets: await ensureOpenTicketWorkflows(options), appointments: await ensureOpenAppointmentWorkflows(options) };
}
