// The nightly proof verification on the real stack: statement versions proven by their workflows on
// Temporal's time-skipping test server with the real activities, heads signed with the run's key.
// A verification run over a clean organisation finds nothing; after an insider (the tables' owner,
// triggers disabled) edits an event, drops the newest event and moves the head, re-hashes a chain,
// swaps a PDF's bytes or empties the audit log, the next run records a finding and alarms the
// organisation's managers and compliance officers, urgently. The Schedule is created idempotently.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createDb } from '../db';
import { appendAudit } from '../db/audit';
import { headSigner } from '../server/proof/signing';
import { ensureProofVerificationSchedule } from '../server/proof-verification-schedule';
import { statementWorkflowId } from '../domain/contracts/statement';
import { PROOF_VERIFICATION_SCHEDULE_ID, type ProofVerificationInput } from '../domain/contracts/proof-verification';
import { createUserFixture, uniqueSuffix } from '../tests/support/fixtures';
import type { StatementFixture } from '../tests/support/statement-fixtures';
import { useTestEnvironment } from '../tests/support/web';
import { asInsider, deliverVersion, dropNewestEvent, rehashFrom, startProofStack, type ProofStack } from '../tests/support/tamper';
import { recordHistory, type TimeSkipping } from '../tests/support/time-skipping';
import { connectTestClient } from '../tests/support/temporal';
import { proofVerificationRun } from './proof-verification';

useTestEnvironment();
const db = createDb(inject('databaseUrl'), { headSigner: headSigner() });
const owner = createDb(inject('ownerDatabaseUrl'));
let stack: ProofStack;
let ts: TimeSkipping;
let house: StatementFixture;
let officerId: number;

beforeAll(async () => {
  stack = await startProofStack(db);
  ({ ts, house } = stack);
  officerId = (await createUserFixture(db, stack.house.org.organisation.id, 'compliance')).id;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await db.close();
  await owner.close();
});

const options = () => stack.options();
const organisationId = () => house.org.organisation.id;

/** One verification run over the fixture's organisation (and the shared audit log), small pages to page. */
async function verify(name?: string) {
  const input: ProofVerificationInput = { organisationId: organisationId(), chainPageSize: 2, auditPageSize: 500 };
  const handle = await ts.client.workflow.start(proofVerificationRun, {
    taskQueue: ts.taskQueue,
    workflowId: `proof-verification-test-${uniqueSuffix()}`,
    args: [input],
  });
  const totals = await handle.result();
  if (name) await recordHistory(handle, name);
  return totals;
}

interface FindingRow {
  problem: string;
  message: string;
  firstRunId: number;
}

async function findingsOf(subject: string): Promise<FindingRow[]> {
  return db.sequelize.query<FindingRow>(
    `SELECT problem, message, first_run_id::int AS "firstRunId" FROM proof_findings WHERE subject = :subject ORDER BY id`,
    { replacements: { subject }, type: QueryTypes.SELECT },
  );
}

async function alarmsOf(userId: number, runId: number): Promise<Array<{ urgency: string; link: string }>> {
  return db.sequelize.query(
    `SELECT urgency, link FROM notifications WHERE user_id = :userId AND kind = 'proof-integrity' AND dedupe_key LIKE :key`,
    { replacements: { userId, key: `proof-verification:run-${runId}:%` }, type: QueryTypes.SELECT },
  );
}

