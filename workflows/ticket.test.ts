// The ticket workflow against the real Temporal dev server and PostgreSQL of the test run, with an
// SLA matrix in seconds (the organisation's override rows): timers really fire, escalations are
// really written and told, once.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';

import type { Client } from '@temporalio/client';

import { Op } from 'sequelize';

import { createDb, type User } from '../db';

import { BUSINESS_DAY_MS, addBusinessTime } from '../domain/business-hours';

import type { TicketCategory, TicketPriority } from '../domain/sla';

import { openTicket, updateTicket, type OpenTicketInput } from '../server/tickets';

import { eventually, sleep } from '../tests/support/eventually';

import { createOrgFixture, createUserFixture, uniqueSuffix, type OrgFixture } from '../tests/support/fixtures';

import { bundleWorkflows, connectTestClient, startTestWorker, type RunningWorker, type TestClient } from '../tests/support/temporal';

import { getTicketStatus } from './shared/ticket';
import { ticketDedupeKey, ticketWorkflowId, type Actor, type TicketEventKind } from '../domain/contracts/ticket';

const db = createDb(inject('databaseUrl'));
const taskQueue = `tickets-${uniqueSuffix()}`;
let temporal: TestClient;
let client: Client;
let worker: RunningWorker;
let org: OrgFixture;
let tenant: User;
let otherTenant: User;
let manager: User;
let secondManager: User;

/** Seconds instead of working days: [category, priority, reaction s, resolution s]. */
const SECONDS_MATRIX: Array<[TicketCategory, TicketPriority, number, number]> = [
  ['reading', 'normal', 4, 8],
  ['general_question', 'low', 60, 6],
  ['statement_objection', 'normal', 60, 3],
  ['device_report', 'urgent', 60, 120],
];

beforeAll(async () => {
  const bundle = await bundleWorkflows();
  temporal = await connectTestClient();
  client = temporal.client;
  worker = await startTestWorker({ taskQueue, db, workflowBundle: bundle });
  org = await createOrgFixture(db, { managers: 2 });
  [manager, secondManager] = org.managers;
  tenant = await createUserFixture(db, org.organisation.id, 'tenant');
  otherTenant = await createUserFixture(db, org.organisation.id, 'tenant');
  await db.models.TicketSlaRule.bulkCreate(
    SECONDS_MATRIX.map(([category, priority, reactionSeconds, resolutionSeconds]) => ({
      organisationId: org.organisation.id,
      category,
      priority,
      reactionSeconds,
      resolutionSeconds,
      businessHours: false,
    })),
  );
});

afterAll(async () => {
  await worker?.stop();
  await temporal?.close();
  await db.close();
});

const actor = (user: User): Actor => ({ userId: user.id, name: user.name, role: user.role });
const options = () => ({ db, client, taskQueue, timing: { closedLingerMs: 1_500 } });

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
  return updateTicket(ticketId, change, arg, { db, client, taskQueue });
}

function status(ticketId: number) {
  return client.workflow.getHandle(ticketWorkflowId(ticketId)).query(getTicketStatus);
}

