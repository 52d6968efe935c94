import type { Migration } from '../migrate';

// Every feature notifies through one path with a preference topic: statements and the monthly
// information join the topics a user can set channels for. Each notice is marked urgent or routine
// (a digest may later bundle the routine ones); rows written before this are routine.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_topic_check;
    ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_topic_check
      CHECK (topic IN ('ticket','ticket-escalation','appointment','device','statement','monthly-information'));
    ALTER TABLE notifications ADD COLUMN urgency TEXT NOT NULL DEFAULT 'routine' CHECK (urgency IN ('urgent','routine'));
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    ALTER TABLE notifications DROP COLUMN urgency;
    DELETE FROM notification_preferences WHERE topic IN ('statement','monthly-information');
    ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_topic_check;
    ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_topic_check
      CHECK (topic IN ('ticket','ticket-escalation','appointment','device'));
  `);
};
