import type { Migration } from '../migrate';

// The dashboard's heating chart sums the published monthly information per property and month:
// at 10,000 units and two years that is 240,000 rows per request. monthly_property_totals keeps
// the sums, maintained by statement-level triggers on monthly_information in the transaction
// that publishes (a run's bulk upsert fires one INSERT and one UPDATE trigger), so the chart and
// the published information cannot disagree. Tickets get an index for the inquiries trend.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE monthly_property_totals (
      property_id INTEGER NOT NULL REFERENCES properties(id) ON DELETE CASCADE,
      month DATE NOT NULL,
      units INTEGER NOT NULL,
      heating_kwh NUMERIC(16,2) NOT NULL,
      hot_water_kwh NUMERIC(16,2) NOT NULL,
      estimated INTEGER NOT NULL,
      PRIMARY KEY (property_id, month)
    );

    CREATE FUNCTION monthly_property_totals_apply(deltas JSONB) RETURNS void LANGUAGE sql AS $$
      INSERT INTO monthly_property_totals AS t (property_id, month, units, heating_kwh, hot_water_kwh, estimated)
      SELECT (d->>'property_id')::int, (d->>'month')::date, (d->>'units')::int, (d->>'heating_kwh')::numeric,
             (d->>'hot_water_kwh')::numeric, (d->>'estimated')::int
        FROM jsonb_array_elements(deltas) d
       ORDER BY 1, 2
      ON CONFLICT (property_id, month) DO UPDATE SET
        units = t.units + EXCLUDED.units, heating_kwh = t.heating_kwh + EXCLUDED.heating_kwh,
        hot_water_kwh = t.hot_water_kwh + EXCLUDED.hot_water_kwh, estimated = t.estimated + EXCLUDED.estimated;
    $$;

    CREATE FUNCTION monthly_property_totals_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM monthly_property_totals_apply(coalesce(jsonb_agg(x), '[]'))
         FROM (SELECT property_id, month, count(*) AS units, coalesce(sum(heating_kwh), 0) AS heating_kwh,
                      coalesce(sum(hot_water_kwh), 0) AS hot_water_kwh, count(*) FILTER (WHERE estimated) AS estimated
                 FROM new_rows GROUP BY 1, 2) x;
      RETURN NULL;
    END $$;

    CREATE FUNCTION monthly_property_totals_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM monthly_property_totals_apply(coalesce(jsonb_agg(x), '[]'))
         FROM (SELECT property_id, month, sum(units) AS units, sum(heating_kwh) AS heating_kwh, sum(hot_water_kwh) AS hot_water_kwh,
                      sum(estimated) AS estimated
                 FROM (SELECT property_id, month, 1 AS units, coalesce(heating_kwh, 0) AS heating_kwh, coalesce(hot_water_kwh, 0) AS hot_water_kwh,
                              CASE WHEN estimated THEN 1 ELSE 0 END AS estimated FROM new_rows
                       UNION ALL
                       SELECT property_id, month, -1, -coalesce(heating_kwh, 0), -coalesce(hot_water_kwh, 0),
                              CASE WHEN estimated THEN -1 ELSE 0 END FROM old_rows) changes
                GROUP BY 1, 2
               HAVING sum(units) <> 0 OR sum(heating_kwh) <> 0 OR sum(hot_water_kwh) <> 0 OR sum(estimated) <> 0) x;
      RETURN NULL;
    END $$;

    CREATE FUNCTION monthly_property_totals_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM monthly_property_totals_apply(coalesce(jsonb_agg(x), '[]'))
         FROM (SELECT property_id, month, -count(*) AS units, -coalesce(sum(heating_kwh), 0) AS heating_kwh,
                      -coalesce(sum(hot_water_kwh), 0) AS hot_water_kwh, -count(*) FILTER (WHERE estimated) AS estimated
                 FROM old_rows GROUP BY 1, 2) x;
      RETURN NULL;
    END $$;

    LOCK TABLE monthly_information IN SHARE ROW EXCLUSIVE MODE;
    CREATE TRIGGER monthly_information_totals_insert AFTER INSERT ON monthly_information
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_property_totals_on_insert();
    CREATE TRIGGER monthly_information_totals_update AFTER UPDATE ON monthly_information
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_property_totals_on_update();
    CREATE TRIGGER monthly_information_totals_delete AFTER DELETE ON monthly_information
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_property_totals_on_delete();
    INSERT INTO monthly_property_totals (property_id, month, units, heating_kwh, hot_water_kwh, estimated)
    SELECT property_id, month, count(*), coalesce(sum(heating_kwh), 0), coalesce(sum(hot_water_kwh), 0), count(*) FILTER (WHERE estimated)
      FROM monthly_information GROUP BY 1, 2;

    CREATE INDEX tickets_property_created_idx ON tickets (property_id, created_at);
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP INDEX IF EXISTS tickets_property_created_idx;
    DROP TRIGGER IF EXISTS monthly_information_totals_insert ON monthly_information;
    DROP TRIGGER IF EXISTS monthly_information_totals_update ON monthly_information;
    DROP TRIGGER IF EXISTS monthly_information_totals_delete ON monthly_information;
    DROP FUNCTION IF EXISTS monthly_property_totals_on_insert(), monthly_property_totals_on_update(), monthly_property_totals_on_delete(), monthly_property_totals_apply(JSONB);
    DROP TABLE IF EXISTS monthly_property_totals;
  `);
};
