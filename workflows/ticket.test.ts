// The ticket workflow on Temporal's time-skipping test server, with the real activities against the
// test run's PostgreSQL: the organisation's SLA matrix in hours (its rule rows), and the clock moved
// past each escalation, the auto-close and the linger instead of waiting for them.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, test } from 'vitest';
import { Op } from 'sequelize';
import { createDb, type User } from '../db';
import { BUSINESS_DAY_MS, addBusinessTime } from '../domain/business-hours';
import type { TicketCategory, TicketPriority } from '../domain/sla';
import { openTicket, updateTicket, type OpenTicketInput } from '../server/tickets';
import { createOrgFixture, createUserFixture, type OrgFixture } from '../tests/support/fixtures';
import { recordHistory, startTimeSkipping, timeSkippingPerTest, type TimeSkipping } from '../tests/support/time-skipping';
import { getTicketStatus } from './shared/ticket';
import { ticketDedupeKey, ticketWorkflowId, type Actor, type TicketEventKind } from '../domain/contracts/ticket';

const db = createDb(inject('databaseUrl'));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let org: OrgFixture;
let tenant: User;
let otherTenant: User;
let manager: User;
let secondManager: User;

/** The organisation's own matrix, on the wall clock: [category, priority, reaction h, resolution h]. */
const HOURS_MATRIX: Array<[TicketCategory, TicketPriority, number, number]> = [
  ['reading', 'normal', 4, 8],
  ['general_question', 'low', 100, 6],
  ['statement_objection', 'normal', 100, 3],
  ['device_report', 'urgent', 100, 120],
];

beforeAll(async () => {
  org = await createOrgFixture(db, { managers: 2 });
  [manager, secondManager] = org.managers as [User, User];
  tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  otherTenant = await createUserFixture(db, org.organisation.id, 'tenant');
  await db.models.TicketSlaRule.bulkCreate(
    HOURS_MATRIX.map(([category, priority, reactionHours, resolutionHours]) => ({
      organisationId: org.organisation.id,
      category,
      priority,
      reactionSeconds: reactionHours * 3_600,
      resolutionSeconds: resolutionHours * 3_600,
      businessHours: false,
    })),
  );
});

afterAll(async () => {
  await db.close();
});

// Tickets are filed at the real now, so a test that moves the clock far needs a server of its own
// (its clock starts at the real now); tests that hardly move it share one.
let ts: TimeSkipping;
function serverPerTest() {
  const server = timeSkippingPerTest({ db });
  beforeEach(() => {
    ts = server.current;
  });
}
function serverPerBlock() {
  beforeAll(async () => {
    ts = await startTimeSkipping({ db });
  });
  afterAll(async () => {
    await ts?.stop();
  });
}

const actor = (user: User): Actor => ({ userId: user.id, name: user.name, role: user.role });
const options = () => ({ db, client: ts.client, taskQueue: ts.taskQueue });

async function file(overrides: Partial<OpenTicketInput> = {}) {
  return openTicket(
    {
      organisationId: org.organisation.id,
      propertyId: org.property.id,
      unitId: org.unit.id,
      createdBy: tenant.id,
      topic: 'reading',
      subject: 'Zählerstand Wasser',
      body: 'Mein Zählerstand wurde nicht übernommen.',
      ...overrides,
    },
    options(),
  );
}

async function events(ticketId: number, kind?: TicketEventKind) {
  return db.models.TicketEvent.findAll({ where: { ticketId, ...(kind ? { kind } : {}) }, order: [['seq', 'ASC']] });
}

async function update<C extends Parameters<typeof updateTicket>[1]>(
  ticketId: number,
  change: C,
  arg: Parameters<typeof updateTicket<C>>[2],
) {
  return updateTicket(ticketId, change, arg, options());
}

function status(ticketId: number) {
  return ts.client.workflow.getHandle(ticketWorkflowId(ticketId)).query(getTicketStatus);
}

async function openedAt(ticketId: number): Promise<number> {
  return (await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).createdAt.getTime();
}

/** Moves the server's clock to `ms`, firing every timer before it. */
async function skipTo(ms: number): Promise<void> {
  const now = await ts.now();
  if (ms > now) await ts.skip(ms - now);
}

