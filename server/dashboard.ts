// The dashboard: the portfolio (or one property) at a glance, always within the viewer's scope.
// Light counts come from device_light_counts and the heating sums from monthly_property_totals
// (both kept by triggers in the writing transaction); the rest are single indexed counts.
import { QueryTypes } from 'sequelize';
import { db } from './db';
import { calendarDate } from '../domain/calendar';
import {
  type DEADLINE_HORIZONS,
  type DeadlineCount,
  deadlinesOnDate,
  deadlineTotals,
  heatingComparison,
  inquiryTrend,
  monthOf,
  RADIO_WINDOW_DAYS,
  radioQualityPermille,
  SLA_RISK_HOURS,
  type HeatingMonth,
  type InquiryMonth,
} from '../domain/dashboard';
import { addLightCounts, emptyLightCounts, worstLight, type LightCounts } from '../domain/lights';
import type { Light } from '../domain/deadlines';
import { costDeadlineDueAt, previousCalendarYear } from './cost-deadlines';
import { aggregatedLightCounts } from './devices';
import { LiveCache } from './live-cache';
import type { Scope } from './permissions';
import { propertySummaries, type PropertySummary } from './properties';

export interface Dashboard {
  /** The property shown alone, or null for the whole portfolio in scope. */
  property: { id: number; name: string } | null;
  units: number;
  properties: PropertySummary[];
  lights: LightCounts;
  status: Light | null;
  radio: { remote: number; reporting: number; permille: number | null };
  tickets: { open: number; atRisk: number };
  /** Totals over every kind of obligation, and per kind (devices, legionella, cost data, archive). */
  deadlines: { overdue: number; within: Record<(typeof DEADLINE_HORIZONS)[number], number>; kinds: DeadlineCount[] };
  heating: HeatingMonth[];
  inquiries: InquiryMonth[];
  today: string;
}

/** Changes arrive as live events (devices, tickets, monthly runs): see LiveCache. */
const cache = new LiveCache<Dashboard>(10_000);

/**
 * The dashboard for the scope, or for one property of it (`propertyId`); null when that property
 * is not in the scope (the page answers 404).
 */
export async function dashboard(scope: Scope, propertyId: number | null, now = new Date()): Promise<Dashboard | null> {
  const property = propertyId === null ? null : (scope.properties.find((p) => p.id === propertyId) ?? null);
  if (propertyId !== null && !property) return null;
  const ids = property ? [property.id] : scope.propertyIds;
  const today = calendarDate(now);
  return cache.get(JSON.stringify([ids, today]), () => compute(ids, property, now, today));
}

async function compute(ids: number[], property: Dashboard['property'], now: Date, today: string): Promise<Dashboard> {
  const currentMonth = monthOf(today);
  if (ids.length === 0) {
    return {
      property,
      units: 0,
      properties: [],
      lights: emptyLightCounts(),
      status: null,
      radio: { remote: 0, reporting: 0, permille: null },
      tickets: { open: 0, atRisk: 0 },
      deadlines: { overdue: 0, within: { 30: 0, 90: 0 }, kinds: [] },
      heating: heatingComparison([], currentMonth),
      inquiries: [],
      today,
    };
  }
  const sql = db().sequelize;
  const year = Number(currentMonth.slice(0, 4));
  const [properties, lights, [radio], [deviceDeadlines], [tickets], heating, inquiries, [goLive], otherDeadlines] = await Promise.all([
    propertySummaries({ properties: [], propertyIds: ids, unitIds: null }),
    aggregatedLightCounts(ids),
    // Both from partial indexes of installed devices, read index-only: the remotely read devices
    // (with their last reading), and only the deadlines up to the farthest horizon.
    sql.query<{ remote: number; reporting: number }>(
      `SELECT count(*)::int AS remote, count(*) FILTER (WHERE last_reading_at >= :since)::int AS reporting
         FROM devices WHERE property_id IN (:ids) AND removed_at IS NULL AND remote_readable`,
      {
        replacements: { ids, since: new Date(now.getTime() - RADIO_WINDOW_DAYS * 86_400_000) },
        type: QueryTypes.SELECT,
      },
    ),
    sql.query<Counted>(
      `SELECT ${DUE_COUNTS('due_at')} FROM devices
        WHERE property_id IN (:ids) AND removed_at IS NULL AND due_at <= :today::date + 90`,
      { replacements: { ids, today }, type: QueryTypes.SELECT },
    ),
    sql.query<{ open: number; atRisk: number }>(
      `SELECT count(*)::int AS open,
              count(*) FILTER (WHERE reaction_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL
                               OR (sla_paused_at IS NULL AND (
                                     (reacted_at IS NULL AND reaction_due_at < :risk) OR resolution_due_at < :risk)))::int AS "atRisk"
         FROM tickets WHERE property_id IN (:ids) AND status NOT IN ('resolved', 'closed')`,
      { replacements: { ids, risk: new Date(now.getTime() + SLA_RISK_HOURS * 3_600_000) }, type: QueryTypes.SELECT },
    ),
    sql.query<{ month: string; heatingKwh: string }>(
      `SELECT to_char(month, 'YYYY-MM') AS month, sum(heating_kwh) AS "heatingKwh"
         FROM monthly_property_totals
        WHERE property_id IN (:ids) AND month >= :from
        GROUP BY month`,
      { replacements: { ids, from: `${year - 1}-01-01` }, type: QueryTypes.SELECT },
    ),
    // Tickets, and objections that did not become a ticket (those are counted as their ticket).
    sql.query<{ month: string; inquiries: number }>(
      `SELECT month, sum(n)::int AS inquiries FROM (
         SELECT to_char(created_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM') AS month, count(*) AS n
           FROM tickets WHERE property_id IN (:ids) AND created_at >= :from GROUP BY 1
         UNION ALL
         SELECT to_char(o.filed_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM'), count(*)
           FROM statement_objections o JOIN units u ON u.id = o.unit_id
          WHERE u.property_id IN (:ids) AND o.ticket_id IS NULL AND o.filed_at >= :from GROUP BY 1
       ) counted GROUP BY month`,
      { replacements: { ids, from: new Date(now.getTime() - 800 * 86_400_000) }, type: QueryTypes.SELECT },
    ),
    sql.query<{ month: string }>(
      `SELECT to_char(min(created_at) AT TIME ZONE 'Europe/Berlin', 'YYYY-MM') AS month FROM properties WHERE id IN (:ids)`,
      { replacements: { ids }, type: QueryTypes.SELECT },
    ),
    obligationDeadlines(ids, today),
  ]);
  const units = properties.reduce((sum, p) => sum + p.unitCount, 0);
  return {
    property,
    units,
    properties,
    lights,
    status: worstLight(addLightCounts(emptyLightCounts(), lights)),
    radio: {
      remote: radio?.remote ?? 0,
      reporting: radio?.reporting ?? 0,
      permille: radioQualityPermille(radio?.reporting ?? 0, radio?.remote ?? 0),
    },
    tickets: { open: tickets?.open ?? 0, atRisk: tickets?.atRisk ?? 0 },
    deadlines: deadlinesOf([
      {
        kind: 'device',
        overdue: deviceDeadlines?.overdue ?? 0,
        within30: deviceDeadlines?.within30 ?? 0,
        within90: deviceDeadlines?.within90 ?? 0,
      },
      ...otherDeadlines,
    ]),
    heating: heatingComparison(
      heating.map((h) => ({ month: h.month, heatingKwh: Number(h.heatingKwh) })),
      currentMonth,
    ),
    inquiries: inquiryTrend(inquiries, units, goLive?.month ?? currentMonth, currentMonth),
    today,
  };
}