describe('filing', () => {
  test('writes the row and its first step, starts the workflow, and tells the managers and (as a receipt) the tenant', async () => {
    const { ticketId, workflowId } = await file();
    const ticket = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
    expect(ticket).toMatchObject({ status: 'open', category: 'reading', priority: 'normal', slaClock: 'calendar', eventSeq: 1 });
    expect(ticket.reactionDueAt!.getTime() - ticket.createdAt.getTime()).toBe(4_000);
    expect(ticket.resolutionDueAt!.getTime() - ticket.createdAt.getTime()).toBe(8_000);
    expect((await events(ticketId)).map((e) => e.kind)).toEqual(['created']);
    expect(workflowId).toBe(`ticket-${ticketId}`);

    const key = ticketDedupeKey(ticketId, 1);
    await eventually(async () => {
      const notified = await db.models.Notification.findAll({ where: { dedupeKey: key } });
      expect(notified.map((n) => n.userId).sort((a, b) => a - b)).toEqual([manager.id, secondManager.id, tenant.id].sort((a, b) => a - b));
    });
    const receipt = await db.models.Notification.findOne({ where: { dedupeKey: key, userId: tenant.id }, rejectOnEmpty: true });
    expect(receipt).toMatchObject({
      kind: 'ticket-created',
      title: `Ihr Anliegen #${ticketId} ist eingegangen`,
      link: `/anliegen/${ticketId}`,
    });
    // E-mails go out after the inbox entries are committed.
    const mails = await eventually(async () => {
      const rows = await db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${key}:%` } } });
      expect(rows.map((m) => m.toAddress).sort()).toEqual([manager.email, secondManager.email, tenant.email].sort());
      return rows;
    });
    expect(mails.find((m) => m.toAddress === manager.email)?.subject).toBe(
      `[Vorgang #${ticketId}] Neuer Vorgang #${ticketId}: Zählerstand Wasser`,
    );
    await client.workflow.getHandle(workflowId).terminate();
  });

  test('triage: "kein Warmwasser" makes an urgent device report, on the wall clock', async () => {
    const { ticketId, workflowId } = await file({ topic: 'hot_water', subject: 'Bad', body: 'Seit gestern kein Warmwasser!' });
    const ticket = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
    expect(ticket).toMatchObject({ category: 'device_report', priority: 'urgent', slaClock: 'calendar' });
    expect(ticket.triageReasons).toContain('Stichwort „kein Warmwasser“ → Dringend');
    await client.workflow.getHandle(workflowId).terminate();
  });

  test('default deadlines run in business hours of the property’s state; the workflow agrees with the row', async () => {
    await org.property.update({ federalState: 'SN' });
    try {
      const { ticketId, workflowId } = await file({ topic: 'device', subject: 'Heizkostenverteiler', body: 'Die Anzeige ist leer.' });
      const ticket = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
      const calendar = { federalState: 'SN' } as const;
      const opened = ticket.createdAt.getTime();
      expect(ticket).toMatchObject({ category: 'device_report', priority: 'normal', slaClock: 'business' });
      expect(ticket.reactionDueAt!.getTime()).toBe(addBusinessTime(opened, BUSINESS_DAY_MS, calendar));
      expect(ticket.resolutionDueAt!.getTime()).toBe(addBusinessTime(opened, 5 * BUSINESS_DAY_MS, calendar));
      const view = await status(ticketId);
      expect(view.reaction).toMatchObject({ clock: 'business', budgetMs: BUSINESS_DAY_MS, dueAt: ticket.reactionDueAt!.toISOString() });
      expect(view.resolution.dueAt).toBe(ticket.resolutionDueAt!.toISOString());
      await client.workflow.getHandle(workflowId).terminate();
    } finally {
      await org.property.update({ federalState: 'BE' });
    }
  });

  test('the channels follow each user’s preferences', async () => {
    await db.models.NotificationPreference.bulkCreate([
      { userId: manager.id, topic: 'ticket', inPortal: true, email: false },
      { userId: secondManager.id, topic: 'ticket', inPortal: false, email: true },
    ]);
    try {
      const { ticketId, workflowId } = await file();
      const key = ticketDedupeKey(ticketId, 1);
      await eventually(async () => expect(await db.models.Mail.count({ where: { dedupeKey: { [Op.like]: `${key}:%` } } })).toBe(2));
      const inbox = await db.models.Notification.findAll({ where: { dedupeKey: key } });
      expect(inbox.map((n) => n.userId).sort((a, b) => a - b)).toEqual([manager.id, tenant.id].sort((a, b) => a - b));
      const mailed = await db.models.Mail.findAll({ where: { dedupeKey: { [Op.like]: `${key}:%` } } });
      expect(mailed.map((m) => m.toAddress).sort()).toEqual([secondManager.email, tenant.email].sort());
      await client.workflow.getHandle(workflowId).terminate();
    } finally {
      await db.models.NotificationPreference.destroy({ where: { userId: [manager.id, secondManager.id] } });
    }
  });
});

describe('SLA timers (reaction 4 s, resolution 8 s)', () => {
  test('escalate at 75 % to the assignee and at the breach to the managers, each exactly once', async () => {
    const { ticketId } = await file();
    const opened = (await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).createdAt.getTime();
    const assigned = await update(ticketId, 'assign', {
      actor: actor(manager),
      assigneeId: secondManager.id,
      assigneeName: secondManager.name,
    });
    expect(assigned.ok && assigned.result).toMatchObject({ status: 'in_progress', assigneeId: secondManager.id });

    await eventually(async () => expect(await events(ticketId, 'sla_breached')).toHaveLength(2), { timeoutMs: 15_000 });
    await sleep(1_500); // nothing more may come
    const warnings = await events(ticketId, 'sla_warning');
    const breaches = await events(ticketId, 'sla_breached');
    expect(warnings.map((e) => e.details.measure)).toEqual(['reaction', 'resolution']);
    expect(breaches.map((e) => e.details.measure)).toEqual(['reaction', 'resolution']);
    const offsets = [...warnings, ...breaches].map((e) => e.at.getTime() - opened);
    expect(offsets[0]).toBeGreaterThanOrEqual(3_000); // reaction warning at 75 % of 4 s
    expect(offsets[1]).toBeGreaterThanOrEqual(6_000); // resolution warning at 75 % of 8 s
    expect(offsets[2]).toBeGreaterThanOrEqual(4_000);
    expect(offsets[3]).toBeGreaterThanOrEqual(8_000);
    expect(offsets.every((offset) => offset < 8_000 + 3_000)).toBe(true);
    expect(warnings.every((e) => e.visibility === 'internal')).toBe(true);

    // The warning went to the assignee only, the breach to the managers (the assignee is one of them).
    const told = async (seq: number) =>
      (await db.models.Notification.findAll({ where: { dedupeKey: ticketDedupeKey(ticketId, seq) } })).map((n) => n.userId).sort();
    await eventually(async () => expect(await told(warnings[0].seq)).toEqual([secondManager.id]));
    await eventually(async () => expect(await told(breaches[0].seq)).toEqual([manager.id, secondManager.id].sort()));
    const breachNote = await db.models.Notification.findOne({
      where: { dedupeKey: ticketDedupeKey(ticketId, breaches[0].seq), userId: manager.id },
      rejectOnEmpty: true,
    });
    expect(breachNote).toMatchObject({ kind: 'ticket-sla-breached', title: `Reaktionsfrist überschritten: Vorgang #${ticketId}` });

    const row = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
    expect(row.reactionBreachedAt).not.toBeNull();
    expect(row.resolutionBreachedAt).not.toBeNull();
    const view = await status(ticketId);
    expect(view.reaction).toMatchObject({ state: 'breached' });
    expect(view.resolution.remainingMs).toBeLessThan(0);

    // A reply now meets the reaction late; nothing is escalated again.
    await update(ticketId, 'reply', { actor: actor(secondManager), text: 'Wir kümmern uns.' });
    expect((await status(ticketId)).reaction.state).toBe('met_late');
    await client.workflow.getHandle(ticketWorkflowId(ticketId)).terminate();
  });

  test('a reply in time meets the reaction deadline: no reaction escalation at all', async () => {
    const { ticketId } = await file();
    await update(ticketId, 'reply', { actor: actor(manager), text: 'Danke, wir prüfen das.' });
    await eventually(async () => expect(await events(ticketId, 'sla_breached')).toHaveLength(1), { timeoutMs: 15_000 });
    const escalations = [...(await events(ticketId, 'sla_warning')), ...(await events(ticketId, 'sla_breached'))];
    expect(escalations.map((e) => e.details.measure)).toEqual(['resolution', 'resolution']);
    expect((await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).reactedAt).not.toBeNull();
    await client.workflow.getHandle(ticketWorkflowId(ticketId)).terminate();
  });
});

describe('waiting for the tenant (resolution 6 s)', () => {
  test('pauses the resolution clock and resumes it with the time that was left', async () => {
    const { ticketId } = await file({ topic: 'other', subject: 'Frage', body: 'Wer ist zuständig?' });
    await sleep(1_000);
    const asked = await update(ticketId, 'askTenant', { actor: actor(manager), text: 'Welche Wohnung meinen Sie?' });
    expect(asked.ok && asked.result).toMatchObject({
      status: 'waiting_for_tenant',
      paused: true,
      reaction: { state: 'met' },
      resolution: { state: 'paused', dueAt: null },
    });
    const leftAtPause = asked.ok ? asked.result.resolution.remainingMs : 0;
    expect(leftAtPause).toBeGreaterThan(4_000);
    expect(leftAtPause).toBeLessThan(5_500);
    const paused = await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true });
    expect(paused).toMatchObject({ status: 'waiting_for_tenant', resolutionDueAt: null });
    expect(paused.slaPausedAt).not.toBeNull();
    expect(Number(paused.resolutionRemainingMs)).toBe(leftAtPause);

    await sleep(7_000); // longer than the whole budget: a paused clock must not breach
    expect(await events(ticketId, 'sla_breached')).toHaveLength(0);
    expect((await status(ticketId)).resolution.remainingMs).toBe(leftAtPause);

    const wrongTenant = await update(ticketId, 'reply', { actor: actor(otherTenant), text: 'Ich auch!' });
    expect(wrongTenant).toEqual({
      ok: false,
      message: 'Nur die Verwaltung oder wer das Anliegen gestellt hat, kann diesen Schritt ausführen.',
    });
    const replied = await update(ticketId, 'reply', { actor: actor(tenant), text: 'Whg. 1.03.' });
    const resumedAt = Date.now();
    expect(replied.ok && replied.result).toMatchObject({ status: 'open', paused: false, resolution: { state: 'running' } });
    const dueAfterResume = replied.ok ? Date.parse(replied.result.resolution.dueAt!) : 0;
    expect(Math.abs(dueAfterResume - (resumedAt + leftAtPause))).toBeLessThan(1_000);

    await eventually(async () => expect(await events(ticketId, 'sla_breached')).toHaveLength(1), { timeoutMs: 10_000 });
    const [breach] = await events(ticketId, 'sla_breached');
    const [resume] = await events(ticketId, 'tenant_replied');
    expect(resume.details).toEqual({ resumed: true });
    expect(breach.at.getTime() - resume.at.getTime()).toBeGreaterThanOrEqual(leftAtPause - 50);
    expect(breach.at.getTime() - resume.at.getTime()).toBeLessThan(leftAtPause + 1_500);
    await client.workflow.getHandle(ticketWorkflowId(ticketId)).terminate();
  });
});

