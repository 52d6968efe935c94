// The account lifecycle through the real routes, the real database and a real SMTP server:
// invitation (e-mail and letter), activation, login, reset, e-mail change, sessions, the second
// factor, move-out and the DSGVO Art. 15 archive.
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../tests/support/smtp';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Op } from 'sequelize';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Tenancy, User } from '../../db';
import { saveStatement } from '../../db/statements';
import { closeAccountMailer } from '../../server/account-mail';
import { totpAt } from '../../server/totp';
import { createDeviceFixture, createOrgFixture, uniqueSuffix, type OrgFixture } from '../../tests/support/fixtures';
import { createStatementFixture } from '../../tests/support/statement-fixtures';
import { closeWebResources, cookieFor, createLoginUser, dataOf, makeRequest, run, testDb, TEST_PASSWORD } from '../../tests/support/web';
import { action as activateAction, loader as activateLoader } from './aktivieren';
import { action as lettersAction } from './einladungen.$propertyId.briefe';
import { action as invitationsAction, loader as invitationsLoader } from './einladungen.$propertyId';
import { action as loginAction } from './login';
import { action as secondFactorLoginAction, loader as secondFactorLoginLoader } from './login_.zweiter-faktor';
import { action as forgotAction } from './passwort.vergessen';
import { action as resetAction, loader as resetLoader } from './passwort.zuruecksetzen';
import { action as confirmEmailAction } from './e-mail.bestaetigen';
import { action as accountAction, loader as accountLoader } from './konto._index';
import { action as sessionsAction, loader as sessionsLoader } from './konto.sitzungen';
import { action as twoFactorAction, loader as twoFactorLoader } from './konto.zwei-faktor';
import { action as exportAction } from './konto.datenauskunft';
import { action as staffAction } from './benutzer._index';
import { loader as deviceLoader } from './geraete.$id';
import { loader as consumptionLoader } from './verbrauch';
import { loader as myStatementLoader } from './meine-abrechnungen.$id';
import { loader as myDocumentsLoader } from './meine-dokumente._index';
import { mailRhythmOf, saveMailRhythm } from '../../server/notifications';

const database = testDb();
let received: ReceivedMail[] = [];
let smtp: TestSmtpServer;
let org: OrgFixture;
let manager: User;
let managerCookie: string;
let work: string;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  received = smtp.received;
  process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
  org = await createOrgFixture(database);
  manager = await createLoginUser(database, org.organisation.id, 'manager');
  managerCookie = await cookieFor(manager);
  work = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-accounts-'));
}, 120_000);

afterAll(async () => {
  closeAccountMailer();
  delete process.env.SMTP_URL;
  await smtp.close();
  rmSync(work, { recursive: true, force: true });
  await closeWebResources();
});

// ---- helpers ----

// Each test comes from an address of its own: the attempt budgets per IP are part of what is tested elsewhere.
let ipCounter = 0;
let currentIp = '';
beforeEach(() => {
  ipCounter += 1;
  currentIp = `198.18.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`;
});

function runAs<F extends Parameters<typeof run>[0]>(
  fn: F,
  request: Request,
  params: Record<string, string> = {},
  context?: Record<string, unknown>,
) {
  return run(fn, request, params, context ?? { clientIp: currentIp });
}

async function newTenancy(name: string, contactEmail: string | null = null, unit = org.unit): Promise<Tenancy> {
  return database.models.Tenancy.create({
    unitId: unit.id,
    userId: null,
    tenantName: name,
    startsOn: '2024-01-01',
    endsOn: null,
    contactEmail,
  });
}

async function newUnit(label = `Whg. ${uniqueSuffix()}`) {
  return database.models.Unit.create({ propertyId: org.property.id, label, floor: 'EG', areaM2: 55 });
}

/** The newest message to `to`: it went through SMTP; its text as recorded by the Mailer. */
async function lastMailTo(to: string) {
  const mail = await database.models.Mail.findOne({ where: { toAddress: to }, order: [['id', 'DESC']] });
  if (!mail) throw new Error(`no mail to ${to}`);
  expect(mail.transport).toBe('smtp');
  expect(mail.sentAt).not.toBeNull();
  expect(received.some((m) => m.to.includes(to))).toBe(true);
  return mail;
}