function deadlinesOf(kinds: DeadlineCount[]): Dashboard['deadlines'] {
  return { ...deadlineTotals(kinds), kinds };
}

type Counted = { overdue: number; within30: number; within90: number };

/** The same three counts over a date column, for the queries below. */
const DUE_COUNTS = (column: string) => `
  count(*) FILTER (WHERE ${column} < :today)::int AS overdue,
  count(*) FILTER (WHERE ${column} >= :today AND ${column} <= :today::date + 30)::int AS within30,
  count(*) FILTER (WHERE ${column} >= :today AND ${column} <= :today::date + 90)::int AS within90`;

/**
 * The deadlines of the obligations besides the devices', from the rows their workflows keep or
 * close: legionella sampling rounds (water_systems.due_at), the cost data of last calendar year's
 * statement (open until a statement for the period is saved, as the cost-deadline workflow), and
 * archive versions whose retention ends (until deleted; a legal hold suspends it).
 */
async function obligationDeadlines(ids: number[], today: string): Promise<DeadlineCount[]> {
  const sql = db().sequelize;
  const period = previousCalendarYear(today);
  const [[legionella], [costData], [retention]] = await Promise.all([
    sql.query<Counted>(`SELECT ${DUE_COUNTS('due_at')} FROM water_systems WHERE property_id IN (:ids) AND due_at IS NOT NULL`, {
      replacements: { ids, today },
      type: QueryTypes.SELECT,
    }),
    sql.query<{ open: number }>(
      `SELECT count(*)::int AS open FROM properties p
        WHERE p.id IN (:ids) AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.property_id = p.id AND s.period_end = :periodEnd)`,
      { replacements: { ids, periodEnd: period.end }, type: QueryTypes.SELECT },
    ),
    sql.query<Counted>(
      `SELECT ${DUE_COUNTS('v.retention_until')}
         FROM archive_versions v JOIN archive_documents d ON d.id = v.document_id
        WHERE d.property_id IN (:ids) AND v.retention_until <= :today::date + 90
          AND NOT EXISTS (SELECT 1 FROM archive_legal_holds h
                           WHERE h.property_id = d.property_id AND h.released_at IS NULL
                             AND (h.unit_id IS NULL OR h.unit_id = d.unit_id))`,
      { replacements: { ids, today }, type: QueryTypes.SELECT },
    ),
  ]);
  const zero: Counted = { overdue: 0, within30: 0, within90: 0 };
  return [
    { kind: 'legionella', ...(legionella ?? zero) },
    deadlinesOnDate('cost-data', costDeadlineDueAt(period.end), today, costData?.open ?? 0),
    { kind: 'archive-retention', ...(retention ?? zero) },
  ];
}