describe('resolve, reopen, close (resolution 3 s)', () => {
  test('a reopen starts a new round with its own deadline; closing refuses everything after with a clear message', async () => {
    const { ticketId } = await file({ topic: 'statement_objection', subject: 'Einspruch', body: 'Die Fläche ist falsch.' });
    const resolved = await update(ticketId, 'resolve', { actor: actor(manager), text: 'Fläche korrigiert.' });
    expect(resolved.ok && resolved.result).toMatchObject({ status: 'resolved', resolution: { state: 'met' } });
    expect(await update(ticketId, 'resolve', { actor: actor(manager), text: 'Nochmal' })).toEqual({
      ok: false,
      message: 'Der Vorgang ist bereits gelöst.',
    });
    await sleep(3_500);
    expect(await events(ticketId, 'sla_breached')).toHaveLength(0);

    const reopened = await update(ticketId, 'reopen', { actor: actor(tenant), text: 'Die Fläche stimmt immer noch nicht.' });
    const reopenedAt = Date.now();
    expect(reopened.ok && reopened.result).toMatchObject({ status: 'open', round: 2, resolution: { state: 'running', breachedAt: null } });
    expect(Math.abs(Date.parse(reopened.ok ? reopened.result.resolution.dueAt! : '') - (reopenedAt + 3_000))).toBeLessThan(1_000);
    await eventually(async () => expect(await events(ticketId, 'sla_breached')).toHaveLength(1), { timeoutMs: 10_000 });
    expect((await events(ticketId, 'sla_breached'))[0].details).toMatchObject({ measure: 'resolution', round: 2 });

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

    // After the linger the workflow ends; an update then gets the app's message for an ended ticket.
    const final = await client.workflow.getHandle(ticketWorkflowId(ticketId)).result();
    expect(final.status).toBe('closed');
    expect(await update(ticketId, 'resolve', { actor: actor(manager), text: 'Gelöst' })).toEqual({
      ok: false,
      message: 'Der Vorgang ist abgeschlossen und kann nicht mehr geändert werden.',
    });

    const history = (await events(ticketId)).map((e) => e.kind);
    expect(history).toEqual(['created', 'resolved', 'reopened', 'sla_warning', 'sla_breached', 'closed']);
    expect(new Set((await events(ticketId)).map((e) => e.seq)).size).toBe(history.length);
    expect(await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).toMatchObject({ status: 'closed', round: 2, eventSeq: 6 });
  });

  test('the manager’s override of category and priority moves the deadlines, keeping the time used', async () => {
    const { ticketId } = await file({ topic: 'statement_objection', subject: 'Einspruch', body: 'Bitte prüfen.' });
    const changed = await update(ticketId, 'recategorise', { actor: actor(manager), category: 'device_report', priority: 'urgent' });
    expect(changed.ok && changed.result).toMatchObject({
      category: 'device_report',
      priority: 'urgent',
      resolution: { budgetMs: 120_000 },
    });
    expect(await update(ticketId, 'recategorise', { actor: actor(manager), category: 'device_report', priority: 'urgent' })).toEqual({
      ok: false,
      message: 'Kategorie und Priorität sind unverändert.',
    });
    expect(await update(ticketId, 'recategorise', { actor: actor(tenant), category: 'reading', priority: 'low' })).toEqual({
      ok: false,
      message: 'Nur die Verwaltung kann diesen Schritt ausführen.',
    });
    await eventually(async () =>
      expect(await db.models.Ticket.findByPk(ticketId, { rejectOnEmpty: true })).toMatchObject({
        category: 'device_report',
        priority: 'urgent',
      }),
    );
    const [event] = await events(ticketId, 'recategorised');
    expect(event).toMatchObject({ visibility: 'internal', body: 'Gerätemeldung, Dringend' });
    await client.workflow.getHandle(ticketWorkflowId(ticketId)).terminate();
  });
});