function linkIn(text: string, path: string): URL {
  const match = new RegExp(`https?://\\S+${path.replace(/\//g, '\\/')}\\?token=[A-Za-z0-9_%-]+`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return new URL(match[0]);
}

async function login(email: string, password: string) {
  return runAs(loginAction, makeRequest('/login', { form: { email, password, redirectTo: '' } }));
}

function cookieOf(outcome: { kind: 'data' } | { kind: 'response'; response: Response }): string {
  if (outcome.kind !== 'response') throw new Error('expected a response');
  const header = outcome.response.headers.get('Set-Cookie');
  if (!header) throw new Error('no cookie set');
  return header.split(';')[0]!;
}

const NEW_PASSWORD = 'Sonnenblumen auf dem Balkon 2026';

async function auditActions(entityId: number | string) {
  return (await database.models.AuditEntry.findAll({ where: { entityId: String(entityId) }, order: [['id', 'ASC']] })).map((a) => a.action);
}

function pdfText(pdf: Buffer): string {
  const file = path.join(work, `${uniqueSuffix()}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

// ---- invitation → activation → login ----

describe('invitation by e-mail', () => {
  test('invite → link → activation (password) → login; the link works once', async () => {
    const unit = await newUnit();
    const email = `anna-${uniqueSuffix()}@example.de`;
    const tenancy = await newTenancy('Anna Müller', null, unit);
    const invited = await runAs(
      invitationsAction,
      makeRequest(`/einladungen/${org.property.id}`, {
        cookie: managerCookie,
        form: { intent: 'invite-email', tenancy: String(tenancy.id), email },
      }),
      { propertyId: String(org.property.id) },
    );
    expect(dataOf(invited)).toMatchObject({ ok: true });
    expect((await tenancy.reload()).contactEmail).toBe(email);
    const mail = await lastMailTo(email);
    const link = linkIn(mail.textBody, '/aktivieren');
    const token = link.searchParams.get('token')!;

    const page = dataOf(await runAs(activateLoader, makeRequest(`/aktivieren?token=${encodeURIComponent(token)}`)));
    expect(page.invitation).toMatchObject({ tenantName: 'Anna Müller', email });

    const weak = await runAs(activateAction, makeRequest('/aktivieren', { form: { token, password: 'kurz', passwordRepeat: 'kurz' } }));
    expect(dataOf(weak)).toMatchObject({ ok: false });
    const done = await runAs(
      activateAction,
      makeRequest('/aktivieren', { form: { token, password: NEW_PASSWORD, passwordRepeat: NEW_PASSWORD } }),
    );
    expect(dataOf(done)).toMatchObject({ ok: true, email, verificationSent: false });

    const user = await database.models.User.findOne({ where: { email } });
    expect(user).toMatchObject({ role: 'tenant', organisationId: org.organisation.id, name: 'Anna Müller' });
    expect(user!.emailVerifiedAt).not.toBeNull();
    expect(user!.passwordHash).toMatch(/^\$argon2/);
    expect((await tenancy.reload()).userId).toBe(user!.id);

    const again = await runAs(
      activateAction,
      makeRequest('/aktivieren', { form: { token, password: NEW_PASSWORD, passwordRepeat: NEW_PASSWORD } }),
    );
    expect(dataOf(again)).toMatchObject({ ok: false });

    const loggedIn = await login(email, NEW_PASSWORD);
    expect(loggedIn.kind === 'response' && loggedIn.response.headers.get('Location')).toBe('/meine-wohnung');
    expect(await auditActions(tenancy.id)).toContain('tenant_invited');
    expect(await auditActions(user!.id)).toEqual(expect.arrayContaining(['account_activated', 'login']));
  });
});

describe('invitation by letter, a whole property in one step', () => {
  test('e-mails where an address is known, one PDF page per letter for the rest; the code activates once, a wrong name counts against it', async () => {
    const { Property, Unit } = database.models;
    const suffix = uniqueSuffix();
    const property = await Property.create({
      organisationId: org.organisation.id,
      name: `Briefweg ${suffix}`,
      street: `Briefweg ${suffix}`,
      postalCode: '10115',
      city: 'Berlin',
      ownerId: null,
      technicianId: null,
    });
    const units = await Promise.all(
      ['1.01', '1.02', '1.03'].map((n) => Unit.create({ propertyId: property.id, label: `Whg. ${n}`, floor: '1. OG', areaM2: 60 })),
    );
    const mailAddress = `bernd-${suffix}@example.de`;
    const [bernd, clara, dora] = await Promise.all([
      newTenancy('Bernd Bauer', mailAddress, units[0]),
      newTenancy('Clara Claus', null, units[1]),
      newTenancy('Dora Dorn', null, units[2]),
    ]);

    const outcome = await runAs(
      lettersAction,
      makeRequest(`/einladungen/${property.id}/briefe`, { cookie: managerCookie, form: { intent: 'all' } }),
      { propertyId: String(property.id) },
    );
    expect(outcome.kind === 'response' && outcome.response.headers.get('Content-Type')).toBe('application/pdf');
    if (outcome.kind !== 'response') return;
    const text = pdfText(Buffer.from(await outcome.response.arrayBuffer()));
    const pages = text.split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('Clara Claus');
    expect(pages[1]).toContain('Dora Dorn');
    const codes = [...text.matchAll(/\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(2);
    expect(await lastMailTo(mailAddress)).toBeTruthy();

    const status = dataOf(
      await runAs(invitationsLoader, makeRequest(`/einladungen/${property.id}`, { cookie: managerCookie }), {
        propertyId: String(property.id),
      }),
    );
    expect(status.rows.map((r) => r.pendingPurpose)).toEqual(['invitation', 'letter-code', 'letter-code']);
    // Stored as hashes only: the printed codes appear nowhere in the table.
    const stored = await database.models.AccountToken.findAll({ where: { tenancyId: [clara.id, dora.id] }, raw: true });
    expect(JSON.stringify(stored)).not.toContain(codes[0]!.replace(/-/g, ''));

    const claraEmail = `clara-${suffix}@example.de`;
    const form = (surname: string) => ({
      code: codes[0]!.toLowerCase(),
      surname,
      email: claraEmail,
      password: NEW_PASSWORD,
      passwordRepeat: NEW_PASSWORD,
    });
    const wrongName = await runAs(activateAction, makeRequest('/aktivieren', { form: form('Dorn') }));
    expect(dataOf(wrongName)).toMatchObject({ ok: false });
    expect((await database.models.AccountToken.findOne({ where: { tenancyId: clara.id, purpose: 'letter-code' } }))!.failedAttempts).toBe(
      1,
    );

    const activated = await runAs(activateAction, makeRequest('/aktivieren', { form: form('Claus') }));
    expect(dataOf(activated)).toMatchObject({ ok: true, email: claraEmail, verificationSent: true });
    const claraUser = await database.models.User.findOne({ where: { email: claraEmail } });
    expect(claraUser!.emailVerifiedAt).toBeNull();
    expect((await clara.reload()).userId).toBe(claraUser!.id);
    // The address typed with a code is verified by a link sent to it.
    const verification = linkIn((await lastMailTo(claraEmail)).textBody, '/e-mail/bestaetigen');
    expect(
      dataOf(
        await runAs(confirmEmailAction, makeRequest('/e-mail/bestaetigen', { form: { token: verification.searchParams.get('token')! } })),
      ),
    ).toMatchObject({ ok: true });
    expect((await claraUser!.reload()).emailVerifiedAt).not.toBeNull();

    const reused = await runAs(activateAction, makeRequest('/aktivieren', { form: { ...form('Claus'), email: `x-${suffix}@example.de` } }));
    expect(dataOf(reused)).toMatchObject({ ok: false });
    expect(cookieOf(await login(claraEmail, NEW_PASSWORD))).toMatch(/^__klarmeter=/);
    expect(bernd.id).toBeGreaterThan(0);
  });

  test('five wrong names revoke the code', async () => {
    const tenancy = await newTenancy('Emil Ende', null, await newUnit());
    const letter = await runAs(
      lettersAction,
      makeRequest(`/einladungen/${org.property.id}/briefe`, {
        cookie: managerCookie,
        form: { intent: 'letter', tenancy: String(tenancy.id) },
      }),
      { propertyId: String(org.property.id) },
    );
    if (letter.kind !== 'response') throw new Error('expected the PDF');
    const code = /\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b/.exec(pdfText(Buffer.from(await letter.response.arrayBuffer())))![1]!;
    const attempt = (surname: string) =>
      runAs(
        activateAction,
        makeRequest('/aktivieren', {
          form: { code, surname, email: `emil-${uniqueSuffix()}@example.de`, password: NEW_PASSWORD, passwordRepeat: NEW_PASSWORD },
        }),
        {},
        { clientIp: `198.51.100.${Math.floor(Math.random() * 200)}` },
      );
    for (let i = 0; i < 5; i++) expect(dataOf(await attempt('Falsch'))).toMatchObject({ ok: false });
    expect(dataOf(await attempt('Ende'))).toMatchObject({ ok: false });
    expect((await database.models.AccountToken.findOne({ where: { tenancyId: tenancy.id } }))!.revokedAt).not.toBeNull();
  });
});

describe('attempt budget', () => {
  test('one address gets 10 activation attempts per 15 minutes; a concurrent burst cannot get more', async () => {
    const form = () => ({
      code: 'ZZZZ-ZZZZ-ZZZZ',
      surname: 'Niemand',
      email: `n-${uniqueSuffix()}@example.de`,
      password: NEW_PASSWORD,
      passwordRepeat: NEW_PASSWORD,
    });
    const message = (o: Awaited<ReturnType<typeof runAs>>) => (dataOf(o) as { message: string }).message;
    const throttled = (m: string) => m.startsWith('Zu viele Versuche');
    for (let i = 0; i < 10; i++)
      expect(throttled(message(await runAs(activateAction, makeRequest('/aktivieren', { form: form() }))))).toBe(false);
    expect(throttled(message(await runAs(activateAction, makeRequest('/aktivieren', { form: form() }))))).toBe(true);

    const burstIp = { clientIp: `198.19.${ipCounter % 250}.1` };
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => runAs(activateAction, makeRequest('/aktivieren', { form: form() }), {}, burstIp)),
    );
    expect(burst.map(message).filter((m) => !throttled(m)).length).toBeLessThanOrEqual(10);
  });
});

// ---- reset ----

describe('password reset', () => {
  test('the e-mailed link sets a new password once, ends all sessions; a used or expired link is refused', async () => {
    const user = await createLoginUser(database, org.organisation.id, 'tenant');
    const oldSession = await cookieFor(user);
    const asked = await runAs(forgotAction, makeRequest('/passwort/vergessen', { form: { email: user.email.toUpperCase() } }));
    const unknown = await runAs(
      forgotAction,
      makeRequest('/passwort/vergessen', { form: { email: `niemand-${uniqueSuffix()}@example.de` } }),
    );
    expect(dataOf(asked)).toEqual(dataOf(unknown));
    const token = linkIn((await lastMailTo(user.email)).textBody, '/passwort/zuruecksetzen').searchParams.get('token')!;

    expect(dataOf(await runAs(resetLoader, makeRequest(`/passwort/zuruecksetzen?token=${token}`))).target).toMatchObject({
      email: user.email,
    });
    const reset = await runAs(
      resetAction,
      makeRequest('/passwort/zuruecksetzen', { form: { token, password: NEW_PASSWORD, passwordRepeat: NEW_PASSWORD } }),
    );
    expect(dataOf(reset)).toMatchObject({ ok: true });
    const oldPage = await runAs(accountLoader, makeRequest('/konto', { cookie: oldSession }));
    expect(oldPage.kind === 'response' && oldPage.status).toBe(302);
    expect((await login(user.email, TEST_PASSWORD)).kind).toBe('data');
    expect(cookieOf(await login(user.email, NEW_PASSWORD))).toMatch(/^__klarmeter=/);

    const used = await runAs(
      resetAction,
      makeRequest('/passwort/zuruecksetzen', { form: { token, password: `${NEW_PASSWORD}!`, passwordRepeat: `${NEW_PASSWORD}!` } }),
    );
    expect(dataOf(used)).toMatchObject({ ok: false });
    expect(dataOf(await runAs(resetLoader, makeRequest(`/passwort/zuruecksetzen?token=${token}`))).target).toBeNull();

    await runAs(forgotAction, makeRequest('/passwort/vergessen', { form: { email: user.email } }));
    const second = linkIn((await lastMailTo(user.email)).textBody, '/passwort/zuruecksetzen').searchParams.get('token')!;
    await database.sequelize.query(
      "UPDATE account_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = :id AND purpose = 'reset-password' AND used_at IS NULL",
      {
        replacements: { id: user.id },
      },
    );
    const expired = await runAs(
      resetAction,
      makeRequest('/passwort/zuruecksetzen', { form: { token: second, password: `${NEW_PASSWORD}!`, passwordRepeat: `${NEW_PASSWORD}!` } }),
    );
    expect(dataOf(expired)).toMatchObject({ ok: false });
    expect(cookieOf(await login(user.email, NEW_PASSWORD))).toMatch(/^__klarmeter=/);
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset']));
  });
});

// ---- e-mail change ----

describe('changing the e-mail address', () => {
  test('the new address counts only after its link is confirmed; the old one is told', async () => {
    const user = await createLoginUser(database, org.organisation.id, 'tenant');
    const cookie = await cookieFor(user);
    const newEmail = `neu-${uniqueSuffix()}@example.de`;
    const wrong = await runAs(
      accountAction,
      makeRequest('/konto', { cookie, form: { intent: 'email', email: newEmail, password: 'falsches-passwort' } }),
    );
    expect(dataOf(wrong)).toMatchObject({ ok: false });
    const asked = await runAs(
      accountAction,
      makeRequest('/konto', { cookie, form: { intent: 'email', email: newEmail, password: TEST_PASSWORD } }),
    );
    expect(dataOf(asked)).toMatchObject({ ok: true });
    expect((await user.reload()).email).not.toBe(newEmail);
    expect((await login(newEmail, TEST_PASSWORD)).kind).toBe('data');
    expect((await lastMailTo(user.email)).subject).toContain('E-Mail-Adresse');
    expect(dataOf(await runAs(accountLoader, makeRequest('/konto', { cookie }))).account.pendingEmail).toBe(newEmail);

    const token = linkIn((await lastMailTo(newEmail)).textBody, '/e-mail/bestaetigen').searchParams.get('token')!;
    expect(dataOf(await runAs(confirmEmailAction, makeRequest('/e-mail/bestaetigen', { form: { token } })))).toMatchObject({ ok: true });
    expect((await user.reload()).email).toBe(newEmail);
    expect(cookieOf(await login(newEmail, TEST_PASSWORD))).toMatch(/^__klarmeter=/);
    expect(dataOf(await runAs(confirmEmailAction, makeRequest('/e-mail/bestaetigen', { form: { token } })))).toMatchObject({ ok: false });
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['email_change_requested', 'email_changed']));
  });
});

// ---- sessions ----

describe('sessions', () => {
  test('"Alle anderen abmelden" ends the other sessions; "Überall abmelden" this one too', async () => {
    const user = await createLoginUser(database, org.organisation.id, 'technician');
    const [mine, phone, laptop] = [await cookieFor(user), await cookieFor(user), await cookieFor(user)];
    const listed = dataOf(await runAs(sessionsLoader, makeRequest('/konto/sitzungen', { cookie: mine })));
    expect(listed.sessions).toHaveLength(3);
    expect(listed.sessions.filter((s) => s.current)).toHaveLength(1);

    const one = listed.sessions.find((s) => !s.current)!;
    expect(
      dataOf(await runAs(sessionsAction, makeRequest('/konto/sitzungen', { cookie: mine, form: { intent: 'end', session: one.key } }))),
    ).toMatchObject({ ok: true });
    expect(
      dataOf(await runAs(sessionsAction, makeRequest('/konto/sitzungen', { cookie: mine, form: { intent: 'end-others' } }))),
    ).toMatchObject({ ok: true });
    for (const other of [phone, laptop]) {
      const outcome = await runAs(accountLoader, makeRequest('/konto', { cookie: other }));
      expect(outcome.kind === 'response' && outcome.response.headers.get('Location')).toBe('/login?redirectTo=%2Fkonto');
    }
    expect(dataOf(await runAs(accountLoader, makeRequest('/konto', { cookie: mine }))).account.email).toBe(user.email);

    const everywhere = await runAs(sessionsAction, makeRequest('/konto/sitzungen', { cookie: mine, form: { intent: 'end-all' } }));
    expect(everywhere.kind === 'response' && everywhere.response.headers.get('Location')).toBe('/login');
    expect(await database.models.Session.count({ where: { userId: user.id } })).toBe(0);
  });
});

// ---- second factor ----

describe('two-factor login for staff', () => {
  test('once enabled, login needs a code: a wrong one is refused, a code works once, a recovery code works once', async () => {
    const user = await createLoginUser(database, org.organisation.id, 'compliance');
    const cookie = await cookieFor(user);
    const act = (form: Record<string, string>) => runAs(twoFactorAction, makeRequest('/konto/zwei-faktor', { cookie, form }));
    expect(dataOf(await act({ intent: 'begin' }))).toMatchObject({ ok: true });
    const pending = dataOf(await runAs(twoFactorLoader, makeRequest('/konto/zwei-faktor', { cookie }))).status.pending!;
    expect(pending.uri).toContain(`otpauth://totp/Klarmeter:${encodeURIComponent(user.email)}?secret=${pending.secret}`);
    expect(pending.qrSvg).toMatch(/^<svg /);
    expect(dataOf(await act({ intent: 'confirm', code: '000000' }))).toMatchObject({ ok: false });
    const enabled = dataOf(await act({ intent: 'confirm', code: totpAt(pending.secret, Date.now() - 30_000) }));
    if (!enabled.ok || !enabled.recoveryCodes) throw new Error('not enabled');
    expect(enabled.recoveryCodes).toHaveLength(10);
    expect((await user.reload()).totpSecret).not.toContain(pending.secret);

    // The password alone opens no session.
    const first = await login(user.email, TEST_PASSWORD);
    expect(first.kind === 'response' && first.response.headers.get('Location')).toBe('/login/zweiter-faktor');
    const challenge = cookieOf(first);
    expect(challenge).toMatch(/^__klarmeter_2fa=/);
    expect(await database.models.Session.count({ where: { userId: user.id, createdAt: { [Op.gt]: new Date(Date.now() - 5_000) } } })).toBe(
      1,
    );
    expect(dataOf(await runAs(secondFactorLoginLoader, makeRequest('/login/zweiter-faktor', { cookie: challenge })))).toEqual({
      email: user.email,
    });

    const step = (code: string, c = challenge) =>
      runAs(secondFactorLoginAction, makeRequest('/login/zweiter-faktor', { cookie: c, form: { code, redirectTo: '/konto' } }));
    expect(dataOf(await step('123456'))).toMatchObject({ ok: false });
    const code = totpAt(pending.secret);
    const ok = await step(code);
    expect(ok.kind === 'response' && ok.response.headers.get('Location')).toBe('/konto');
    expect(cookieOf(ok)).toMatch(/^__klarmeter=/);

    // The same code again, in a new login, is refused (replay); a recovery code works once.
    const second = cookieOf(await login(user.email, TEST_PASSWORD));
    expect(dataOf(await step(code, second))).toMatchObject({ ok: false });
    const recovery = enabled.recoveryCodes[0]!;
    const byRecovery = await step(recovery.toLowerCase(), second);
    expect(byRecovery.kind === 'response' && byRecovery.response.headers.get('Location')).toBe('/konto');
    const third = cookieOf(await login(user.email, TEST_PASSWORD));
    expect(dataOf(await step(recovery, third))).toMatchObject({ ok: false });
    expect(await auditActions(user.id)).toEqual(
      expect.arrayContaining(['second_factor_enabled', 'login_second_factor_required', 'second_factor_failed', 'login']),
    );
  });

  test('a challenge ends after five wrong codes; without its cookie the page sends back to the login', async () => {
    const user = await createLoginUser(database, org.organisation.id, 'operator');
    const cookie = await cookieFor(user);
    await runAs(twoFactorAction, makeRequest('/konto/zwei-faktor', { cookie, form: { intent: 'begin' } }));
    const { secret } = dataOf(await runAs(twoFactorLoader, makeRequest('/konto/zwei-faktor', { cookie }))).status.pending!;
    await runAs(twoFactorAction, makeRequest('/konto/zwei-faktor', { cookie, form: { intent: 'confirm', code: totpAt(secret) } }));
    const challenge = cookieOf(await login(user.email, TEST_PASSWORD));
    for (let i = 0; i < 4; i++)
      expect(
        dataOf(await runAs(secondFactorLoginAction, makeRequest('/login/zweiter-faktor', { cookie: challenge, form: { code: '000000' } }))),
      ).toMatchObject({ ok: false });
    const fifth = await runAs(
      secondFactorLoginAction,
      makeRequest('/login/zweiter-faktor', { cookie: challenge, form: { code: '000000' } }),
    );
    expect(fifth.kind === 'response' && fifth.response.headers.get('Location')).toBe('/login');
    const late = await runAs(
      secondFactorLoginAction,
      makeRequest('/login/zweiter-faktor', { cookie: challenge, form: { code: totpAt(secret, Date.now() + 30_000) } }),
    );
    expect(late.kind === 'response' && late.response.headers.get('Location')).toBe('/login');
    const none = await runAs(secondFactorLoginLoader, makeRequest('/login/zweiter-faktor'));
    expect(none.kind === 'response' && none.response.headers.get('Location')).toBe('/login');
  });

  test('tenants cannot set up a second factor', async () => {
    const tenant = await createLoginUser(database, org.organisation.id, 'tenant');
    const outcome = await runAs(twoFactorLoader, makeRequest('/konto/zwei-faktor', { cookie: await cookieFor(tenant) }));
    expect(outcome.kind === 'response' && outcome.status).toBe(403);
  });
});

