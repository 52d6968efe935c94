// `npm run bench -- delivery` (issue 10 item 7): a statement of BENCH_RECIPIENTS (default 1,000)
// recipients approved and delivered end to end: the manager's services (server/statement-lifecycle.ts)
// drive the version's workflow on a worker process of its own (the production worker, bench DB,
// isolated Temporal dev server); the approval renders and stores every recipient's PDF, the delivery
// proves each recipient's channel (one tenant in 10 has a portal account, the others get letters).
// Reported: recipients per second over approval + delivery wall time, against the renderer's rate
// measured in the same run (statement PDFs per second of the same renderer code with the worker's
// concurrency, 1: it renders one PDF after the other), before and after the delivery; target ≥ 0.8
// of it. Then the time until every tenant's workflow has stored its own chain with a signed head.
// Also the peak resident memory of the worker and of this process, and the load average.
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import type { Db } from '../../db';
import { loadStatement } from '../../db/statements';
import { demoPasswordHash } from '../../db/seed/demo';
import { seedProperty, serialCounter } from '../../db/seed/portfolio';
import { seededRandom } from '../../db/seed/random';
import { demoStatementPeriod, demoStatementRequest } from '../../db/seed/statement';
import { calendarDate } from '../../domain/calendar';
import type { StatementStatus } from '../../domain/statement-lifecycle';
import { createPdfRenderer } from '../../server/pdf';
import { renderStatementPdf, statementAddressees, statementDocumentModel } from '../../server/statement-documents';
import { approve, deliver, saveStatementDraft, type LifecycleOptions } from '../../server/statement-lifecycle';
import { UPDATE_NO_ANSWER, type UpdateOutcome } from '../../server/temporal';
import type { SessionUser } from '../../server/session';
import { interleavedRates } from './billing';
import { measured, startWorkerProcess, stopWorkerProcess } from './processes';
import { log, startBenchEnvironment, timed } from './setup';
import { round } from './stats';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 1_000);
/** PDFs of the renderer's rate, each before and after the delivery. */
const RATE_PDFS = Number(process.env.BENCH_RATE_PDFS ?? 30);
const TARGET_RATIO = 0.8;
const TASK_QUEUE = 'klarmeter-bench-delivery';
/** One tenant in this many has an active portal account; the others get letters. */
const PORTAL_EVERY = 10;
/** The worker renders one PDF after the other (renderStatementDocuments). */
const WORKER_RENDER_CONCURRENCY = 1;

const load = () => loadavg().map((value) => round(value, 2));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A house of `recipients` flats in an organisation of its own (a fresh one per run: the Temporal
 * server is fresh too), every tenant living there all period, readings at its start and end; one
 * tenant in PORTAL_EVERY with an account. Returns the property and a manager to act as.
 */
