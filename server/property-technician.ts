// Which technician serves a property (properties.technician_id): its device work, appointment
// requests and, by default, its device-related tickets go there. Managers set it on the property page.
import { appendAudit } from '../db/audit';
import { db } from './db';
import type { SessionUser } from './session';

export interface TechnicianChoice {
  current: { id: number; name: string } | null;
  options: Array<{ id: number; name: string }>;
}

/** The property's technician and the organisation's technicians to choose from. */
export async function technicianChoice(organisationId: number, propertyId: number): Promise<TechnicianChoice> {
  const { Property, User } = db().models;
  const [property, technicians] = await Promise.all([
    Property.findOne({ where: { id: propertyId, organisationId }, attributes: ['technicianId'], rejectOnEmpty: true }),
    User.findAll({ where: { organisationId, role: 'technician' }, attributes: ['id', 'name'], order: [['name', 'ASC']] }),
  ]);
  const options = technicians.map((t) => ({ id: t.id, name: t.name }));
  return { current: options.find((t) => t.id === property.technicianId) ?? null, options };
}

/**
 * Sets (or with null clears) the property's technician, audited. Refuses anyone who is not a
 * technician of the same organisation, with a message naming the field.
 */
export async function setPropertyTechnician(
  user: SessionUser,
  propertyId: number,
  technicianId: number | null,
): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  const database = db();
  const { Property, User } = database.models;
  return database.sequelize.transaction(async (transaction) => {
    const property = await Property.findOne({
      where: { id: propertyId, organisationId: user.organisationId },
      transaction,
      lock: transaction.LOCK.UPDATE,
      rejectOnEmpty: true,
    });
    const technician =
      technicianId === null
        ? null
        : await User.findOne({ where: { id: technicianId, organisationId: user.organisationId, role: 'technician' }, transaction });
    if (technicianId !== null && !technician)
      return { ok: false, message: 'Techniker: Bitte wählen Sie einen Techniker Ihrer Organisation.' };
    if (property.technicianId === technicianId) return { ok: true, message: 'Unverändert.' };
    const before = property.technicianId;
    await property.update({ technicianId }, { transaction });
    await appendAudit(
      database,
      {
        organisationId: user.organisationId,
        actorId: user.id,
        actor: user.email,
        action: 'property.technician_set',
        entity: 'property',
        entityId: propertyId,
        details: { before, after: technicianId },
      },
      transaction,
    );
    return {
      ok: true,
      message: technician ? `${technician.name} betreut jetzt diese Liegenschaft.` : 'Die Liegenschaft hat jetzt keinen Techniker.',
    };
  });
}
