// A recipient's evidence bundle against the real database and workflow: written by the real CLI
// entry point (`proof export`) and downloaded from the recipient's proof page, it verifies with
// `proof verify` and with openssl and sha256sum as VERIFY.txt says; only who may see the delivery gets it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StatementData } from '../../domain/billing/statement';
import type { User } from '../../db';
import { testDb } from '../../tests/support/web';
import { createOrgFixture, createUserFixture, uniqueSuffix } from '../../tests/support/fixtures';
import { createStatementFixture, type StatementFixture } from '../../tests/support/statement-fixtures';
import { deliveredStatement } from '../../tests/support/delivered-statement';
import { startTestWorker, type RunningWorker } from '../../tests/support/temporal';
import { cookieFor, dataOf, makeRequest, run as runRoute } from '../../tests/support/web';
import { eventually } from '../../tests/support/eventually';
import { VERIFY_COMMANDS } from '../../server/proof/bundle';
import { hashLine } from '../../server/proof/chain';
import { pdfRenderer } from '../../server/statements';
import { loader as pageLoader } from './abrechnungen.$id_.nachweis_.$occupancyId';
import { loader as zipLoader } from './abrechnungen.$id_.nachweis_.$occupancyId_.nachweis[.zip]';
import { loader as pdfLoader } from './abrechnungen.$id_.nachweis_.$occupancyId_.nachweis[.pdf]';
import { loader as keysLoader } from './schluessel';

const database = testDb();
process.env.TEMPORAL_TASK_QUEUE = `proof-export-${uniqueSuffix()}`;
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'klarmeter-export-'));

let worker: RunningWorker;
let house: StatementFixture;
let statement: StatementData;
const users = {} as Record<'manager' | 'tenantA' | 'tenantC' | 'otherManager' | 'technician', User>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process (its worker keeps polling meanwhile). */
function run(file: string, args: string[], cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, encoding: 'utf8', timeout: 150_000, env: process.env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'proof', ...args]);
const bash = (script: string, cwd: string) => run('bash', ['-c', script], cwd);

beforeAll(async () => {
  worker = await startTestWorker({ taskQueue: process.env.TEMPORAL_TASK_QUEUE!, db: database });
  const org = await createOrgFixture(database);
  const tenantA = await createUserFixture(database, org.organisation.id, 'tenant');
  const tenantC = await createUserFixture(database, org.organisation.id, 'tenant');
  house = await createStatementFixture(database, { tenantA, tenantC }, org);
  statement = await deliveredStatement(database, house, org.managers[0]!);
  Object.assign(users, {
    manager: org.managers[0],
    tenantA,
    tenantC,
    otherManager: (await createOrgFixture(database)).managers[0],
    technician: await createUserFixture(database, org.organisation.id, 'technician'),
  });
}, 300_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pdfRenderer().close();
  await worker?.stop();
  await database.close();
});