// ---- staff accounts ----

describe('staff accounts', () => {
  test('a manager creates an operator account; its holder sets the password with the e-mailed link', async () => {
    const email = `betrieb-${uniqueSuffix()}@example.de`;
    const created = await runAs(
      staffAction,
      makeRequest('/benutzer', { cookie: managerCookie, form: { intent: 'create', name: 'Olga Betrieb', email, role: 'operator' } }),
    );
    expect(dataOf(created)).toMatchObject({ ok: true });
    const user = await database.models.User.findOne({ where: { email } });
    expect(user).toMatchObject({ role: 'operator', passwordHash: null });
    expect((await login(email, '')).kind).toBe('data');
    const token = linkIn((await lastMailTo(email)).textBody, '/passwort/zuruecksetzen').searchParams.get('token')!;
    expect(dataOf(await runAs(resetLoader, makeRequest(`/passwort/zuruecksetzen?token=${token}`))).target).toMatchObject({ setup: true });
    expect(
      dataOf(
        await runAs(
          resetAction,
          makeRequest('/passwort/zuruecksetzen', { form: { token, password: NEW_PASSWORD, passwordRepeat: NEW_PASSWORD } }),
        ),
      ),
    ).toMatchObject({ ok: true });
    const loggedIn = await login(email, NEW_PASSWORD);
    expect(loggedIn.kind === 'response' && loggedIn.response.headers.get('Location')).toBe('/benachrichtigungen');
    const tenantTry = await runAs(
      staffAction,
      makeRequest('/benutzer', {
        cookie: await cookieFor(user!),
        form: { intent: 'create', name: 'X', email: 'x@example.de', role: 'manager' },
      }),
    );
    expect(tenantTry.kind === 'response' && tenantTry.status).toBe(403);
  });
});

