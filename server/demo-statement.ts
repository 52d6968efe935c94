// Last year's heating statement in the demo (issue 10 item 7): after `npm start`, one demo property's
// statement goes the manager's way through the same services as the pages (save the draft → approve,
// which renders the PDFs → deliver), so tenants with an active portal account get it in the portal and
// the others by letter (dispatched today, received 3 days later); then the demo tenant opens hers.
// The statement page shows mixed states at once: zugestellt, geöffnet, per Post.
//
// Idempotent and resumable: the statement is looked up by property and period; a restart continues
// version 1 where it stands (a crash between two steps) and creates nothing new. A property whose
// statement the manager has corrected (a version 2) is left alone.
import { QueryTypes } from 'sequelize';
import { DEMO_LOGINS } from '../db/seed/demo';
import { DEMO_STATEMENT_PROPERTY, demoStatementPeriod, demoStatementRequest } from '../db/seed/statement';
import { calendarDate } from '../domain/calendar';
import type { LifecycleState } from '../domain/statement-lifecycle';
import { statementWorkflowId } from '../domain/contracts/statement';
import { db } from './db';
import { QUEUED_REASON } from './outbox';
import type { RequestContext } from './request';
import type { SessionUser } from './session';
import { approve, deliver, lifecycleActor, lifecycleStatus, recordTenantOpening, saveStatementDraft } from './statement-lifecycle';
import { findTenantStatement } from './statements';
import { UPDATE_NO_ANSWER, startPending, temporalClient, type UpdateOutcome } from './temporal';

/** The demo's steps are taken on this machine by `npm start`: its proof names the loopback address. */
const DEMO_CONTEXT: RequestContext = { clientIp: '127.0.0.1' };

export interface DemoStatementOptions {
  /** The day the demo runs on (Berlin); default today. The statement covers the calendar year before. */
  today?: string;
  log?: (line: string) => void;
  /** How long to wait for the worker (first start: it bundles its workflows) and for each step. */
  stepTimeoutMs?: number;
  pollMs?: number;
}

