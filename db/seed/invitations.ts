// Demo tenants waiting for their portal access in Musterstraße 12, so that a manager can try the
// whole lifecycle: three activation letters with known codes, two e-mail invitations (their
// messages in the development mail sink), and a few tenants with a known address but no
// invitation yet ("Alle einladen" sends them e-mails; the rest get letters). The secrets are
// fixed and published in the README: this is demo data only.
import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import { TOKEN_LIFETIME_MS, normaliseActivationCode } from '../../domain/accounts';
import type { Db } from '../index';

export const DEMO_LETTER_CODES: ReadonlyArray<{ unitIndex: number; tenantName: string; code: string }> = [
  { unitIndex: 20, tenantName: 'Lena Krüger', code: 'DEMO-2026-0001' },
  { unitIndex: 21, tenantName: 'Ben Hoffmann', code: 'DEMO-2026-0002' },
  { unitIndex: 22, tenantName: 'Mia Schwarz', code: 'DEMO-2026-0003' },
];

export const DEMO_EMAIL_INVITATIONS: ReadonlyArray<{ unitIndex: number; tenantName: string; email: string; token: string }> = [
  { unitIndex: 23, tenantName: 'Lukas Koch', email: 'lukas.koch@example.de', token: 'demo-einladung-musterstrasse-0001' },
  { unitIndex: 24, tenantName: 'Sophie Braun', email: 'sophie.braun@example.de', token: 'demo-einladung-musterstrasse-0002' },
];

/** Known addresses without an invitation yet. */
const DEMO_CONTACTS: ReadonlyArray<{ unitIndex: number; email: string }> = [
  { unitIndex: 25, email: 'paul.richter@example.de' },
  { unitIndex: 26, email: 'emma.wolf@example.de' },
  { unitIndex: 27, email: 'felix.neumann@example.de' },
];

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export async function seedDemoInvitations(
  db: Db,
  options: { organisationId: number; unitIds: readonly number[]; managerId: number; baseUrl: string; transaction: Transaction },
): Promise<void> {
  const { Tenancy, AccountToken, Mail } = db.models;
  const { transaction } = options;
  const unit = (index: number) => {
    const id = options.unitIds[index];
    if (id === undefined) throw new Error(`demo property has no unit ${index}`);
    return id;
  };
  const now = Date.now();
  for (const letter of DEMO_LETTER_CODES) {
    const [tenancy] = await Tenancy.findAll({ where: { unitId: unit(letter.unitIndex), endsOn: null }, transaction });
    if (!tenancy) throw new Error(`demo unit ${letter.unitIndex} has no running tenancy`);
    await tenancy.update({ tenantName: letter.tenantName }, { transaction });
    await AccountToken.create(
      {
        purpose: 'letter-code',
        secretHash: sha256(normaliseActivationCode(letter.code)!),
        organisationId: options.organisationId,
        tenancyId: tenancy.id,
        userId: null,
        email: null,
        createdBy: options.managerId,
        expiresAt: new Date(now + TOKEN_LIFETIME_MS['letter-code']),
      },
      { transaction },
    );
  }
  for (const invitation of DEMO_EMAIL_INVITATIONS) {
    const [tenancy] = await Tenancy.findAll({ where: { unitId: unit(invitation.unitIndex), endsOn: null }, transaction });
    if (!tenancy) throw new Error(`demo unit ${invitation.unitIndex} has no running tenancy`);
    await tenancy.update({ tenantName: invitation.tenantName, contactEmail: invitation.email }, { transaction });
    const token = await AccountToken.create(
      {
        purpose: 'invitation',
        secretHash: sha256(invitation.token),
        organisationId: options.organisationId,
        tenancyId: tenancy.id,
        userId: null,
        email: invitation.email,
        createdBy: options.managerId,
        expiresAt: new Date(now + TOKEN_LIFETIME_MS.invitation),
      },
      { transaction },
    );
    const link = `${options.baseUrl}/aktivieren?token=${invitation.token}`;
    await Mail.create(
      {
        dedupeKey: `account:invitation:${token.id}`,
        toAddress: invitation.email,
        subject: 'Ihr Zugang zum Mieterportal: Musterstraße 12',
        textBody: `Guten Tag ${invitation.tenantName},\n\nHausverwaltung Schneider GmbH lädt Sie zum Mieterportal ein.\n\nZugang einrichten:\n${link}\n`,
        htmlBody: null,
        transport: 'sink',
        sentAt: null,
      },
      { transaction },
    );
  }
  for (const contact of DEMO_CONTACTS)
    await Tenancy.update({ contactEmail: contact.email }, { where: { unitId: unit(contact.unitIndex), endsOn: null }, transaction });
}
