import type { Migration } from '../migrate';

// Every appointment page asks whether its request is a device-exchange offer (issue 15 item 4, the
// tenant's counter-proposal): look the offer up by its request instead of scanning all offers.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query('CREATE INDEX device_exchange_offers_appointment_idx ON device_exchange_offers (appointment_id)');
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query('DROP INDEX device_exchange_offers_appointment_idx');
};