async function seedHouse(db: Db, recipients: number, today: string) {
  const { Organisation, User, Tenancy, Reading } = db.models;
  const run = Date.now().toString(36);
  const org = await Organisation.create({ name: `Zustell-Benchmark ${run} (${recipients} Empfänger)` });
  const passwordHash = await demoPasswordHash();
  const manager = await User.create({
    organisationId: org.id,
    email: `verwaltung-${run}@bench.invalid`,
    name: 'Bench',
    role: 'manager',
    passwordHash,
  });
  const serials = serialCounter(new Set((await db.models.Device.findAll({ attributes: ['serial'], raw: true })).map((d) => d.serial)));
  const { propertyId, unitIds } = await db.sequelize.transaction((transaction) =>
    seedProperty(
      db,
      org.id,
      {
        name: `Zustellweg ${run}`,
        street: `Zustellweg ${run}`,
        postalCode: '10115',
        city: 'Berlin',
        federalState: 'BE',
        units: recipients,
      },
      { today, random: seededRandom(recipients), serials, profile: 'compact', transaction },
    ),
  );
  const period = demoStatementPeriod(today);
  // Everybody lived there all period (one recipient per flat) and every device was installed before it.
  await db.sequelize.query(`UPDATE tenancies SET starts_on = '2015-01-01' WHERE unit_id IN (:unitIds)`, { replacements: { unitIds } });
  await db.sequelize.query(`UPDATE devices SET installed_at = '2015-01-01' WHERE property_id = :propertyId`, {
    replacements: { propertyId },
  });
  const tenancies = await Tenancy.findAll({ where: { unitId: unitIds }, order: [['id', 'ASC']] });
  for (const [i, tenancy] of tenancies.entries()) {
    if (i % PORTAL_EVERY !== 0) continue;
    const user = await User.create({
      organisationId: org.id,
      email: `mieter-${run}-${i}@bench.invalid`,
      name: tenancy.tenantName,
      role: 'tenant',
      passwordHash,
    });
    await tenancy.update({ userId: user.id });
  }
  const devices = await db.models.Device.findAll({
    where: { propertyId, type: ['HKV', 'WZ-K', 'WZ-W', 'WMZ'] },
    attributes: ['id', 'type'],
    raw: true,
  });
  const random = seededRandom(recipients + 1);
  const unitOf = { HKV: 'Einheiten', 'WZ-K': 'm³', 'WZ-W': 'm³', WMZ: 'kWh' } as Record<string, string>;
  const rows = devices.flatMap((d) => {
    const start = random.int(0, 3000);
    const used = d.type === 'HKV' ? random.int(200, 1500) : d.type === 'WMZ' ? random.int(200_000, 400_000) : random.int(5, 60);
    const at = (day: string) => new Date(`${day}T04:00:00Z`);
    const unit = unitOf[d.type]!;
    return [
      { deviceId: d.id, readAt: at(period.start), value: start, unit, setDateValue: null, source: 'radio' as const },
      {
        deviceId: d.id,
        readAt: at(`${Number(period.end.slice(0, 4)) + 1}-01-01`),
        value: start + used,
        unit,
        setDateValue: null,
        source: 'radio' as const,
      },
    ];
  });
  for (let i = 0; i < rows.length; i += 5000) await Reading.bulkCreate(rows.slice(i, i + 5000));
  const [house] = await db.sequelize.query<{ area: number }>(
    'SELECT sum(area_m2)::float AS area FROM units WHERE property_id = :propertyId',
    {
      replacements: { propertyId },
      type: QueryTypes.SELECT,
    },
  );
  const user: SessionUser = {
    id: manager.id,
    organisationId: org.id,
    organisationName: org.name,
    email: manager.email,
    name: manager.name,
    role: 'manager',
  };
  return { propertyId, user, request: demoStatementRequest(propertyId, period, { heatedAreaM2: house?.area ?? 0, units: recipients }) };
}

/** Runs a lifecycle step; one that outlasts the update's deadline goes on in the workflow: its status is awaited in the database. */
async function step(db: Db, statementId: number, run: () => Promise<UpdateOutcome<unknown>>, reached: readonly StatementStatus[]) {
  const outcome = await run();
  if (!outcome.ok && outcome.message !== UPDATE_NO_ANSWER) throw new Error(outcome.message);
  for (;;) {
    const row = await db.models.Statement.findByPk(statementId, { attributes: ['status'], rejectOnEmpty: true });
    if (reached.includes(row.status)) return;
    await sleep(250);
  }
}

const CHAINS_TIMEOUT_MS = 10 * 60_000;

/** Waits until every recipient of the statement has a stored chain with its delivery line and a signed head. */
async function untilRecipientChains(db: Db, statementId: number): Promise<void> {
  const deadline = Date.now() + CHAINS_TIMEOUT_MS;
  for (;;) {
    const [row] = await db.sequelize.query<{ chains: number }>(
      `SELECT count(DISTINCT h.occupancy_id)::int AS chains FROM recipient_proof_head_log h
        WHERE h.statement_id = :id AND h.seq >= 3`,
      { replacements: { id: statementId }, type: QueryTypes.SELECT },
    );
    if ((row?.chains ?? 0) >= RECIPIENTS) return;
    if (Date.now() > deadline)
      throw new Error(`only ${row?.chains ?? 0} of ${RECIPIENTS} recipient chains signed after ${CHAINS_TIMEOUT_MS / 1000} s`);
    await sleep(250);
  }
}

/** Statement PDFs per second of the renderer (the worker's code) for the stored statement's addressees, one at a time. */
async function rendererRate(db: Db, statementId: number): Promise<number> {
  const statement = (await loadStatement(db, statementId))!;
  const addressees = statementAddressees(statement);
  const renderer = createPdfRenderer();
  try {
    const render = (i: number) =>
      renderStatementPdf(renderer, statementDocumentModel(statement, addressees[i % addressees.length]!, { standalone: true })!);
    await interleavedRates(2, WORKER_RENDER_CONCURRENCY, { statement: render }); // warm-up (Chromium's start)
    return (await interleavedRates(RATE_PDFS, WORKER_RENDER_CONCURRENCY, { statement: render })).statement;
  } finally {
    await renderer.close();
  }
}