async function told(ticketId: number, seq: number): Promise<number[]> {
  const rows = await db.models.Notification.findAll({ where: { dedupeKey: ticketDedupeKey(ticketId, seq) } });
  return rows.map((n) => n.userId).sort((a, b) => a - b);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('filing and changing', () => {
  serverPerBlock();

  test('writes the row and its first step, starts the workflow, and tells the managers and (as a receipt) the tenant', async () => {
    const { ticketId, workflowId } = await file();
    const ticket = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
    expect(ticket).toMatchObject({ status: 'open', category: 'reading', priority: 'normal', slaClock: 'calendar', eventSeq: 1 });
    expect(ticket.reactionDueAt!.getTime() - ticket.createdAt.getTime()).toBe(4 * HOUR);
    expect(ticket.resolutionDueAt!.getTime() - ticket.createdAt.getTime()).toBe(8 * HOUR);
    expect((await events(ticketId)).map((e) => e.kind)).toEqual(['created']);
    expect(workflowId).toBe(`ticket-${ticketId}`);

    await ts.skip('1 minute');
    const key = ticketDedupeKey(ticketId, 1);
    expect(await told(ticketId, 1)).toEqual(sorted([manager.id, secondManager.id, tenant.id]));
    const receipt = await db.models.Notification.findOne({ where: { dedupeKey: key, userId: tenant.id }, rejectOnEmpty: true });
    expect(receipt).toMatchObject({
      kind: 'ticket-created',
      title: `Ihr Anliegen #${ticketId} ist eingegangen`,
      link: `/anliegen/${ticketId}`,
    });
    // E-mails go out after the inbox entries are committed.
    const mails = await db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${key}:%` } } });
    expect(mails.map((m) => m.toAddress).sort()).toEqual([manager.email, secondManager.email, tenant.email].sort());
    expect(mails.find((m) => m.toAddress === manager.email)?.subject).toBe(
      `[Vorgang #${ticketId}] Neuer Vorgang #${ticketId}: Zählerstand Wasser`,
    );
  });

  test('triage: "kein Warmwasser" makes an urgent device report, on the wall clock', async () => {
    const { ticketId } = await file({ topic: 'hot_water', subject: 'Bad', body: 'Seit gestern kein Warmwasser!' });
    const ticket = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
    expect(ticket).toMatchObject({ category: 'device_report', priority: 'urgent', slaClock: 'calendar' });
    expect(ticket.triageReasons).toContain('Stichwort „kein Warmwasser“ → Dringend');
  });

  test('the channels follow each user’s preferences', async () => {
    await db.models.NotificationPreference.bulkCreate([
      { userId: manager.id, topic: 'ticket', inPortal: true, email: false },
      { userId: secondManager.id, topic: 'ticket', inPortal: false, email: true },
    ]);
    try {
      const { ticketId } = await file();
      await ts.skip('1 minute');
      const key = ticketDedupeKey(ticketId, 1);
      expect(await told(ticketId, 1)).toEqual(sorted([manager.id, tenant.id]));
      const mailed = await db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${key}:%` } } });
      expect(mailed.map((m) => m.toAddress).sort()).toEqual([secondManager.email, tenant.email].sort());
    } finally {
      await db.models.NotificationPreference.destroy({ where: { userId: [manager.id, secondManager.id] } });
    }
  });

  test('the manager’s override of category and priority moves the deadlines, keeping the time used', async () => {
    const { ticketId } = await file({ topic: 'statement_objection', subject: 'Einspruch', body: 'Bitte prüfen.' });
    await ts.skip(HOUR);
    const changed = await update(ticketId, 'recategorise', { actor: actor(manager), category: 'device_report', priority: 'urgent' });
    expect(changed.ok && changed.result).toMatchObject({
      category: 'device_report',
      priority: 'urgent',
      resolution: { budgetMs: 120 * HOUR },
    });
    // The time used since filing (an hour, on the server's clock) stays used under the new 120 h.
    const view = changed.ok ? changed.result : null;
    const used = Date.parse(view!.asOf) - (await openedAt(ticketId));
    expect(used).toBeGreaterThanOrEqual(HOUR);
    expect(Math.abs(view!.resolution.remainingMs - (120 * HOUR - used))).toBeLessThan(60_000);
    expect(await update(ticketId, 'recategorise', { actor: actor(manager), category: 'device_report', priority: 'urgent' })).toEqual({
      ok: false,
      message: 'Kategorie und Priorität sind unverändert.',
    });
    expect(await update(ticketId, 'recategorise', { actor: actor(tenant), category: 'reading', priority: 'low' })).toEqual({
      ok: false,
      message: 'Nur die Verwaltung kann Vorgänge zuweisen und einstufen.',
    });
    await ts.skip('1 minute');
    expect(await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).toMatchObject({
      category: 'device_report',
      priority: 'urgent',
    });
    const [event] = await events(ticketId, 'recategorised');
    expect(event).toMatchObject({ visibility: 'internal', body: 'Gerätemeldung, Dringend' });
  });

  // Last in the block: it moves the clock by working days.
  test('default deadlines run in business hours of the property’s state; the workflow agrees with the row', async () => {
    await org.property.update({ federalState: 'SN' });
    try {
      const { ticketId } = await file({ topic: 'device', subject: 'Heizkostenverteiler', body: 'Die Anzeige ist leer.' });
      const ticket = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
      const calendar = { federalState: 'SN' } as const;
      const opened = ticket.createdAt.getTime();
      expect(ticket).toMatchObject({ category: 'device_report', priority: 'normal', slaClock: 'business' });
      expect(ticket.reactionDueAt!.getTime()).toBe(addBusinessTime(opened, BUSINESS_DAY_MS, calendar));
      expect(ticket.resolutionDueAt!.getTime()).toBe(addBusinessTime(opened, 5 * BUSINESS_DAY_MS, calendar));
      const view = await status(ticketId);
      expect(view.reaction).toMatchObject({ clock: 'business', budgetMs: BUSINESS_DAY_MS, dueAt: ticket.reactionDueAt!.toISOString() });
      expect(view.resolution.dueAt).toBe(ticket.resolutionDueAt!.toISOString());

      // Working days later, the reaction deadline passes exactly when the row said.
      await skipTo(ticket.reactionDueAt!.getTime() + 60_000);
      const [breach] = await events(ticketId, 'sla_breached');
      expect(breach?.details).toMatchObject({ measure: 'reaction' });
      expect(Math.abs(breach!.at.getTime() - ticket.reactionDueAt!.getTime())).toBeLessThan(1_000);
    } finally {
      await org.property.update({ federalState: 'BE' });
    }
  });
});

describe('on a server of their own', () => {
  serverPerTest();

  describe('SLA timers (reaction 4 h, resolution 8 h)', () => {
    test('escalate at 75 % to the assignee and at the breach to the managers, each once; a resolved ticket closes itself after 14 days', async () => {
      const { ticketId, workflowId } = await file();
      const opened = await openedAt(ticketId);
      const assigned = await update(ticketId, 'assign', {
        actor: actor(manager),
        assigneeId: secondManager.id,
        assigneeName: secondManager.name,
      });
      expect(assigned.ok && assigned.result).toMatchObject({ status: 'in_progress', assigneeId: secondManager.id });

      await skipTo(opened + 3 * HOUR - 60_000);
      expect(await events(ticketId, 'sla_warning')).toHaveLength(0);
      await skipTo(opened + 2 * DAY);
      const warnings = await events(ticketId, 'sla_warning');
      const breaches = await events(ticketId, 'sla_breached');
      expect(warnings.map((e) => e.details.measure)).toEqual(['reaction', 'resolution']);
      expect(breaches.map((e) => e.details.measure)).toEqual(['reaction', 'resolution']);
      // Each at its instant: 75 % of 4 h and of 8 h, then 4 h and 8 h after filing.
      const offsets = [...warnings, ...breaches].map((e) => Math.round((e.at.getTime() - opened) / 1_000));
      expect(offsets).toEqual([3 * 3_600, 6 * 3_600, 4 * 3_600, 8 * 3_600]);
      expect(warnings.every((e) => e.visibility === 'internal')).toBe(true);

      // The warning went to the assignee only, the breach to the managers (the assignee is one of them).
      expect(await told(ticketId, warnings[0]!.seq)).toEqual([secondManager.id]);
      expect(await told(ticketId, breaches[0]!.seq)).toEqual(sorted([manager.id, secondManager.id]));
      const breachNote = await db.models.Notification.findOne({
        where: { dedupeKey: ticketDedupeKey(ticketId, breaches[0]!.seq), userId: manager.id },
        rejectOnEmpty: true,
      });
      expect(breachNote).toMatchObject({ kind: 'ticket-sla-breached', title: `Reaktionsfrist überschritten: Vorgang #${ticketId}` });
      const row = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
      expect(row.reactionBreachedAt).not.toBeNull();
      expect(row.resolutionBreachedAt).not.toBeNull();
      expect((await status(ticketId)).reaction).toMatchObject({ state: 'breached' });

      // A reply now meets the reaction late; nothing is escalated again.
      await update(ticketId, 'reply', { actor: actor(secondManager), text: 'Wir kümmern uns.' });
      expect((await status(ticketId)).reaction.state).toBe('met_late');

      // Resolved and not reopened: closed automatically 14 days later; the workflow ends 7 days after that.
      const resolved = await update(ticketId, 'resolve', { actor: actor(secondManager), text: 'Zählerstand nachgetragen.' });
      const resolvedAt = (await events(ticketId, 'resolved'))[0]!.at.getTime();
      expect(resolved.ok && resolved.result.autoCloseAt).toBe(new Date(resolvedAt + 14 * DAY).toISOString());
      await skipTo(resolvedAt + 14 * DAY - HOUR);
      expect((await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).status).toBe('resolved');
      await skipTo(resolvedAt + 14 * DAY + HOUR);
      const [closed] = await events(ticketId, 'closed');
      expect(closed).toMatchObject({ actorId: null, details: { automatic: true } });
      expect(await update(ticketId, 'reopen', { actor: actor(tenant), text: 'Doch nicht.' })).toEqual({
        ok: false,
        message: 'Ein geschlossener Vorgang kann nicht wieder geöffnet werden.',
      });
      await skipTo(resolvedAt + 21 * DAY + HOUR);
      const handle = ts.client.workflow.getHandle(workflowId);
      expect((await handle.result()).status).toBe('closed');
      expect((await events(ticketId)).map((e) => e.kind)).toEqual([
        'created',
        'assigned',
        'sla_warning',
        'sla_breached',
        'sla_warning',
        'sla_breached',
        'replied',
        'resolved',
        'closed',
      ]);
      await recordHistory(handle, 'escalations-reply-auto-close');
    });

    test('a reply in time meets the reaction deadline: no reaction escalation at all', async () => {
      const { ticketId } = await file();
      await update(ticketId, 'reply', { actor: actor(manager), text: 'Danke, wir prüfen das.' });
      await skipTo((await openedAt(ticketId)) + DAY);
      const escalations = [...(await events(ticketId, 'sla_warning')), ...(await events(ticketId, 'sla_breached'))];
      expect(escalations.map((e) => e.details.measure)).toEqual(['resolution', 'resolution']);
      expect((await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).reactedAt).not.toBeNull();
    });
  });

  describe('waiting for the tenant (resolution 6 h)', () => {
    test('pauses the resolution clock and resumes it with the time that was left', async () => {
      const { ticketId } = await file({ topic: 'other', subject: 'Frage', body: 'Wer ist zuständig?' });
      const opened = await openedAt(ticketId);
      await skipTo(opened + HOUR);
      const asked = await update(ticketId, 'askTenant', { actor: actor(manager), text: 'Welche Wohnung meinen Sie?' });
      expect(asked.ok && asked.result).toMatchObject({
        status: 'waiting_for_tenant',
        paused: true,
        reaction: { state: 'met' },
        resolution: { state: 'paused', dueAt: null },
      });
      const leftAtPause = asked.ok ? asked.result.resolution.remainingMs : 0;
      expect(Math.abs(leftAtPause - 5 * HOUR)).toBeLessThan(60_000);
      const paused = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
      expect(paused).toMatchObject({ status: 'waiting_for_tenant', resolutionDueAt: null });
      expect(paused.slaPausedAt).not.toBeNull();
      expect(Number(paused.resolutionRemainingMs)).toBe(leftAtPause);

      await ts.skip(3 * DAY); // far longer than the whole budget: a paused clock must not breach
      expect(await events(ticketId, 'sla_breached')).toHaveLength(0);
      expect((await status(ticketId)).resolution.remainingMs).toBe(leftAtPause);

      const wrongTenant = await update(ticketId, 'reply', { actor: actor(otherTenant), text: 'Ich auch!' });
      expect(wrongTenant).toEqual({
        ok: false,
        message: 'Nur die Verwaltung oder wer das Anliegen gestellt hat, kann diesen Schritt ausführen.',
      });
      const replied = await update(ticketId, 'reply', { actor: actor(tenant), text: 'Whg. 1.03.' });
      expect(replied.ok && replied.result).toMatchObject({ status: 'open', paused: false, resolution: { state: 'running' } });
      const resumedAt = (await events(ticketId, 'tenant_replied'))[0]!.at.getTime();
      expect(replied.ok && replied.result.resolution.dueAt).toBe(new Date(resumedAt + leftAtPause).toISOString());

      await skipTo(resumedAt + leftAtPause + HOUR);
      const [breach] = await events(ticketId, 'sla_breached');
      const [resume] = await events(ticketId, 'tenant_replied');
      expect(resume!.details).toEqual({ resumed: true });
      expect(breach!.at.getTime() - resume!.at.getTime()).toBeGreaterThanOrEqual(leftAtPause);
      expect(breach!.at.getTime() - resume!.at.getTime()).toBeLessThan(leftAtPause + 1_000);
    });
  });

  describe('resolve, reopen, close (resolution 3 h)', () => {
    test('a reopen starts a new round with its own deadline; closing refuses everything after with a clear message', async () => {
      const { ticketId, workflowId } = await file({ topic: 'statement_objection', subject: 'Einspruch', body: 'Die Fläche ist falsch.' });
      const resolved = await update(ticketId, 'resolve', { actor: actor(manager), text: 'Fläche korrigiert.' });
      expect(resolved.ok && resolved.result).toMatchObject({ status: 'resolved', resolution: { state: 'met' } });
      expect(await update(ticketId, 'resolve', { actor: actor(manager), text: 'Nochmal' })).toEqual({
        ok: false,
        message: 'Der Vorgang ist bereits gelöst.',
      });
      await ts.skip(4 * HOUR);
      expect(await events(ticketId, 'sla_breached')).toHaveLength(0);

      const reopened = await update(ticketId, 'reopen', { actor: actor(tenant), text: 'Die Fläche stimmt immer noch nicht.' });
      expect(reopened.ok && reopened.result).toMatchObject({
        status: 'open',
        round: 2,
        resolution: { state: 'running', breachedAt: null },
      });
      const reopenedAt = (await events(ticketId, 'reopened'))[0]!.at.getTime();
      expect(reopened.ok && reopened.result.resolution.dueAt).toBe(new Date(reopenedAt + 3 * HOUR).toISOString());
      await skipTo(reopenedAt + 4 * HOUR);
      const [breach] = await events(ticketId, 'sla_breached');
      expect(breach!.details).toMatchObject({ measure: 'resolution', round: 2 });

      expect(await update(ticketId, 'reopen', { actor: actor(tenant), text: 'x' })).toEqual({
        ok: false,
        message: 'Der Vorgang ist nicht gelöst und muss nicht wieder geöffnet werden.',
      });
      expect(await update(ticketId, 'askTenant', { actor: actor(tenant), text: 'Frage?' })).toEqual({
        ok: false,
        message: 'Nur die Verwaltung kann diesen Schritt ausführen.',
      });

      const closed = await update(ticketId, 'close', { actor: actor(manager), text: '' });
      expect(closed.ok && closed.result.status).toBe('closed');
      expect(await update(ticketId, 'resolve', { actor: actor(manager), text: 'Gelöst' })).toEqual({
        ok: false,
        message: 'Ein geschlossener Vorgang kann nicht gelöst werden.',
      });
      expect(await update(ticketId, 'recategorise', { actor: actor(manager), category: 'reading', priority: 'high' })).toEqual({
        ok: false,
        message: 'Der Vorgang ist geschlossen und kann nicht mehr geändert werden.',
      });

      // A week after closing the workflow ends; an update then gets the app's message for an ended ticket.
      await ts.skip(7 * DAY + HOUR);
      const handle = ts.client.workflow.getHandle(workflowId);
      expect((await handle.result()).status).toBe('closed');
      expect(await update(ticketId, 'resolve', { actor: actor(manager), text: 'Gelöst' })).toEqual({
        ok: false,
        message: 'Der Vorgang ist abgeschlossen und kann nicht mehr geändert werden.',
      });

      const history = (await events(ticketId)).map((e) => e.kind);
      expect(history).toEqual(['created', 'resolved', 'reopened', 'sla_warning', 'sla_breached', 'closed']);
      expect(new Set((await events(ticketId)).map((e) => e.seq)).size).toBe(history.length);
      expect(await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).toMatchObject({ status: 'closed', round: 2, eventSeq: 6 });
      await recordHistory(handle, 'resolve-reopen-close');
    });
  });
});