describe('e-mail rhythm of new staff accounts', () => {
  test('a new manager starts with the daily digest, a new technician with mail at once; a later choice is kept', async () => {
    const create = async (role: string) => {
      const email = `rhythmus-${role}-${uniqueSuffix()}@example.de`;
      const created = await runAs(
        staffAction,
        makeRequest('/benutzer', { cookie: managerCookie, form: { intent: 'create', name: `Neu ${role}`, email, role } }),
      );
      expect(dataOf(created)).toMatchObject({ ok: true });
      return (await database.models.User.findOne({ where: { email }, rejectOnEmpty: true }))!;
    };
    const manager = await create('manager');
    const technician = await create('technician');
    expect(await mailRhythmOf(manager, database)).toBe('taeglich');
    expect(await mailRhythmOf(technician, database)).toBe('sofort');
    await saveMailRhythm(manager, 'sofort', database);
    expect(await mailRhythmOf(manager, database)).toBe('sofort');
  });
});

// ---- move-out and Art. 15 ----

describe('move-out', () => {
  test('after the tenancy ends the live pages answer 404; the delivered statement and Meine Dokumente stay', async () => {
    const statementOrg = await createOrgFixture(database);
    const boss = await createLoginUser(database, statementOrg.organisation.id, 'manager');
    const tenant = await createLoginUser(database, statementOrg.organisation.id, 'tenant');
    const house = await createStatementFixture(database, { tenantC: tenant }, statementOrg);
    const statement = await saveStatement(database, house.request, {
      userId: boss.id,
      email: boss.email,
      organisationId: boss.organisationId,
    });
    await database.sequelize.query("UPDATE statements SET status = 'delivered' WHERE id = :id", {
      replacements: { id: statement.stored!.id },
    });
    const device = await createDeviceFixture(database, { property: house.property, unit: house.units.c });
    const cookie = await cookieFor(tenant);
    const statementPath = `/meine-abrechnungen/${statement.stored!.id}?einheit=${house.units.c.id}`;
    expect(dataOf(await runAs(deviceLoader, makeRequest(`/geraete/${device.id}`, { cookie }), { id: String(device.id) })).device.id).toBe(
      device.id,
    );

    const tenancy = (await database.models.Tenancy.findOne({ where: { userId: tenant.id } }))!;
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const moved = await runAs(
      invitationsAction,
      makeRequest(`/einladungen/${house.property.id}`, {
        cookie: await cookieFor(boss),
        form: { intent: 'move-out', tenancy: String(tenancy.id), endsOn: yesterday, nextTenantName: 'Nora Nachmieter' },
      }),
      { propertyId: String(house.property.id) },
    );
    expect(dataOf(moved)).toMatchObject({ ok: true });
    expect(await database.models.Tenancy.count({ where: { unitId: house.units.c.id, tenantName: 'Nora Nachmieter', userId: null } })).toBe(
      1,
    );

    const device404 = await runAs(deviceLoader, makeRequest(`/geraete/${device.id}`, { cookie }), { id: String(device.id) });
    expect(device404.kind === 'response' && device404.status).toBe(404);
    const flat404 = await runAs(consumptionLoader, makeRequest(`/verbrauch?wohnung=${house.units.c.id}`, { cookie }));
    expect(flat404.kind === 'response' && flat404.status).toBe(404);

    const kept = dataOf(await runAs(myStatementLoader, makeRequest(statementPath, { cookie }), { id: String(statement.stored!.id) }));
    expect(kept.html).toContain(tenant.name);
    const documents = dataOf(await runAs(myDocumentsLoader, makeRequest('/meine-dokumente', { cookie }))).tenancies;
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ ended: true, endsOn: yesterday });
    expect(documents[0]!.statements.map((s) => s.id)).toEqual([statement.stored!.id]);
    expect(await auditActions(tenancy.id)).toContain('tenancy_ended');
  });
});