describe('the proof verification run', () => {
  test('a clean organisation: every chain, document and audit entry checked, nothing found, nobody alarmed', async () => {
    await deliverVersion(house, options());
    await deliverVersion(house, options());
    await deliverVersion(house, options());
    const totals = await verify('clean');
    // Three versions over two pages, each with its unit PDFs proven at approval.
    expect(totals).toMatchObject({ chains: 3, findings: 0, newFindings: 0 });
    expect(totals.documents).toBeGreaterThanOrEqual(3);
    expect(totals.auditEntries).toBeGreaterThan(0);
    expect(await alarmsOf(house.org.managers[0]!.id, totals.runId)).toEqual([]);
  }, 300_000);

  test('an edited event is found and alarms managers and compliance officers urgently; the next run knows it', async () => {
    const ref = await deliverVersion(house, options());
    await asInsider(owner, 'statement_proof_events', (q) =>
      q(`UPDATE statement_proof_events SET actor = 'jemand@anders.de' WHERE statement_id = :id AND seq = 2`, ref).then(() => undefined),
    );
    const totals = await verify('finding');
    const findings = await findingsOf(statementWorkflowId(ref.id, ref.version));
    expect(findings.map((f) => f.problem)).toContain('chain-broken');
    expect(findings.every((f) => f.firstRunId === totals.runId)).toBe(true);
    expect(totals.newFindings).toBe(totals.findings);
    for (const userId of [house.org.managers[0]!.id, officerId])
      expect(await alarmsOf(userId, totals.runId)).toEqual([{ urgency: 'urgent', link: '/pruefung/integritaet' }]);
    // Seen again, not raised again.
    const again = await verify();
    expect(again.findings).toBeGreaterThan(0);
    expect(again.newFindings).toBe(0);
    expect(await alarmsOf(house.org.managers[0]!.id, again.runId)).toEqual([]);
  }, 300_000);

  test('the newest event deleted and the head moved back is found', async () => {
    const ref = await deliverVersion(house, options());
    const dropped = await dropNewestEvent(db, owner, ref);
    await verify();
    expect(await findingsOf(statementWorkflowId(ref.id, ref.version))).toContainEqual(
      expect.objectContaining({
        problem: 'anchor-mismatch',
        message: `Ereignis Nr. ${dropped.seq} fehlt, ist aber im Workflow verankert (gelöscht?)`,
      }),
    );
  }, 300_000);

  test('a re-hashed chain with its head moved is found', async () => {
    const ref = await deliverVersion(house, options());
    await asInsider(owner, 'statement_proof_events', (q) =>
      q(`UPDATE statement_proof_events SET ip = '192.0.2.1' WHERE statement_id = :id AND seq = 2`, ref).then(() => undefined),
    );
    const newHead = await rehashFrom(db, owner, ref, 2);
    await owner.sequelize.query('UPDATE statement_proof_heads SET last_hash = :newHead WHERE statement_id = :id AND version = :version', {
      replacements: { ...ref, newHead },
    });
    await verify();
    const problems = (await findingsOf(statementWorkflowId(ref.id, ref.version))).map((f) => f.problem);
    expect(problems).toEqual(expect.arrayContaining(['head-mismatch', 'anchor-mismatch']));
    expect(problems).not.toContain('chain-broken');
  }, 300_000);

  test("a delivered PDF's stored bytes changed is found", async () => {
    const ref = await deliverVersion(house, options());
    const [document] = await db.sequelize.query<{ id: number }>(
      `SELECT id::int AS id FROM documents WHERE statement_id = :id ORDER BY id LIMIT 1`,
      { replacements: ref, type: QueryTypes.SELECT },
    );
    await asInsider(owner, 'documents', (q) =>
      q(`UPDATE documents SET sha256 = repeat('a', 64) WHERE id = :id`, { id: document!.id }).then(() => undefined),
    );
    await verify();
    expect(await findingsOf(statementWorkflowId(ref.id, ref.version))).toContainEqual(
      expect.objectContaining({ problem: 'document-altered' }),
    );
  }, 300_000);

  test('an emptied audit log is found (restored afterwards: other tests share it)', async () => {
    await appendAudit(db, { organisationId: organisationId(), actorId: null, actor: 'system', action: 'test', entity: 'proof' });
    const [newest] = await db.sequelize.query<{ id: number }>('SELECT max(entry_id)::int AS id FROM audit_heads', {
      type: QueryTypes.SELECT,
    });
    const saved = `audit_log_saved_${uniqueSuffix().replace(/\W/g, '_')}`;
    await owner.sequelize.query(`CREATE TABLE ${saved} AS SELECT * FROM audit_log`);
    try {
      await asInsider(owner, 'audit_log', (q) => q('TRUNCATE audit_log').then(() => undefined));
      const totals = await verify();
      expect(await findingsOf('audit-log')).toContainEqual(
        expect.objectContaining({
          problem: 'head-mismatch',
          message: `Protokolleintrag ${newest!.id} fehlt, ist aber signiert (gelöscht oder geleert?)`,
          firstRunId: totals.runId,
        }),
      );
      expect(await alarmsOf(officerId, totals.runId)).toEqual([{ urgency: 'urgent', link: '/pruefung/integritaet' }]);
    } finally {
      await asInsider(owner, 'audit_log', (q) => q(`INSERT INTO audit_log SELECT * FROM ${saved}`).then(() => undefined));
      await owner.sequelize.query(`DROP TABLE ${saved}`);
    }
  }, 300_000);
});

describe('the nightly Schedule', () => {
  test('is created at worker start, and a second start brings it up to date instead of failing', async () => {
    const temporal = await connectTestClient();
    try {
      const taskQueue = `proof-verification-${uniqueSuffix()}`;
      expect(await ensureProofVerificationSchedule(temporal.client, taskQueue)).toMatch(/created|updated/);
      expect(await ensureProofVerificationSchedule(temporal.client, taskQueue)).toBe('updated');
      const description = await temporal.client.schedule.getHandle(PROOF_VERIFICATION_SCHEDULE_ID).describe();
      expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'proofVerificationRun', taskQueue });
      expect(description.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 2, end: 2, step: 1 }],
        minute: [{ start: 30, end: 30, step: 1 }],
      });
      await temporal.client.schedule.getHandle(PROOF_VERIFICATION_SCHEDULE_ID).delete();
    } finally {
      await temporal.close();
    }
  });
});
