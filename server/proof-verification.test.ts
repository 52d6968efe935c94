// Tamper evidence on the real stack (issue 10): statement versions proven by their workflow on
// Temporal's test server with the real activities, heads signed with the run's key. Then an insider
// with every right on the database (triggers disabled) edits an event, re-hashes the chain and moves
// the head, drops the newest event and moves the head back, edits and empties the audit log: the
// chain check alone passes some of these; the signed and anchored heads catch every one.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { QueryTypes, type Transaction } from 'sequelize';
import { createDb } from '../db';
import { appendAudit } from '../db/audit';
import { proofEvents, verifyProofChain } from '../db/proof';
import { headSigner } from './proof/signing';
import { verifyAuditLog, verifyStatementProof, anchoredHeads } from './proof-verification';
import { checkConnectionRole, privilegeProblem } from '../db/roles';
import { recordOpening } from './statement-lifecycle';
import { statementWorkflowId } from '../domain/contracts/statement';
import { chainedOccupancies, storedRecipientChain } from '../db/recipient-chains';
import { recipientChainId } from './proof/recipient-chain-check';
import { recipientBundle } from './proof-export';
import { hashLine } from './proof/chain';
import { memorySource, verifyBundle } from './proof/verify';
import type { StatementFixture } from '../tests/support/statement-fixtures';
import { useTestEnvironment } from '../tests/support/web';
import { asInsider, deliverVersion, dropNewestEvent, rehashFrom, startProofStack, type ProofStack } from '../tests/support/tamper';
import type { TimeSkipping } from '../tests/support/time-skipping';

useTestEnvironment();
// The worker's handle signs, as server/db.ts does with PROOF_SIGNING_KEY.
const db = createDb(inject('databaseUrl'), { headSigner: headSigner() });
// The insider: the tables' owner, who may disable the triggers (the application role may not).
const owner = createDb(inject('ownerDatabaseUrl'));
let stack: ProofStack;
let ts: TimeSkipping;
let house: StatementFixture;

beforeAll(async () => {
  stack = await startProofStack(db);
  ({ ts, house } = stack);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await db.close();
  await owner.close();
});

const options = () => stack.options();

const deliveredVersion = () => deliverVersion(house, options());

describe('tamper evidence of a statement proof', () => {
  test('an untouched proof verifies: chain, signed head, and the heads anchored in the workflow history', async () => {
    const ref = await deliveredVersion();
    const events = await proofEvents(db, ref.id, ref.version);
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict).toEqual({ ok: true, events: events.length, anchoredSeq: events.length, findings: [] });
    // Created, approved and the version's delivery returned their heads to the workflow.
    const anchored = await anchoredHeads(ts.client, statementWorkflowId(ref.id, ref.version));
    expect(anchored!.map((h) => h.seq)).toEqual([1, 2, events.length]);
  }, 60_000);

  test('an edited event is found', async () => {
    const ref = await deliveredVersion();
    await asInsider(owner, 'statement_proof_events', (q) =>
      q(
        `UPDATE statement_proof_events SET details = details || '{"receivedOn":"2099-01-01"}' WHERE statement_id = :id AND seq = 3`,
        ref,
      ).then(() => undefined),
    );
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict.ok).toBe(false);
    expect(verdict.findings.map((f) => f.problem)).toContain('chain-broken');
  }, 60_000);

  test('a re-hashed chain with its head moved passes the chain check, not the signed and anchored heads', async () => {
    const ref = await deliveredVersion();
    const events = await proofEvents(db, ref.id, ref.version);
    await asInsider(owner, 'statement_proof_events', (q) =>
      q(`UPDATE statement_proof_events SET ip = '192.0.2.1' WHERE statement_id = :id AND seq = 3`, ref).then(() => undefined),
    );
    const newHead = await rehashFrom(db, owner, ref, 3);
    await db.sequelize.query('UPDATE statement_proof_heads SET last_hash = :newHead WHERE statement_id = :id AND version = :version', {
      replacements: { ...ref, newHead },
    });
    // The insider cannot sign; the best it can do is drop the signed heads of the rewritten events.
    await asInsider(owner, 'statement_proof_head_log', (q) =>
      q('DELETE FROM statement_proof_head_log WHERE statement_id = :id AND version = :version AND seq >= 3', ref).then(() => undefined),
    );
    expect(await verifyProofChain(db, ref.id, ref.version)).toEqual({ ok: true, checked: events.length });
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict.ok).toBe(false);
    expect(verdict.findings.map((f) => f.problem)).toEqual(expect.arrayContaining(['head-mismatch', 'anchor-mismatch']));
    expect(verdict.findings.find((f) => f.problem === 'anchor-mismatch')!.message).toMatch(`Ereignis Nr. ${events.length} weicht`);
  }, 60_000);

  test('the newest event dropped and the head moved back is found by the anchored head', async () => {
    const ref = await deliveredVersion();
    const newest = await dropNewestEvent(db, owner, ref);
    // The chain and the remaining signed head agree with each other: only the workflow's history knows better.
    expect((await verifyProofChain(db, ref.id, ref.version)).ok).toBe(true);
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict.findings).toEqual([
      { problem: 'anchor-mismatch', message: `Ereignis Nr. ${newest.seq} fehlt, ist aber im Workflow verankert (gelöscht?)` },
    ]);
  }, 60_000);
});