describe('proof export', () => {
  test('writes a bundle that proof verify, openssl and sha256sum accept', async () => {
    const out = join(dir, 'c');
    const exported = await cli('export', statement.stored!.documentNumber, '--unit', 'Whg. 2.01', '--out', out);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ written: out, events: 3 });

    expect(readdirSync(out).sort()).toEqual(
      ['VERIFY.txt', 'documents', 'events.jsonl', 'head.json', 'head.sig', 'manifest.json', 'public-key.pem'].sort(),
    );
    const lines = readFileSync(join(out, 'events.jsonl'), 'utf8').split('\n').slice(0, -1);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.kind)).toEqual(['created', 'approved', 'delivered']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    // Every event carries actor, server time and IP; the delivery names this tenant's channel.
    for (const e of events) expect(Object.keys(e)).toEqual(expect.arrayContaining(['actor', 'at', 'ip', 'source']));
    expect(events[2]).toMatchObject({ details: { channel: 'portal', unitId: house.units.c.id } });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      format: 'klarmeter-proof/1',
      documentNumber: statement.stored!.documentNumber,
      version: 1,
      unit: { id: house.units.c.id, label: 'Whg. 2.01' },
      events: 3,
    });

    const verified = await cli('verify', out);
    expect(verified.code).toBe(0);
    const result = JSON.parse(verified.stdout) as { valid: boolean; events: number; keyFingerprint: string };
    expect(result).toMatchObject({ valid: true, events: 3 });
    expect(JSON.parse(exported.stdout)).toMatchObject({ keyFingerprint: result.keyFingerprint });

    // By hand, as PROOF.md and VERIFY.txt say.
    const head = JSON.parse(readFileSync(join(out, 'head.json'), 'utf8')) as { seq: number; sha256: string };
    expect(head).toMatchObject({ seq: 3, sha256: hashLine(lines[2]!) });
    const signature = await bash(VERIFY_COMMANDS.signature, out);
    expect(signature.stdout).toContain('Signature Verified Successfully');
    expect(signature.code).toBe(0);
    expect((await bash(VERIFY_COMMANDS.newestLine, out)).stdout.split(' ')[0]).toBe(head.sha256);
    expect((await bash(VERIFY_COMMANDS.fingerprint, out)).stdout.split(' ')[0]).toBe(result.keyFingerprint);
    expect((await bash(VERIFY_COMMANDS.chain, out)).stdout.trim()).toBe(`ok ${head.sha256}`);
    const sums = await bash(VERIFY_COMMANDS.documents, out);
    expect(sums.code).toBe(0);
    const named = events.flatMap((e) => (e.documents as { path: string; sha256: string }[] | undefined) ?? []);
    expect(named.length).toBe(2);
    for (const document of named) expect(sums.stdout).toContain(`${document.sha256}  ${document.path}`);
    const pdf = readFileSync(join(out, named[0]!.path));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  }, 300_000);

  test('writes a ZIP by statement id that verifies once unpacked', async () => {
    const file = join(dir, 'b.zip');
    const exported = await cli('export', String(statement.stored!.id), '--unit', String(house.units.b.id), '--version', '1', '--out', file);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const unpacked = join(dir, 'b-unpacked');
    expect((await run('unzip', ['-q', file, '-d', unpacked])).code).toBe(0);
    const verified = await cli('verify', join(unpacked, 'b'));
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, events: 3 });
    const delivered = readFileSync(join(unpacked, 'b', 'events.jsonl'), 'utf8').split('\n')[2]!;
    // Unit B's tenant has no account: delivered by post.
    expect(JSON.parse(delivered)).toMatchObject({ kind: 'delivered', details: { channel: 'post' } });
  }, 300_000);

  test('names the argument that is wrong, with exit code 2', async () => {
    const number = statement.stored!.documentNumber;
    const cases: Array<[string[], RegExp]> = [
      [['export', number, '--unit', 'Whg. 9.99', '--out', join(dir, 'x')], /^--unit: .*no recipient in unit "Whg\. 9\.99"/],
      [['export', number, '--unit', 'Whg. 1.03', '--out', join(dir, 'x')], /^--unit: .*2 recipients.*--occupancy/],
      [['export', number, '--unit', 'Whg. 2.01'], /^--out: missing/],
      [
        ['export', `NO-SUCH-${uniqueSuffix()}`, '--unit', 'Whg. 2.01', '--out', join(dir, 'x')],
        /^statement: no statement with document number/,
      ],
      [['export', number, '--unit', 'Whg. 2.01', '--version', '7', '--out', join(dir, 'x')], /^--version: .*has no version 7/],
      [['export', number, '--unit', 'Whg. 2.01', '--out', join(dir, 'c')], /^--out: .*not empty/],
    ];
    for (const [args, message] of cases) {
      const outcome = await cli(...args);
      expect({ args, code: outcome.code, stdout: outcome.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(outcome.stderr).toMatch(message);
    }
  }, 400_000);
});

