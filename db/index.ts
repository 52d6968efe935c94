import { Sequelize, type Transaction } from 'sequelize';
import pg from 'pg';
import { initOrganisation, Organisation } from './models/organisation';
import { initUser, User } from './models/user';
import { initSession, Session } from './models/session';
import { initProperty, Property } from './models/property';
import { initUnit, Unit } from './models/unit';
import { initTenancy, Tenancy } from './models/tenancy';
import { initDevice, Device } from './models/device';
import { initReading, Reading } from './models/reading';
import { initNotification, Notification } from './models/notification';
import { initMail, Mail } from './models/mail';
import { initAuditEntry, AuditEntry } from './models/audit-entry';
import { initStatement, Statement } from './models/statement';
import { initStatementCost, StatementCost } from './models/statement-cost';
import { initStatementKey, StatementKey } from './models/statement-key';
import { initStatementUnitResult, StatementUnitResult } from './models/statement-unit-result';
import { initStatementOccupancy, StatementOccupancy } from './models/statement-occupancy';
import { initDocument, Document } from './models/document';
import { initMonthlyInformation, MonthlyInformation } from './models/monthly-information';
import { initMonthlyRun, MonthlyRun } from './models/monthly-run';
import { initMonthlyRunProperty, MonthlyRunProperty } from './models/monthly-run-property';
import { initMonthlyDeliveryEvent, MonthlyDeliveryEvent } from './models/monthly-delivery-event';
import { initMonthlyPropertySetting, MonthlyPropertySetting } from './models/monthly-property-setting';
import { initTicket, Ticket } from './models/ticket';
import { initTicketEvent, TicketEvent } from './models/ticket-event';
import { initTicketSlaRule, TicketSlaRule } from './models/ticket-sla-rule';
import { initAppointmentRequest, AppointmentRequest } from './models/appointment';
import { initAppointmentSlot, AppointmentSlot } from './models/appointment-slot';
import { initAppointmentEvent, AppointmentEvent } from './models/appointment-event';
import { initNotificationPreference, NotificationPreference } from './models/notification-preference';
import { initProofEvent, ProofEvent } from './models/proof-event';
import { initObjection, Objection } from './models/objection';
import { initAccountToken, AccountToken } from './models/account-token';
import { initLoginChallenge, LoginChallenge } from './models/login-challenge';
import { initRecoveryCode, RecoveryCode } from './models/recovery-code';

import type { HeadSigner } from './heads';
// Return BIGINT/COUNT as numbers: ids and counts here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export const models = {
  Organisation,
  User,
  Session,
  Property,
  Unit,
  Tenancy,
  Device,
  Reading,
  Notification,
  Mail,
  AuditEntry,
  Statement,
  StatementCost,
  StatementKey,
  StatementUnitResult,
  StatementOccupancy,
  Document,
  MonthlyInformation,
  MonthlyRun,
  MonthlyRunProperty,
  MonthlyDeliveryEvent,
  MonthlyPropertySetting,
  Ticket,
  TicketEvent,
  TicketSlaRule,
  AppointmentRequest,
  AppointmentSlot,
  AppointmentEvent,
  NotificationPreference,
  ProofEvent,
  Objection,
  AccountToken,
  LoginChallenge,
  RecoveryCode,
};

let initialised = false;

function initModels(sequelize: Sequelize) {
  // Model classes are module singletons; each process binds them to its one Sequelize instance.
  if (initialised) return;
  for (const init of [
    initOrganisation,
    initUser,
    initSession,
    initProperty,
    initUnit,
    initTenancy,
    initDevice,
    initReading,
    initNotification,
    initMail,
    initAuditEntry,
    initStatement,
    initStatementCost,
    initStatementKey,
    initStatementUnitResult,
    initStatementOccupancy,
    initDocument,
    initMonthlyInformation,
    initMonthlyRun,
    initMonthlyRunProperty,
    initMonthlyDeliveryEvent,
    initMonthlyPropertySetting,
    initTicket,
    initTicketEvent,
    initTicketSlaRule,
    initAppointmentRequest,
    initAppointmentSlot,
    initAppointmentEvent,
    initNotificationPreference,
    initProofEvent,
    initObjection,
    initAccountToken,
    initLoginChallenge,
    initRecoveryCode,
  ])
    init(sequelize);
  initialised = true;
}

export interface Db {
  sequelize: Sequelize;
  models: typeof models;
  /**
   * Signs each new proof head and the audit log's head with the installation's key, which the
   * database never sees; without it (tools, most tests) heads are stored unsigned only in the chains.
   */
  headSigner?: HeadSigner;
  /** NOTIFY on a channel after the transaction (if any) commits; web instances LISTEN and push to pages. */
  notify(channel: LiveChannel, payload: Record<string, unknown>, transaction?: Transaction): Promise<void>;
  close(): Promise<void>;
}

export type LiveChannel = 'klarmeter_live';
export const LIVE_CHANNEL: LiveChannel = 'klarmeter_live';

/**
 * Limits that turn a frozen or contended database into a fast error instead of a hang (milliseconds;
 * 0 disables one). The session settings are sent at connect, so they hold for every pooled connection.
 */
export interface DbTimeouts {
  /** PostgreSQL `statement_timeout`: the server cancels a statement that runs longer. */
  statementMs: number;
  /** PostgreSQL `lock_timeout`: waiting for a row or table lock gives up after this. */
  lockMs: number;
  /** PostgreSQL `idle_in_transaction_session_timeout`: a transaction left open is ended by the server. */
  idleInTransactionMs: number;
  /** Waiting for a free pooled connection gives up after this (Sequelize pool `acquire`). */
  acquireMs: number;
  /** Opening a new connection gives up after this (an unreachable server otherwise waits for TCP). */
  connectMs: number;
}

export function createDb(
  url: string,
  options: { poolMax?: number; logging?: boolean; headSigner?: HeadSigner; timeouts?: DbTimeouts } = {},
): Db {
  const timeouts = options.timeouts;
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: options.logging ? console.log : false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, ...(timeouts ? { acquire: timeouts.acquireMs } : {}) },
    ...(timeouts
      ? {
          dialectOptions: {
            statement_timeout: timeouts.statementMs,
            lock_timeout: timeouts.lockMs,
            idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
            connectionTimeoutMillis: timeouts.connectMs,
          },
        }
      : {}),
  });
  initModels(sequelize);
  return {
    sequelize,
    models,
    ...(options.headSigner ? { headSigner: options.headSigner } : {}),
    async notify(channel, payload, transaction) {
      // pg_notify inside a transaction is delivered only at commit, which is exactly what we want.
      await sequelize.query('SELECT pg_notify(:channel, :payload)', {
        replacements: { channel, payload: JSON.stringify(payload) },
        transaction,
      });
    },
    close: () => sequelize.close(),
  };
}

export type { Organisation, User, Session, Property, Unit, Tenancy, Device, Reading, Notification, Mail, AuditEntry };
export type { Statement, StatementCost, StatementKey, StatementUnitResult, StatementOccupancy, Document };
export type { MonthlyInformation, MonthlyRun, MonthlyRunProperty, MonthlyDeliveryEvent, MonthlyPropertySetting };
export type { Ticket, TicketEvent, TicketSlaRule, AppointmentRequest, AppointmentSlot, AppointmentEvent, NotificationPreference };
export type { ProofEvent, Objection };
export type { AccountToken, LoginChallenge, RecoveryCode };