/** A version delivered in the portal whose first tenant with an account has opened it in its own workflow. */
async function openedByTenant() {
  const ref = await deliveredVersion();
  // The version's workflow starts each tenant's workflow and names it on the tenant's row.
  await ts.skip('1 minute');
  const [recipient] = await db.sequelize.query<{ workflowId: string; occupancyId: number; unitId: number; userId: number }>(
    `SELECT workflow_id AS "workflowId", occupancy_id AS "occupancyId", unit_id AS "unitId", user_id AS "userId" FROM statement_recipients
      WHERE statement_id = :id AND version = :version AND user_id IS NOT NULL AND workflow_id IS NOT NULL ORDER BY occupancy_id LIMIT 1`,
    { replacements: ref, type: QueryTypes.SELECT },
  );
  const tenant = await db.models.User.findByPk(recipient!.userId, { rejectOnEmpty: true });
  await recordOpening(
    ref,
    { userId: tenant.id, name: tenant.email, role: 'tenant', ip: '203.0.113.4' },
    recipient!.unitId,
    'view',
    undefined,
    options(),
  );
  await ts.skip('1 minute');
  const opening = (await proofEvents(db, ref.id, ref.version)).at(-1)!;
  expect(opening.step).toBe('opened');
  const chain = { statementId: ref.id, version: ref.version, occupancyId: recipient!.occupancyId };
  return { ref, recipient: recipient!, opening, chain, chainId: recipientChainId(chain) };
}

/** The seqs of the heads a workflow's history anchored, of one chain. */
async function anchoredSeqs(workflowId: string, chain: string): Promise<number[]> {
  return (await anchoredHeads(ts.client, workflowId))!.filter((h) => JSON.parse(h.head).chain === chain).map((h) => h.seq);
}

describe("tamper evidence of a tenant's own steps", () => {
  test("an opening dropped and the head moved back is found in the tenant's own workflow, which anchored it", async () => {
    const { ref, recipient, opening } = await openedByTenant();
    expect(await anchoredSeqs(recipient.workflowId, statementWorkflowId(ref.id, ref.version))).toEqual([opening.seq]);
    expect((await verifyStatementProof(db, ts.client, ref)).ok).toBe(true);

    const newest = await dropNewestEvent(db, owner, ref);
    expect(newest.seq).toBe(opening.seq);
    expect((await verifyProofChain(db, ref.id, ref.version)).ok).toBe(true);
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict.findings).toEqual(
      expect.arrayContaining([
        { problem: 'anchor-mismatch', message: `Ereignis Nr. ${newest.seq} fehlt, ist aber im Workflow verankert (gelöscht?)` },
        // The tenant's own chain still names the dropped event as its source.
        expect.objectContaining({ problem: 'chain-broken', message: expect.stringContaining(`passt nicht zu Ereignis Nr. ${newest.seq}`) }),
      ]),
    );
  }, 60_000);
});