/** The occupancy the version was delivered to in `unitId` (its current tenant's). */
async function occupancyIn(unitId: number): Promise<number> {
  const [row] = await database.sequelize.query<{ id: number }>(
    'SELECT occupancy_id AS id FROM statement_recipients WHERE statement_id = :id AND unit_id = :unitId ORDER BY occupancy_id DESC LIMIT 1',
    { replacements: { id: statement.stored!.id, unitId }, type: 'SELECT' as never },
  );
  return row!.id;
}

describe("the recipient's proof page", () => {
  const get = async <F extends Parameters<typeof runRoute>[0]>(loader: F, suffix: string, who: keyof typeof users, unitId: number) => {
    const occupancyId = String(await occupancyIn(unitId));
    const id = String(statement.stored!.id);
    const request = makeRequest(`/abrechnungen/${id}/nachweis/${occupancyId}${suffix}`, { cookie: await cookieFor(users[who]) });
    return runRoute(loader, request, { id, occupancyId });
  };
  const status = (outcome: Awaited<ReturnType<typeof runRoute>>) => (outcome.kind === 'response' ? outcome.status : 200);

  test('shows the timeline with actor, server time and IP, and a valid verification', async () => {
    const page = dataOf(await get(pageLoader, '', 'manager', house.units.c.id));
    expect(page.verification).toMatchObject({ valid: true, events: 3 });
    expect(page.timeline.map((e) => e.kind)).toEqual(['created', 'approved', 'delivered']);
    expect(page.timeline.every((e) => e.actor === users.manager.email && Date.parse(e.at) > 0 && 'ip' in e)).toBe(true);
    const keys = keysLoader();
    expect(keys.current?.fingerprint).toBe((page.verification as { keyFingerprint: string }).keyFingerprint);
    // The tenant sees its own delivery.
    expect(dataOf(await get(pageLoader, '', 'tenantC', house.units.c.id)).verification).toMatchObject({ valid: true });
  });

  test("once the tenant's workflow has stored its chain, the manager's bundle is that chain; the tenant's a view signed now", async () => {
    const manager = await eventually(async () => {
      const page = dataOf(await get(pageLoader, '', 'manager', house.units.c.id));
      expect(page.headSigned).toMatchObject({ stored: true });
      return page;
    });
    expect(manager.verification).toMatchObject({ valid: true, events: 3 });
    const tenant = dataOf(await get(pageLoader, '', 'tenantC', house.units.c.id));
    expect(tenant.headSigned).toMatchObject({ stored: false });
    // The manager's head was signed when the delivery was chained, before this view.
    expect(Date.parse(manager.headSigned!.at)).toBeLessThan(Date.parse(tenant.headSigned!.at));
  });

  test('only the statement readers who see it and its own tenant get it', async () => {
    for (const loader of [pageLoader, zipLoader]) {
      expect(status(await get(loader, '', 'tenantA', house.units.c.id))).toBe(404);
      expect(status(await get(loader, '', 'otherManager', house.units.c.id))).toBe(404);
      expect(status(await get(loader, '', 'technician', house.units.c.id))).toBe(404);
    }
  });

  test('the ZIP download unpacks into a bundle that verifies, and the PDF is a PDF', async () => {
    const outcome = await get(zipLoader, '/nachweis.zip', 'tenantC', house.units.c.id);
    expect(outcome.kind).toBe('response');
    const response = (outcome as { response: Response }).response;
    expect(response.headers.get('Content-Type')).toBe('application/zip');
    const file = join(dir, 'download.zip');
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const unpacked = join(dir, 'download');
    expect((await run('unzip', ['-q', file, '-d', unpacked])).code).toBe(0);
    const [folder] = readdirSync(unpacked);
    const verified = await cli('verify', join(unpacked, folder!));
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, events: 3 });
    const signature = await bash(VERIFY_COMMANDS.signature, join(unpacked, folder!));
    expect(signature.stdout).toContain('Signature Verified Successfully');

    const pdf = await get(pdfLoader, '/nachweis.pdf', 'manager', house.units.c.id);
    const pdfResponse = (pdf as { response: Response }).response;
    expect(pdfResponse.headers.get('Content-Type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdfResponse.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  }, 300_000);
});
