import type { Migration } from '../migrate';

// Tickets (Vorgänge) and appointment requests (Terminwünsche), their histories, the SLA matrix an
// organisation may override, and each user's choice of notification channels.
//
// The rows of tickets and appointment_requests are projections: the workflow `ticket-<id>` /
// `appointment-<id>` is the source of truth and writes every step through activities. Each step
// carries the workflow's sequence number; a projection only moves forward (event_seq), so a
// retried or late activity never overwrites a newer state. The event tables are the complete
// history, append-only like the audit log.
export const up: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    CREATE TABLE tickets (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      unit_id INTEGER REFERENCES units(id),
      created_by INTEGER NOT NULL REFERENCES users(id),
      topic TEXT NOT NULL,
      subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      category TEXT NOT NULL CHECK (category IN ('statement_objection','device_report','reading','general_question','data_protection')),
      priority TEXT NOT NULL CHECK (priority IN ('urgent','high','normal','low')),
      triage_reasons TEXT[] NOT NULL DEFAULT '{}',
      linked_kind TEXT CHECK (linked_kind IN ('statement')),
      linked_id INTEGER,
      linked_version INTEGER,
      status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','waiting_for_tenant','resolved','closed')),
      assignee_id INTEGER REFERENCES users(id),
      round INTEGER NOT NULL DEFAULT 1,
      sla_clock TEXT NOT NULL CHECK (sla_clock IN ('calendar','business')),
      -- Due instants while the clock runs; while it is paused they are null and *_remaining_ms say
      -- how much SLA time was left when the pause began.
      reaction_due_at TIMESTAMPTZ,
      resolution_due_at TIMESTAMPTZ,
      reaction_remaining_ms BIGINT,
      resolution_remaining_ms BIGINT,
      sla_paused_at TIMESTAMPTZ,
      reacted_at TIMESTAMPTZ,
      resolved_at TIMESTAMPTZ,
      closed_at TIMESTAMPTZ,
      reaction_breached_at TIMESTAMPTZ,
      resolution_breached_at TIMESTAMPTZ,
      event_seq INTEGER NOT NULL DEFAULT 1,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      CHECK ((linked_kind IS NULL) = (linked_id IS NULL))
    );
    CREATE INDEX tickets_org_status_idx ON tickets(organisation_id, status);
    CREATE INDEX tickets_creator_idx ON tickets(created_by);
    CREATE INDEX tickets_linked_idx ON tickets(linked_kind, linked_id) WHERE linked_kind IS NOT NULL;

    CREATE TABLE ticket_events (
      id BIGSERIAL PRIMARY KEY,
      ticket_id INTEGER NOT NULL REFERENCES tickets(id),
      seq INTEGER NOT NULL CHECK (seq >= 1),
      kind TEXT NOT NULL,
      -- 'internal' steps (escalations, recategorisation) are not shown to the tenant.
      visibility TEXT NOT NULL CHECK (visibility IN ('public','internal')),
      actor_id INTEGER REFERENCES users(id),
      actor_name TEXT NOT NULL,
      actor_role TEXT NOT NULL,
      at TIMESTAMPTZ NOT NULL,
      body TEXT,
      details JSONB NOT NULL DEFAULT '{}',
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (ticket_id, seq)
    );
    CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
      FOR EACH ROW EXECUTE FUNCTION forbid_change();

    -- An organisation's deviations from the default matrix (domain/sla.ts), in seconds so that
    -- tests and demos can run deadlines of seconds.
    CREATE TABLE ticket_sla_rules (
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      category TEXT NOT NULL CHECK (category IN ('statement_objection','device_report','reading','general_question','data_protection')),
      priority TEXT NOT NULL CHECK (priority IN ('urgent','high','normal','low')),
      reaction_seconds INTEGER NOT NULL CHECK (reaction_seconds > 0),
      resolution_seconds INTEGER NOT NULL CHECK (resolution_seconds > 0),
      business_hours BOOLEAN NOT NULL,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (organisation_id, category, priority)
    );

    CREATE TABLE appointment_requests (
      id SERIAL PRIMARY KEY,
      organisation_id INTEGER NOT NULL REFERENCES organisations(id),
      property_id INTEGER NOT NULL REFERENCES properties(id),
      unit_id INTEGER NOT NULL REFERENCES units(id),
      tenant_id INTEGER NOT NULL REFERENCES users(id),
      technician_id INTEGER REFERENCES users(id),
      reason TEXT NOT NULL CHECK (reason IN ('device_exchange','reading','maintenance')),
      note TEXT CHECK (length(note) <= 2000),
      status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested','proposed','confirmed','done','no_show','cancelled')),
      -- Positions of the latest offer of slots, the ones the other side may choose from.
      open_offer INTEGER[] NOT NULL DEFAULT '{}',
      confirmed_slot INTEGER,
      confirm_due_at TIMESTAMPTZ,
      escalated_at TIMESTAMPTZ,
      reminded_at TIMESTAMPTZ,
      completed_at TIMESTAMPTZ,
      event_seq INTEGER NOT NULL DEFAULT 1,
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX appointment_requests_property_idx ON appointment_requests(property_id, status);
    CREATE INDEX appointment_requests_tenant_idx ON appointment_requests(tenant_id);

    -- Every slot ever offered, by the tenant (with the request) or the technician (a proposal);
    -- position counts across both, and is how updates name a slot.
    CREATE TABLE appointment_slots (
      id SERIAL PRIMARY KEY,
      appointment_id INTEGER NOT NULL REFERENCES appointment_requests(id),
      position INTEGER NOT NULL CHECK (position >= 0),
      starts_at TIMESTAMPTZ NOT NULL,
      ends_at TIMESTAMPTZ NOT NULL,
      offered_by TEXT NOT NULL CHECK (offered_by IN ('tenant','technician')),
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (appointment_id, position),
      CHECK (ends_at > starts_at)
    );

    CREATE TABLE appointment_events (
      id BIGSERIAL PRIMARY KEY,
      appointment_id INTEGER NOT NULL REFERENCES appointment_requests(id),
      seq INTEGER NOT NULL CHECK (seq >= 1),
      kind TEXT NOT NULL,
      actor_id INTEGER REFERENCES users(id),
      actor_name TEXT NOT NULL,
      actor_role TEXT NOT NULL,
      at TIMESTAMPTZ NOT NULL,
      body TEXT,
      details JSONB NOT NULL DEFAULT '{}',
      created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      UNIQUE (appointment_id, seq)
    );
    CREATE TRIGGER appointment_events_append_only BEFORE UPDATE OR DELETE ON appointment_events
      FOR EACH ROW EXECUTE FUNCTION forbid_change();

    -- Absent rows mean "both channels on": a user only stores what it switched off or back on.
    CREATE TABLE notification_preferences (
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      topic TEXT NOT NULL CHECK (topic IN ('ticket','ticket-escalation','appointment','device')),
      in_portal BOOLEAN NOT NULL DEFAULT true,
      email BOOLEAN NOT NULL DEFAULT true,
      updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, topic)
    );
  `);
};

export const down: Migration = async ({ context: sequelize }) => {
  await sequelize.query(`
    DROP TABLE IF EXISTS notification_preferences, appointment_events, appointment_slots, appointment_requests,
      ticket_sla_rules, ticket_events, tickets CASCADE;
  `);
};