describe("tamper evidence of a tenant's own chain", () => {
  test('each tenant has a stored chain whose heads its workflow anchors; the manager exports it byte for byte', async () => {
    const { ref, recipient, opening, chain, chainId } = await openedByTenant();
    const stored = await storedRecipientChain(db, chain);
    const lines = stored.lines.map((l) => JSON.parse(l.line) as { seq: number; kind: string; source: { seq: number } });
    expect(lines.map((l) => l.kind)).toEqual(['created', 'approved', 'delivered', 'opened']);
    expect(lines.at(-1)!.source.seq).toBe(opening.seq);
    // The delivery's lines were appended when the workflow started, the opening's after it: both heads signed then.
    expect(await anchoredSeqs(recipient.workflowId, chainId)).toEqual([3, 4]);
    expect(JSON.parse(stored.head!.head)).toMatchObject({ chain: chainId, seq: 4, sha256: stored.lines[3]!.sha256 });
    // Every other tenant of the version has its own chain, without this one's opening.
    const others = (await chainedOccupancies(db, { statementId: ref.id, version: ref.version })).filter((o) => o !== chain.occupancyId);
    expect(others.length).toBeGreaterThan(0);
    const other = await storedRecipientChain(db, { ...chain, occupancyId: others[0]! });
    expect(other.lines.map((l) => JSON.parse(l.line).kind)).toEqual(['created', 'approved', 'delivered']);

    const { bundle } = await recipientBundle(db, chain);
    const text = (name: string) => Buffer.from(bundle.files.get(name)!).toString('utf8');
    expect(text('events.jsonl')).toBe(stored.lines.map((l) => `${l.line}\n`).join(''));
    expect(text('head.json')).toBe(stored.head!.head);
    expect(text('head.sig').trim()).toBe(stored.head!.signature);
    expect(JSON.parse(text('manifest.json')).recipientChain).toBe(chainId);
    expect(await verifyBundle(memorySource(bundle.files))).toMatchObject({ valid: true, events: 4 });
    expect(await verifyStatementProof(db, ts.client, ref)).toMatchObject({ ok: true, findings: [] });
  }, 60_000);

  test('an edited line is found, and no bundle is made of it', async () => {
    const { ref, chain, chainId } = await openedByTenant();
    await asInsider(owner, 'recipient_proof_lines', (q) =>
      q(
        `UPDATE recipient_proof_lines SET line = replace(line, '"via":"view"', '"via":"download"')
          WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId AND seq = 4`,
        chain,
      ).then(() => undefined),
    );
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict.findings).toEqual([{ problem: 'chain-broken', message: `Kette ${chainId}: Zeile Nr. 4: Inhalt nachträglich geändert` }]);
    await expect(recipientBundle(db, chain)).rejects.toThrow(/stored recipient chain does not verify/);
  }, 60_000);

  test('the newest line dropped with its signed head is found by the head its workflow anchored', async () => {
    const { ref, chain, chainId } = await openedByTenant();
    for (const table of ['recipient_proof_lines', 'recipient_proof_head_log'])
      await asInsider(owner, table, (q) =>
        q(
          `DELETE FROM ${table} WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId AND seq = 4`,
          chain,
        ).then(() => undefined),
      );
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict.findings).toEqual([
      { problem: 'anchor-mismatch', message: `Kette ${chainId}: Zeile Nr. 4 fehlt, ist aber im Workflow verankert (gelöscht?)` },
    ]);
  }, 60_000);

  test('a re-hashed chain without its signed heads, and an emptied one, are found', async () => {
    const { ref, chain, chainId } = await openedByTenant();
    const stored = await storedRecipientChain(db, chain);
    // The insider rewrites the delivery's line and re-chains the lines after it with the public hash rule.
    const rewritten: string[] = [];
    for (const [i, l] of stored.lines.entries()) {
      const fields = JSON.parse(l.line) as Record<string, unknown>;
      if (i === 2) fields.ip = '192.0.2.1';
      if (i > 0) fields.prev = hashLine(rewritten[i - 1]!);
      rewritten.push(i < 2 ? l.line : JSON.stringify(fields));
    }
    await asInsider(owner, 'recipient_proof_lines', async (q) => {
      for (const [i, line] of rewritten.entries())
        await q(
          `UPDATE recipient_proof_lines SET line = :line, sha256 = :sha256
            WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId AND seq = :seq`,
          { ...chain, line, sha256: hashLine(line), seq: i + 1 },
        );
    });
    await asInsider(owner, 'recipient_proof_head_log', (q) =>
      q(
        `DELETE FROM recipient_proof_head_log WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId`,
        chain,
      ).then(() => undefined),
    );
    const verdict = await verifyStatementProof(db, ts.client, ref);
    expect(verdict.findings).toEqual([
      { problem: 'unsigned', message: `Kette ${chainId}: kein signierter Kopf gespeichert` },
      {
        problem: 'anchor-mismatch',
        message: `Kette ${chainId}: Zeile Nr. 3 weicht vom im Workflow verankerten Stand ab (Kette neu berechnet?)`,
      },
      {
        problem: 'anchor-mismatch',
        message: `Kette ${chainId}: Zeile Nr. 4 weicht vom im Workflow verankerten Stand ab (Kette neu berechnet?)`,
      },
    ]);

    await asInsider(owner, 'recipient_proof_lines', (q) =>
      q(
        `DELETE FROM recipient_proof_lines WHERE statement_id = :statementId AND version = :version AND occupancy_id = :occupancyId`,
        chain,
      ).then(() => undefined),
    );
    const emptied = await verifyStatementProof(db, ts.client, ref);
    expect(emptied.findings.map((f) => f.message)).toEqual([
      `Kette ${chainId}: Zeile Nr. 3 fehlt, ist aber im Workflow verankert (gelöscht?)`,
      `Kette ${chainId}: Zeile Nr. 4 fehlt, ist aber im Workflow verankert (gelöscht?)`,
    ]);
  }, 60_000);
});