describe('DSGVO Art. 15', () => {
  test('the ZIP holds the tenant’s account, tenancies, sessions, notifications, tickets, statements and audit entries, and nothing of another tenant', async () => {
    const exportOrg = await createOrgFixture(database);
    const boss = await createLoginUser(database, exportOrg.organisation.id, 'manager');
    const tenant = await createLoginUser(database, exportOrg.organisation.id, 'tenant');
    const neighbour = await createLoginUser(database, exportOrg.organisation.id, 'tenant');
    const house = await createStatementFixture(database, { tenantA: tenant, tenantC: neighbour }, exportOrg);
    const statement = await saveStatement(database, house.request, {
      userId: boss.id,
      email: boss.email,
      organisationId: boss.organisationId,
    });
    await database.sequelize.query("UPDATE statements SET status = 'delivered' WHERE id = :id", {
      replacements: { id: statement.stored!.id },
    });
    const { Ticket, Notification } = database.models;
    const ticket = (owner: User, subject: string, unitId: number) =>
      Ticket.create({
        organisationId: exportOrg.organisation.id,
        propertyId: house.property.id,
        unitId,
        createdBy: owner.id,
        topic: 'heating',
        subject,
        body: `${subject}: Text`,
        category: 'general_question',
        priority: 'normal',
        linkedKind: null,
        linkedId: null,
        linkedVersion: null,
        status: 'open',
        slaClock: 'calendar',
        reactionDueAt: null,
        resolutionDueAt: null,
      });
    await ticket(tenant, 'Heizung im Bad kalt', house.units.a.id);
    await ticket(neighbour, 'Geheimnis des Nachbarn', house.units.c.id);
    await Notification.create({
      userId: tenant.id,
      kind: 'test',
      title: 'Für die Mieterin',
      body: 'Hallo',
      link: null,
      dedupeKey: uniqueSuffix(),
    });
    await Notification.create({
      userId: neighbour.id,
      kind: 'test',
      title: 'Für den Nachbarn',
      body: 'Hallo',
      link: null,
      dedupeKey: uniqueSuffix(),
    });
    const cookie = await cookieFor(tenant);
    await cookieFor(neighbour);

    const outcome = await runAs(exportAction, makeRequest('/konto/datenauskunft', { cookie, form: {} }));
    if (outcome.kind !== 'response') throw new Error('expected the ZIP');
    expect(outcome.response.headers.get('Content-Type')).toBe('application/zip');
    const dir = path.join(work, `export-${uniqueSuffix()}`);
    const zipFile = `${dir}.zip`;
    writeFileSync(zipFile, Buffer.from(await outcome.response.arrayBuffer()));
    execFileSync('unzip', ['-q', zipFile, '-d', dir]);
    const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
    expect(JSON.parse(read('konto.json'))).toMatchObject({ id: tenant.id, email: tenant.email });
    expect(read('konto.json')).not.toContain('argon2');
    expect(JSON.parse(read('mietverhaeltnisse.json'))).toHaveLength(1);
    expect(JSON.parse(read('sitzungen.json'))).toHaveLength(1);
    expect(read('anliegen.json')).toContain('Heizung im Bad kalt');
    expect(read('benachrichtigungen.json')).toContain('Für die Mieterin');
    expect(JSON.parse(read('abrechnungen/abrechnungen.json'))).toHaveLength(1);
    const pdfs = readdirSync(path.join(dir, 'abrechnungen')).filter((f) => f.endsWith('.pdf'));
    expect(pdfs).toHaveLength(1);
    expect(pdfText(readFileSync(path.join(dir, 'abrechnungen', pdfs[0]!)))).toContain(tenant.name);
    expect(read('LIESMICH.txt')).toContain('Art. 15');

    const everything = [
      ...readdirSync(dir)
        .filter((f) => f.endsWith('.json') || f.endsWith('.txt'))
        .map((f) => read(f)),
      read('abrechnungen/abrechnungen.json'),
      pdfText(readFileSync(path.join(dir, 'abrechnungen', pdfs[0]!))),
    ].join('\n');
    for (const foreign of [neighbour.email, neighbour.name, 'Geheimnis des Nachbarn', 'Für den Nachbarn', 'Paul Altmieter'])
      expect(everything).not.toContain(foreign);
    expect(await auditActions(tenant.id)).toContain('personal_data_exported');
  });
});
