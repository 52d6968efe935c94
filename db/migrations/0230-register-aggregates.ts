import type { Migration } from '../migrate';

// The register and the dashboard count devices per property, type and light on every request; at
// 50,000 devices that scan costs more than everything else on the page. device_light_counts keeps
// those counts, maintained by statement-level triggers on devices in the same transaction as the
// change (the workflows' projection writes, device work, imports), so it can never disagree with
// the rows. Only installed devices count (removed_at IS NULL), as in the register. Deltas are
// applied in key order so that concurrent writers lock count rows in the same order.
//
// Also: a prefix index for the register's serial search (case-insensitive), and the light's
// "since" for devices whose light was written directly by a seed or an import (light_changed_at
// was only set when a workflow changed it, so such devices showed "–").
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE device_light_counts (
      property_id INTEGER NOT NULL REFERENCES properties(id) ON DELETE CASCADE,
      type TEXT NOT NULL,
      light TEXT NOT NULL CHECK (light IN ('red','yellow','green','unknown')),
      -- No CHECK (devices >= 0): PostgreSQL checks the proposed row of an upsert before it sees the
      -- conflict, so a negative delta could not be applied.
      devices INTEGER NOT NULL,
      PRIMARY KEY (property_id, type, light)
    );

    CREATE FUNCTION device_light_counts_apply(deltas JSONB) RETURNS void LANGUAGE sql AS $$
      INSERT INTO device_light_counts AS c (property_id, type, light, devices)
      SELECT (d->>'property_id')::int, d->>'type', d->>'light', (d->>'delta')::int
        FROM jsonb_array_elements(deltas) d
       ORDER BY 1, 2, 3
      ON CONFLICT (property_id, type, light) DO UPDATE SET devices = c.devices + EXCLUDED.devices;
    $$;

    CREATE FUNCTION device_light_counts_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM device_light_counts_apply(coalesce(jsonb_agg(x), '[]'))
         FROM (SELECT property_id, type, coalesce(light, 'unknown') AS light, count(*) AS delta
                 FROM new_rows WHERE removed_at IS NULL GROUP BY 1, 2, 3) x;
      RETURN NULL;
    END $$;

    CREATE FUNCTION device_light_counts_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM device_light_counts_apply(coalesce(jsonb_agg(x), '[]'))
         FROM (SELECT property_id, type, coalesce(light, 'unknown') AS light, -count(*) AS delta
                 FROM old_rows WHERE removed_at IS NULL GROUP BY 1, 2, 3) x;
      RETURN NULL;
    END $$;

    -- Most updates (readings, battery) change nothing counted: their net delta is empty and no
    -- count row is touched or locked.
    CREATE FUNCTION device_light_counts_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM device_light_counts_apply(coalesce(jsonb_agg(x), '[]'))
         FROM (SELECT property_id, type, light, sum(delta) AS delta
                 FROM (SELECT property_id, type, coalesce(light, 'unknown') AS light, 1 AS delta FROM new_rows WHERE removed_at IS NULL
                       UNION ALL
                       SELECT property_id, type, coalesce(light, 'unknown'), -1 FROM old_rows WHERE removed_at IS NULL) changes
                GROUP BY 1, 2, 3
               HAVING sum(delta) <> 0) x;
      RETURN NULL;
    END $$;

    CREATE FUNCTION device_light_counts_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM device_light_counts;
      RETURN NULL;
    END $$;

    LOCK TABLE devices IN SHARE ROW EXCLUSIVE MODE;
    CREATE TRIGGER devices_light_counts_insert AFTER INSERT ON devices
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION device_light_counts_on_insert();
    CREATE TRIGGER devices_light_counts_update AFTER UPDATE ON devices
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION device_light_counts_on_update();
    CREATE TRIGGER devices_light_counts_delete AFTER DELETE ON devices
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION device_light_counts_on_delete();
    CREATE TRIGGER devices_light_counts_truncate AFTER TRUNCATE ON devices
      FOR EACH STATEMENT EXECUTE FUNCTION device_light_counts_on_truncate();
    INSERT INTO device_light_counts (property_id, type, light, devices)
    SELECT property_id, type, coalesce(light, 'unknown'), count(*) FROM devices WHERE removed_at IS NULL GROUP BY 1, 2, 3;

    CREATE INDEX devices_serial_prefix_idx ON devices (upper(serial) text_pattern_ops);
    -- The dashboard's deadlines ahead and radio quality, per property, over installed devices only.
    CREATE INDEX devices_installed_due_idx ON devices (property_id, due_at) WHERE removed_at IS NULL;
    CREATE INDEX devices_installed_remote_idx ON devices (property_id, last_reading_at) WHERE removed_at IS NULL AND remote_readable;

    -- The light has been what it is at least since the row was written with it.
    UPDATE devices SET light_changed_at = created_at WHERE light IS NOT NULL AND light_changed_at IS NULL;
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP INDEX IF EXISTS devices_installed_remote_idx;
    DROP INDEX IF EXISTS devices_installed_due_idx;
    DROP INDEX IF EXISTS devices_serial_prefix_idx;
    DROP TRIGGER IF EXISTS devices_light_counts_insert ON devices;
    DROP TRIGGER IF EXISTS devices_light_counts_update ON devices;
    DROP TRIGGER IF EXISTS devices_light_counts_delete ON devices;
    DROP TRIGGER IF EXISTS devices_light_counts_truncate ON devices;
    DROP FUNCTION IF EXISTS device_light_counts_on_insert(), device_light_counts_on_update(), device_light_counts_on_delete(),
      device_light_counts_on_truncate(), device_light_counts_apply(JSONB);
    DROP TABLE IF EXISTS device_light_counts;
  `);
};