describe('tamper evidence of the audit log', () => {
  // One transaction of the owner's, rolled back: the log is shared with every test file, which must not see it emptied.
  const ROLLBACK = new Error('rollback');
  async function inRolledBackTransaction(work: (transaction: Transaction) => Promise<void>) {
    await expect(
      owner.sequelize.transaction(async (transaction) => {
        await work(transaction);
        throw ROLLBACK;
      }),
    ).rejects.toBe(ROLLBACK);
  }

  test('every entry gets a signed head; an edited entry and an emptied log are found', async () => {
    await inRolledBackTransaction(async (transaction) => {
      const q = (sql: string, replacements: Record<string, unknown> = {}) => owner.sequelize.query(sql, { replacements, transaction });
      for (const action of ['login', 'logout', 'login'])
        await appendAudit(db, { organisationId: null, actorId: null, actor: 'a@b.de', action, entity: 'session' }, transaction);
      const ids = (await db.models.AuditEntry.findAll({ attributes: ['id'], order: [['id', 'ASC']], transaction })).map((e) => e.id);
      expect(await verifyAuditLog(db, transaction)).toEqual({ ok: true, events: ids.length, anchoredSeq: null, findings: [] });

      // The insider (owner or superuser) with the triggers off.
      await q('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await q("UPDATE audit_log SET actor = 'x@y.de' WHERE id = :id", { id: ids.at(-2) });
      expect((await verifyAuditLog(db, transaction)).findings.map((f) => f.problem)).toEqual(['chain-broken']);

      await q('TRUNCATE audit_log');
      expect((await verifyAuditLog(db, transaction)).findings).toEqual([
        { problem: 'head-mismatch', message: `Protokolleintrag ${ids.at(-1)} fehlt, ist aber signiert (gelöscht oder geleert?)` },
      ]);
    });
  }, 60_000);

  test('the application role cannot empty, alter or bypass; the owner is stopped by the triggers until it disables them', async () => {
    for (const sql of [
      'TRUNCATE audit_log',
      'ALTER TABLE audit_log DISABLE TRIGGER USER',
      "SET session_replication_role = 'replica'",
      "UPDATE audit_log SET actor = 'x' WHERE id = (SELECT max(id) FROM audit_log)",
      'DELETE FROM statement_proof_head_log',
    ])
      await expect(db.sequelize.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
    await expect(owner.sequelize.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    await expect(owner.sequelize.query('TRUNCATE statement_proof_head_log')).rejects.toThrow(/append-only/);
  });

  test('the web and the worker connect least-privileged; the owner would be refused', async () => {
    expect(privilegeProblem(await checkConnectionRole(db.sequelize))).toBeNull();
    expect(privilegeProblem(await checkConnectionRole(owner.sequelize))).toMatch(/owns \d+ tables/);
  });
});