export async function benchDelivery() {
  if (!Number.isInteger(RECIPIENTS) || RECIPIENTS < 1)
    throw new Error(`BENCH_RECIPIENTS: expected a positive whole number, got "${process.env.BENCH_RECIPIENTS}"`);
  const env = await startBenchEnvironment();
  const connection = await Connection.connect({ address: env.temporal.address });
  const client = new Client({ connection });
  const options: LifecycleOptions = { db: env.db, client, taskQueue: TASK_QUEUE };
  const worker = await startWorkerProcess(env.temporal.address, env.databaseUrl, TASK_QUEUE);
  try {
    const today = calendarDate(new Date());
    log(`seeding a house of ${RECIPIENTS} flats …`);
    const house = await seedHouse(env.db, RECIPIENTS, today);
    const saved = await timed(() => saveStatementDraft(house.user, house.request, undefined, options));
    const statementId = saved.result;
    const ref = { id: statementId, version: 1 };
    const actor = { userId: house.user.id, name: house.user.email, role: 'manager' };
    log(`renderer rate before (${RATE_PDFS} PDFs) …`);
    const rateBefore = await rendererRate(env.db, statementId);
    const loadBefore = load();
    log(`approving (${RECIPIENTS} PDFs) and delivering …`);
    const run = await measured(
      env.temporal.process?.pid,
      async () => {
        const approval = await timed(() => step(env.db, statementId, () => approve(ref, actor, options), ['approved']));
        log(`approved in ${round(approval.seconds)} s; delivering …`);
        const delivery = await timed(() =>
          step(env.db, statementId, () => deliver(ref, { actor, channel: 'portal' }, options), ['delivered', 'final']),
        );
        // Each tenant's workflow then stores its own chain (created, approved, delivered) and signs its head.
        const chains = await timed(() => untilRecipientChains(env.db, statementId));
        return { approvalSeconds: approval.seconds, deliverySeconds: delivery.seconds, chainsSeconds: chains.seconds };
      },
      worker.pid === undefined ? [] : [worker.pid],
    );
    const loadAfter = load();
    log(`renderer rate after (${RATE_PDFS} PDFs) …`);
    const rateAfter = await rendererRate(env.db, statementId);
    const [counts] = await env.db.sequelize.query<{ recipients: number; portal: number; documents: number }>(
      `SELECT (SELECT count(*)::int FROM statement_recipients WHERE statement_id = :id) AS recipients,
              (SELECT count(*)::int FROM statement_recipients WHERE statement_id = :id AND channel = 'portal') AS portal,
              (SELECT count(*)::int FROM documents WHERE statement_id = :id) AS documents`,
      { replacements: { id: statementId }, type: QueryTypes.SELECT },
    );
    if (!counts || counts.recipients !== RECIPIENTS || counts.documents !== RECIPIENTS)
      throw new Error(`expected ${RECIPIENTS} recipients and PDFs, found ${JSON.stringify(counts)}`);
    const seconds = run.result.approvalSeconds + run.result.deliverySeconds;
    const perSecond = RECIPIENTS / seconds;
    const rendererPerSecond = (rateBefore + rateAfter) / 2;
    return {
      recipients: RECIPIENTS,
      portal: counts.portal,
      post: counts.recipients - counts.portal,
      pdfs: counts.documents,
      saveSeconds: round(saved.seconds, 1),
      approvalSeconds: round(run.result.approvalSeconds, 1),
      deliverySeconds: round(run.result.deliverySeconds, 1),
      recipientsPerSecond: round(perSecond, 2),
      // After the delivery, until every recipient's stored chain holds its delivery and a signed head.
      recipientChainsSeconds: round(run.result.chainsSeconds, 1),
      renderer: {
        meaning: `statement PDFs per second of the worker's renderer code, ${WORKER_RENDER_CONCURRENCY} at a time as the worker renders, ${RATE_PDFS} PDFs of this statement before and after`,
        before: round(rateBefore, 2),
        after: round(rateAfter, 2),
        perSecond: round(rendererPerSecond, 2),
      },
      ratio: round(perSecond / rendererPerSecond, 3),
      target: TARGET_RATIO,
      met: perSecond / rendererPerSecond >= TARGET_RATIO,
      peakRssMb: { bench: run.peak.processMb, worker: run.peak.workerProcessesMb?.[0] ?? null, temporalServer: run.peak.temporalServerMb },
      cpuSeconds: run.cpuSeconds,
      loadAverage: { before: loadBefore, after: loadAfter },
    };
  } finally {
    await stopWorkerProcess(worker);
    await connection.close();
    await env.close();
  }
}