export type DemoStatementOutcome =
  | { done: false; reason: string }
  | { done: true; statementId: number; version: number; created: boolean; steps: string[]; recipients: { portal: number; post: number } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sessionUserOf(email: string): Promise<SessionUser | null> {
  const [user] = await db().sequelize.query<SessionUser>(
    `SELECT u.id, u.organisation_id AS "organisationId", o.name AS "organisationName", u.email, u.name, u.role
       FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.email = :email`,
    { replacements: { email }, type: QueryTypes.SELECT },
  );
  return user ?? null;
}

function demoLogin(role: 'manager' | 'tenant'): string {
  const login = DEMO_LOGINS.find((l) => l.role === role);
  if (!login) throw new Error(`the demo has no ${role} login`);
  return login.email;
}

/** Polls `check` until it returns a value, at most `timeoutMs`; `what` names it in the error. */
async function waitFor<T>(what: string, check: () => Promise<T | null>, timeoutMs: number, pollMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`${what}: not reached within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(pollMs);
  }
}

/**
 * Brings version 1 of last year's statement of the demo property to "delivered and opened by the
 * demo tenant". Without the demo's manager, property or readings it does nothing and says why.
 */
export async function deliverDemoStatement(options: DemoStatementOptions = {}): Promise<DemoStatementOutcome> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.stepTimeoutMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 2_000;
  const database = db();
  const manager = await sessionUserOf(demoLogin('manager'));
  if (!manager) return { done: false, reason: 'no demo manager' };
  const property = await database.models.Property.findOne({
    where: { organisationId: manager.organisationId, name: DEMO_STATEMENT_PROPERTY },
  });
  if (!property) return { done: false, reason: `no demo property ${DEMO_STATEMENT_PROPERTY}` };
  const period = demoStatementPeriod(options.today ?? calendarDate(new Date()));
  const versions = await database.models.Statement.findAll({
    where: { propertyId: property.id, periodStart: period.start, periodEnd: period.end },
    attributes: ['id', 'version'],
    order: [['version', 'ASC']],
  });
  if (versions.length > 1) return { done: false, reason: 'the manager has corrected the demo statement' };

  const steps: string[] = [];
  let first = versions[0];
  if (!first) {
    const [house] = await database.sequelize.query<{ area: number; units: number }>(
      'SELECT coalesce(sum(area_m2), 0)::float AS area, count(*)::int AS units FROM units WHERE property_id = :propertyId',
      { replacements: { propertyId: property.id }, type: QueryTypes.SELECT },
    );
    const request = demoStatementRequest(property.id, period, { heatedAreaM2: house?.area ?? 0, units: house?.units ?? 0 });
    const id = await saveStatementDraft(manager, request, DEMO_CONTEXT);
    first = await database.models.Statement.findByPk(id, { attributes: ['id', 'version'], rejectOnEmpty: true });
    steps.push('saved');
    log(`Demo statement ${DEMO_STATEMENT_PROPERTY} ${period.start}–${period.end}: draft saved (statement ${id}).`);
  }
  const ref = { id: first.id, version: first.version };
  const actor = await lifecycleActor(manager, property.id, DEMO_CONTEXT);

  /** The version's state as its workflow tells it; waits while the worker is not up yet (first start) or the start is queued. */
  const liveState = () =>
    waitFor(
      `statement ${ref.id} v${ref.version} answering`,
      async () => {
        const live = await lifecycleStatus(ref);
        if (live.available) return live.status.state;
        // Ended (final or superseded): nothing to do, the database knows its state.
        if (live.missing) return (await database.models.Statement.findByPk(ref.id, { rejectOnEmpty: true })).status as LifecycleState;
        return null;
      },
      timeoutMs,
      pollMs,
    );

  /** Runs a step from `from`; an update that outlasted its deadline goes on in the workflow: waited for, not repeated. */
  const step = async (name: string, from: LifecycleState, run: () => Promise<UpdateOutcome<unknown>>, announce?: string) => {
    if ((await liveState()) !== from) return;
    if (announce) log(announce);
    for (;;) {
      const outcome = await run();
      if (outcome.ok) break;
      if (outcome.message === QUEUED_REASON) {
        await sleep(pollMs);
        continue;
      }
      if (outcome.message !== UPDATE_NO_ANSWER) throw new Error(`demo statement ${name}: ${outcome.message}`);
      await waitFor(`statement ${ref.id} ${name}`, async () => ((await liveState()) === from ? null : true), timeoutMs, pollMs);
      break;
    }
    steps.push(name);
  };

  await step('approved', 'draft', () => approve(ref, actor), `Demo statement ${ref.id}: approving (renders every tenant's PDF) …`);
  // "portal": the portal for tenants with an active account, a letter posted today to the others.
  await step('delivered', 'approved', () => deliver(ref, { actor, channel: 'portal' }));

  const tenant = await sessionUserOf(demoLogin('tenant'));
  const own = tenant && (await findTenantStatement(tenant, ref.id, null));
  if (tenant && own && !(await openedBy(ref, tenant.id))) {
    // As a tenant would open it minutes later: once her own workflow runs (docs/decisions/0013). Her row
    // names it from the delivery on; an opening in the second before its start waits for the worker's
    // outbox relay, which this may run without.
    if (steps.includes('delivered'))
      await waitFor(`statement ${ref.id}: the tenant's workflow`, () => ownWorkflowStarted(ref, tenant.id), timeoutMs, pollMs);
    // What the tenant's page does when she confirms she has seen it; her workflow proves it (outbox signal).
    await recordTenantOpening(tenant, own, 'view', DEMO_CONTEXT);
    await waitFor(`statement ${ref.id} opened`, () => openedBy(ref, tenant.id), timeoutMs, pollMs);
    steps.push('opened');
  }
  const recipients = await channelCounts(ref);
  log(
    `Demo statement ${ref.id} v${ref.version}: ${steps.length > 0 ? steps.join(', ') : 'already delivered'}; ` +
      `${recipients.portal} recipients in the portal, ${recipients.post} by post.`,
  );
  return { done: true, statementId: ref.id, version: ref.version, created: steps.includes('saved'), steps, recipients };
}

async function ownWorkflowStarted(ref: { id: number; version: number }, userId: number): Promise<true | null> {
  const [row] = await db().sequelize.query<{ workflowId: string | null }>(
    `SELECT workflow_id AS "workflowId" FROM statement_recipients WHERE statement_id = :id AND version = :version AND user_id = :userId`,
    { replacements: { ...ref, userId }, type: QueryTypes.SELECT },
  );
  if (!row?.workflowId) return null;
  return (await startPending(temporalClient(), row.workflowId, statementWorkflowId(ref.id, ref.version))) ? null : true;
}

async function openedBy(ref: { id: number; version: number }, userId: number): Promise<true | null> {
  const rows = await db().sequelize.query(
    `SELECT 1 FROM statement_recipients WHERE statement_id = :id AND version = :version AND user_id = :userId AND opened_at IS NOT NULL`,
    { replacements: { ...ref, userId }, type: QueryTypes.SELECT },
  );
  return rows.length > 0 ? true : null;
}

async function channelCounts(ref: { id: number; version: number }): Promise<{ portal: number; post: number }> {
  const [row] = await db().sequelize.query<{ portal: number; post: number }>(
    `SELECT count(*) FILTER (WHERE channel = 'portal')::int AS portal, count(*) FILTER (WHERE channel = 'post')::int AS post
       FROM statement_recipients WHERE statement_id = :id AND version = :version`,
    { replacements: ref, type: QueryTypes.SELECT },
  );
  return row ?? { portal: 0, post: 0 };
}
