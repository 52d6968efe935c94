// Side effects of the monthly information (HKVO §6a): planning a run, the property's comparison
// groups, and per batch of units the computation, the publication (one bulk upsert), the proof of
// provision, the tenant's notification and e-mail, and the run's progress. Every step is
// idempotent: a rerun of a month or a retried batch publishes, proves, notifies and mails nothing
// twice (unique keys, content hashes, dedupe keys, "only if not yet set" columns).
import { QueryTypes, type Transaction } from 'sequelize';
import { noProgress, type ProgressSource } from './progress';
import { LIVE_CHANNEL, type Db } from '../db';
import { GENESIS_HASH, appendAudit, canonicalJson, sha256 } from '../db/audit';
import type { MonthlyDelivery } from '../domain/monthly';
import type { MonthlyDeliveryEventKind } from '../domain/monthly';
import { addDays } from '../domain/dates';
import { plural } from '../domain/format';
import type { DeviceType } from '../domain/deadlines';
import {
  BOUNDARY_TOLERANCE_DAYS,
  CONSUMPTION_DEVICE_TYPES,
  DEFAULT_CONVERSION,
  HISTORY_MONTHS,
  PEER_MONTHS,
  addMonthsTo,
  composeMonthlyInformation,
  firstOwnMonth,
  germanMonth,
  monthBoundaries,
  monthsEnding,
  peerBaseline,
  unitMonthKinds,
  MIN_PEERS,
  type Assumptions,
  type BoundaryReading,
  type PeerMonth,
  type UnitDevice,
  type YearMonth,
} from '../domain/monthly';
import {
  EMPTY_TOTALS,
  monthlyInformationPath,
  monthlyNotificationKey,
  type MonthlyBatchInput,
  type PropertyPlan,
  type PropertyPreparation,
  type PropertyTotals,
} from '../domain/contracts/monthly';
import { referenceForProperty } from './comparison-references';
import type { Mailer } from './mail';
import { genericNotice, managersOf, notifyUsers, type Recipient } from './notifications';

/** Serialises writers of the delivery events' hash chain (the audit log uses 42001). */
const DELIVERY_CHAIN_LOCK = 42005;

/** The live event of the monthly information: managers' pages of the property reload (progress, opened). */
export type MonthlyLiveEvent = {
  type: 'monthly';
  propertyId: number;
  unitId?: number;
  month: YearMonth;
};

const firstDay = (month: YearMonth) => `${month}-01`;

// ---- Loading ----

/** The property's conversion factors, or the documented defaults. */
export async function loadAssumptions(db: Db, propertyId: number, transaction?: Transaction): Promise<Assumptions> {
  const settings = await db.models.MonthlyPropertySetting.findByPk(propertyId, { transaction });
  return settings
    ? {
        hkvKwhPerUnit: settings.hkvKwhPerUnit,
        hotWaterTempC: settings.hotWaterTempC,
        districtHeating: settings.districtHeating,
        source: 'property',
      }
    : { ...DEFAULT_CONVERSION, source: 'default' };
}

interface DeviceRow {
  id: number;
  unitId: number;
  serial: string;
  type: DeviceType;
  location: string | null;
  remoteReadable: boolean;
  radioStatus: UnitDevice['radioStatus'];
  installedAt: string;
  removedAt: string | null;
}

/**
 * The consumption devices of the units with, per month boundary, the reading nearest to it within
 * BOUNDARY_TOLERANCE_DAYS: one index lookup per device and boundary, however often devices report.
 */
export async function loadUnitDevices(
  db: Db,
  unitIds: readonly number[],
  months: readonly YearMonth[],
): Promise<Map<number, UnitDevice[]>> {
  const byUnit = new Map<number, UnitDevice[]>(unitIds.map((id) => [id, []]));
  if (unitIds.length === 0) return byUnit;
  const windowEnd = firstDay(addMonthsTo(months[months.length - 1]!, 1));
  const devices = await db.sequelize.query<DeviceRow>(
    `SELECT id, unit_id AS "unitId", serial, type, location, remote_readable AS "remoteReadable", radio_status AS "radioStatus",
            installed_at AS "installedAt", removed_at AS "removedAt"
       FROM devices
      WHERE unit_id = ANY($1::int[]) AND type = ANY($2::text[]) AND installed_at < $3 AND (removed_at IS NULL OR removed_at >= $4)
      ORDER BY unit_id, id`,
    { bind: [unitIds, CONSUMPTION_DEVICE_TYPES, windowEnd, firstDay(months[0]!)], type: QueryTypes.SELECT },
  );
  if (devices.length === 0) return byUnit;
  const boundaries = monthBoundaries(months);
  const readings = await db.sequelize.query<{
    deviceId: number;
    index: number;
    value: string;
    setDateValue: string | null;
    source: string;
  }>(
    `SELECT d.id AS "deviceId", b.i::int - 1 AS "index", r.value, r.set_date_value AS "setDateValue", r.source
       FROM unnest($1::int[]) AS d(id)
      CROSS JOIN unnest($2::timestamptz[]) WITH ORDINALITY AS b(at, i)
      CROSS JOIN LATERAL (
            SELECT value, set_date_value, source FROM readings
             WHERE device_id = d.id AND read_at BETWEEN b.at - make_interval(days => $3) AND b.at + make_interval(days => $3)
             ORDER BY abs(extract(epoch FROM read_at - b.at)), read_at
             LIMIT 1) r`,
    { bind: [devices.map((d) => d.id), boundaries.map((b) => b.toISOString()), BOUNDARY_TOLERANCE_DAYS], type: QueryTypes.SELECT },
  );
  const aligned = new Map<number, Array<BoundaryReading | null>>(devices.map((d) => [d.id, boundaries.map(() => null)]));
  for (const r of readings) {
    aligned.get(r.deviceId)![r.index] = {
      value: Number(r.value),
      setDateValue: r.setDateValue === null ? null : Number(r.setDateValue),
      estimated: r.source === 'estimate',
    };
  }
  for (const d of devices) {
    byUnit.get(d.unitId)?.push({
      serial: d.serial,
      type: d.type,
      location: d.location,
      remoteReadable: d.remoteReadable,
      radioStatus: d.radioStatus,
      readings: aligned.get(d.id)!,
      inService: months.map((m) => d.installedAt < firstDay(addMonthsTo(m, 1)) && (d.removedAt === null || d.removedAt >= firstDay(m))),
    });
  }
  return byUnit;
}

interface UnitRow {
  id: number;
  label: string;
  areaM2: number;
}

async function loadUnits(db: Db, where: { propertyId: number } | { unitIds: readonly number[] }): Promise<UnitRow[]> {
  const [condition, bind] = 'propertyId' in where ? ['property_id = $1', [where.propertyId]] : ['id = ANY($1::int[])', [where.unitIds]];
  return db.sequelize.query<UnitRow>(`SELECT id, label, area_m2::float AS "areaM2" FROM units WHERE ${condition} ORDER BY id`, {
    bind,
    type: QueryTypes.SELECT,
  });
}

interface Addressee {
  tenancyId: number;
  unitId: number;
  userId: number | null;
  startsOn: string;
}

/** Per unit the tenancy of the month's last day (the latest, should the data overlap). */
async function addresseesOn(db: Db, unitIds: readonly number[], day: string): Promise<Map<number, Addressee>> {
  const rows = await db.sequelize.query<Addressee>(
    `SELECT DISTINCT ON (unit_id) id AS "tenancyId", unit_id AS "unitId", user_id AS "userId", starts_on AS "startsOn"
       FROM tenancies
      WHERE unit_id = ANY($1::int[]) AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)
      ORDER BY unit_id, starts_on DESC, id DESC`,
    { bind: [unitIds, day], type: QueryTypes.SELECT },
  );
  return new Map(rows.map((row) => [row.unitId, row]));
}

/**
 * Who gets the month's information, and from which month on its figures are the addressee's own. A
 * tenant who moved in during the month shares it with the previous one: neither may see the
 * other's consumption, so nobody gets it; the manager keeps it with all figures and sees why.
 */
function deliveryFor(month: YearMonth, addressee: Addressee | undefined): { delivery: MonthlyDelivery; visibleFrom: YearMonth | null } {
  if (!addressee) return { delivery: 'vacant', visibleFrom: null };
  if (addressee.startsOn > firstDay(month)) return { delivery: 'tenant-change', visibleFrom: null };
  return { delivery: addressee.userId === null ? 'no-account' : 'portal', visibleFrom: firstOwnMonth(addressee.startsOn) };
}

const TOTAL_OF_DELIVERY: Readonly<Record<MonthlyDelivery, keyof PropertyTotals>> = {
  portal: 'portal',
  'no-account': 'noAccount',
  vacant: 'vacant',
  'tenant-change': 'tenantChange',
};

/**
 * The property's comparison groups for the PEER_MONTHS months ending with `month`, from devices
 * loaded for the `monthCount` months ending with it.
 */
function propertyPeers(
  month: YearMonth,
  units: UnitRow[],
  devices: Map<number, UnitDevice[]>,
  monthCount: number,
  assumptions: Assumptions,
): PeerMonth[] {
  return peerBaseline(
    monthsEnding(month, PEER_MONTHS),
    units.map((unit) => {
      const own = devices.get(unit.id) ?? [];
      return { areaM2: unit.areaM2, devices: own, kinds: unitMonthKinds(own, monthCount, assumptions).slice(-PEER_MONTHS) };
    }),
  );
}

/**
 * A building too small for its own comparison group this month (HKVO §6a: then a wider group).
 * Only this month decides, so that a property whose readings start late does not load the whole
 * organisation every month of its first year (the chart's earlier months then show the reference).
 */
function needsWiderGroup(peers: readonly PeerMonth[], month: YearMonth): boolean {
  const current = peers.find((p) => p.month === month);
  return !current || current.property.units < MIN_PEERS;
}

/**
 * The comparison groups of all the organisation's units (every property, each with its own
 * conversion) for the PEER_MONTHS months ending with `month`: the wider group of §6a for small
 * buildings. Loaded once per organisation and month and kept for a while, since every small
 * building of a run asks for the same.
 */
function organisationPeerCache(db: Db) {
  const TTL_MS = 15 * 60 * 1000;
  const cache = new Map<string, { at: number; peers: Promise<PeerMonth[]> }>();
  async function load(organisationId: number, month: YearMonth): Promise<PeerMonth[]> {
    const units = await db.sequelize.query<UnitRow & { propertyId: number }>(
      `SELECT u.id, u.label, u.area_m2::float AS "areaM2", u.property_id AS "propertyId"
         FROM units u JOIN properties p ON p.id = u.property_id
        WHERE p.organisation_id = $1 ORDER BY u.id`,
      { bind: [organisationId], type: QueryTypes.SELECT },
    );
    const propertyIds = [...new Set(units.map((u) => u.propertyId))];
    const assumptions = new Map(await Promise.all(propertyIds.map(async (id) => [id, await loadAssumptions(db, id)] as const)));
    const devices = await loadUnitDevices(
      db,
      units.map((u) => u.id),
      monthsEnding(month, PEER_MONTHS),
    );
    return peerBaseline(
      monthsEnding(month, PEER_MONTHS),
      units.map((unit) => {
        const own = devices.get(unit.id) ?? [];
        return { areaM2: unit.areaM2, devices: own, kinds: unitMonthKinds(own, PEER_MONTHS, assumptions.get(unit.propertyId)!) };
      }),
    );
  }
  return (organisationId: number, month: YearMonth): Promise<PeerMonth[]> => {
    const key = `${organisationId}:${month}`;
    const now = Date.now();
    for (const [k, entry] of cache) if (now - entry.at > TTL_MS) cache.delete(k);
    let entry = cache.get(key);
    if (!entry) {
      entry = { at: now, peers: load(organisationId, month) };
      // A failed load is not kept: the activity's retry loads again.
      entry.peers.catch(() => cache.delete(key));
      cache.set(key, entry);
    }
    return entry.peers;
  };
}

// ---- The delivery proof ----

export interface DeliveryEventInput {
  informationId: number;
  kind: MonthlyDeliveryEventKind;
  userId: number | null;
  contentSha256: string;
  details: Record<string, unknown>;
}

interface ChainedFields extends DeliveryEventInput {
  at: Date;
  prevHash: string;
}

function deliveryEventHash(fields: ChainedFields): string {
  return sha256(canonicalJson({ ...fields, at: fields.at.toISOString() }));
}

const eventKey = (e: Pick<DeliveryEventInput, 'informationId' | 'kind' | 'userId' | 'contentSha256'>) =>
  e.kind === 'opened' ? `${e.informationId}:opened:${e.userId}` : `${e.informationId}:provided:${e.contentSha256}:${e.userId ?? 0}`;

/**
 * Appends events to the hash chain in the caller's transaction, leaving out any already recorded
 * (the unique indexes would refuse them, and a refused row would break the chain). Returns the
 * events written.
 */
export async function appendDeliveryEvents(
  db: Db,
  events: readonly DeliveryEventInput[],
  transaction: Transaction,
): Promise<DeliveryEventInput[]> {
  if (events.length === 0) return [];
  await db.sequelize.query(`SELECT pg_advisory_xact_lock(${DELIVERY_CHAIN_LOCK})`, { transaction });
  const recorded = await db.sequelize.query<{
    informationId: number;
    kind: MonthlyDeliveryEventKind;
    userId: number | null;
    contentSha256: string;
  }>(
    `SELECT information_id AS "informationId", kind, user_id AS "userId", content_sha256 AS "contentSha256"
       FROM monthly_delivery_events WHERE information_id = ANY($1::bigint[])`,
    { bind: [[...new Set(events.map((e) => e.informationId))]], type: QueryTypes.SELECT, transaction },
  );
  const seen = new Set(recorded.map(eventKey));
  const fresh = events.filter((e) => {
    const key = eventKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (fresh.length === 0) return [];
  const [last] = await db.sequelize.query<{ hash: string }>('SELECT hash FROM monthly_delivery_events ORDER BY id DESC LIMIT 1', {
    type: QueryTypes.SELECT,
    transaction,
  });
  let prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date();
  const rows = fresh.map((event, position) => {
    const fields: ChainedFields = { ...event, at, prevHash };
    const hash = deliveryEventHash(fields);
    prevHash = hash;
    return {
      position,
      information_id: event.informationId,
      kind: event.kind,
      user_id: event.userId,
      content_sha256: event.contentSha256,
      at: at.toISOString(),
      details: event.details,
      prev_hash: fields.prevHash,
      hash,
    };
  });
  // Inserted in chain order, so that ids follow the chain.
  await db.sequelize.query(
    `INSERT INTO monthly_delivery_events (information_id, kind, user_id, content_sha256, at, details, prev_hash, hash)
     SELECT information_id, kind, user_id, content_sha256, at, details, prev_hash, hash
       FROM jsonb_to_recordset($1::jsonb) AS x(position int, information_id bigint, kind text, user_id int, content_sha256 text,
            at timestamptz, details jsonb, prev_hash text, hash text)
      ORDER BY position`,
    { bind: [JSON.stringify(rows)], transaction },
  );
  return fresh;
}

export interface DeliveryChainVerdict {
  ok: boolean;
  checked: number;
  brokenAt?: { id: number; reason: string };
}

/** Walks the whole chain of delivery events; names the first whose content or link does not match. */
export async function verifyDeliveryChain(db: Db): Promise<DeliveryChainVerdict> {
  const rows = await db.models.MonthlyDeliveryEvent.findAll({ order: [['id', 'ASC']], raw: true });
  let prev = GENESIS_HASH;
  for (const row of rows) {
    if (row.prevHash !== prev) return { ok: false, checked: rows.length, brokenAt: { id: row.id, reason: 'Verkettung unterbrochen' } };
    const fields: ChainedFields = {
      informationId: Number(row.informationId),
      kind: row.kind,
      userId: row.userId,
      contentSha256: row.contentSha256,
      details: row.details,
      at: new Date(row.at),
      prevHash: row.prevHash,
    };
    if (deliveryEventHash(fields) !== row.hash)
      return { ok: false, checked: rows.length, brokenAt: { id: row.id, reason: 'Inhalt geändert' } };
    prev = row.hash;
  }
  return { ok: true, checked: rows.length };
}

/**
 * The addressee opened its information: recorded once per user (proof event and opened_at), with a
 * live event for the managers' overview. Returns whether this was the first opening.
 */
export async function recordOpening(
  db: Db,
  info: { id: number; propertyId: number; unitId: number; month: string; contentSha256: string },
  userId: number,
): Promise<boolean> {
  // Most views are repeat views: answered without the chain's lock, which every writer shares.
  const opened = await db.models.MonthlyDeliveryEvent.count({ where: { informationId: info.id, kind: 'opened', userId } });
  if (opened > 0) return false;
  return db.sequelize.transaction(async (transaction) => {
    const [written] = await appendDeliveryEvents(
      db,
      [{ informationId: info.id, kind: 'opened', userId, contentSha256: info.contentSha256, details: { month: info.month.slice(0, 7) } }],
      transaction,
    );
    if (!written) return false;
    await db.sequelize.query('UPDATE monthly_information SET opened_at = coalesce(opened_at, now()) WHERE id = $1', {
      bind: [info.id],
      transaction,
    });
    const event: MonthlyLiveEvent = { type: 'monthly', propertyId: info.propertyId, unitId: info.unitId, month: info.month.slice(0, 7) };
    await db.notify(LIVE_CHANNEL, event, transaction);
    return true;
  });
}

// ---- Activities ----

export interface StartRunInput {
  workflowId: string;
  month: YearMonth;
  /** Only these organisations' properties (tests, benchmarks); absent: all. */
  organisationIds?: number[];
}

export interface FinishRunInput {
  runId: number;
  status: 'completed' | 'failed';
  summary: Record<string, unknown>;
}

interface PublishedRow {
  id: number;
  unitId: number;
  recipientId: number | null;
  delivery: MonthlyDelivery;
  contentSha256: string;
}

/**
 * A batch's heartbeat: alive while it computes and publishes; once published, with what a retry needs
 * to announce only (a second publication would find nothing changed and count 0 published).
 */
type BatchProgress = { stage: 'publishing' } | { stage: 'published'; totals: PropertyTotals; unitIds: number[]; propertyName: string };

export function createMonthlyObligation(deps: { db: Db; mailer: Mailer; publicUrl?: string; progress?: ProgressSource }) {
  const { db, progress = noProgress } = deps;
  const organisationPeers = organisationPeerCache(db);
  /** The property's units as found when it is processed (units added since the run was planned count too). */
  async function countUnits(runId: number, propertyId: number, units: number) {
    await db.models.MonthlyRunProperty.update({ unitsTotal: units }, { where: { runId, propertyId } });
  }

  /** NOTIFY per property of the run (managers only see their own properties' events). */
  async function notifyRunProperties(runId: number, month: YearMonth, transaction: Transaction) {
    await db.sequelize.query(
      `SELECT pg_notify($1, json_build_object('type', 'monthly', 'propertyId', property_id, 'month', $3::text)::text)
         FROM monthly_run_properties WHERE run_id = $2`,
      { bind: [LIVE_CHANNEL, runId, month], transaction },
    );
  }

  /**
   * Tells the tenants of the batch's units whose information is not yet announced (once per tenant
   * and month, through the channels each chose), after the publication committed: a failed relay
   * cannot undo it, and notified_at makes retries and reruns skip what was announced. Returns the
   * units whose tenant got an e-mail.
   */
  async function announceToTenants(month: YearMonth, unitIds: readonly number[], property: { id: number; name: string }): Promise<number> {
    const pending = await db.sequelize.query<{ id: number; label: string; userId: number; email: string; name: string }>(
      `SELECT mi.id, un.label, u.id AS "userId", u.email, u.name
         FROM monthly_information mi JOIN users u ON u.id = mi.recipient_id JOIN units un ON un.id = mi.unit_id
        WHERE mi.month = $1 AND mi.unit_id = ANY($2::int[]) AND mi.delivery = 'portal' AND mi.notified_at IS NULL
        ORDER BY mi.unit_id`,
      { bind: [firstDay(month), unitIds], type: QueryTypes.SELECT },
    );
    if (pending.length === 0) return 0;
    const tenants = new Map<number, Recipient & { units: string[] }>();
    for (const row of pending) {
      const tenant = tenants.get(row.userId) ?? { id: row.userId, email: row.email, name: row.name, units: [] };
      tenant.units.push(row.label);
      tenants.set(row.userId, tenant);
    }
    const title = `Ihre Verbrauchsinformation für ${germanMonth(month)}`;
    const body =
      'Ihr Heiz- und Warmwasserverbrauch des Monats mit Vergleich zum Vormonat, zum Vorjahr und zu vergleichbaren Wohnungen liegt bereit.';
    const { email } = await notifyUsers(deps, {
      recipients: [...tenants.values()],
      topic: 'monthly-information',
      kind: 'monthly-information',
      propertyId: property.id,
      urgency: 'routine',
      dedupeKey: monthlyNotificationKey(month),
      // No figures in the e-mail: consumption data stay in the portal, behind the log-in.
      compose: (tenant) =>
        genericNotice({
          title,
          body,
          link: monthlyInformationPath(month),
          reference: `Verbrauchsinformation ${germanMonth(month)}`,
          intro:
            `Ihre monatliche Verbrauchsinformation für ${germanMonth(month)} liegt im Portal bereit: Ihr Heiz- und Warmwasserverbrauch ` +
            'in kWh mit dem Vergleich zum Vormonat, zum Vorjahresmonat und zu vergleichbaren Wohnungen.',
          facts: [
            { label: 'Liegenschaft', value: property.name },
            { label: 'Wohnung', value: tenant.units.join(', ') },
          ],
          actionLabel: 'Verbrauchsinformation öffnen',
        }),
    });
    const mailed = new Set(email);
    await db.sequelize.query(
      `UPDATE monthly_information SET notified_at = coalesce(notified_at, now()),
              mailed_at = CASE WHEN recipient_id = ANY($2::int[]) THEN coalesce(mailed_at, now()) ELSE mailed_at END
        WHERE id = ANY($1::bigint[])`,
      { bind: [pending.map((row) => row.id), [...mailed]] },
    );
    return pending.filter((row) => mailed.has(row.userId)).length;
  }

  /**
   * Tells each organisation's managers that the month's information is out (once per month), with the
   * tenants who need it by other means; or, urgently, that the run failed.
   */
  async function announceToManagers(runId: number, month: YearMonth, status: FinishRunInput['status']): Promise<void> {
    const organisations = await db.sequelize.query<{
      organisationId: number;
      unfinished: number;
      units: number;
      portal: number;
      noAccount: number;
      vacant: number;
      tenantChange: number;
      estimated: number;
    }>(
      `SELECT p.organisation_id AS "organisationId",
              count(DISTINCT rp.property_id) FILTER (WHERE rp.finished_at IS NULL)::int AS unfinished,
              count(mi.id)::int AS units,
              count(mi.id) FILTER (WHERE mi.delivery = 'portal')::int AS portal,
              count(mi.id) FILTER (WHERE mi.delivery = 'no-account')::int AS "noAccount",
              count(mi.id) FILTER (WHERE mi.delivery = 'vacant')::int AS vacant,
              count(mi.id) FILTER (WHERE mi.delivery = 'tenant-change')::int AS "tenantChange",
              count(mi.id) FILTER (WHERE mi.estimated)::int AS estimated
         FROM monthly_run_properties rp JOIN properties p ON p.id = rp.property_id
         LEFT JOIN monthly_information mi ON mi.property_id = rp.property_id AND mi.month = $2
        WHERE rp.run_id = $1
        GROUP BY p.organisation_id ORDER BY p.organisation_id`,
      { bind: [runId, firstDay(month)], type: QueryTypes.SELECT },
    );
    const name = germanMonth(month);
    for (const counts of organisations) {
      const failed = status === 'failed';
      const title = failed ? `Verbrauchsinformation ${name}: Lauf fehlgeschlagen` : `Verbrauchsinformation ${name} bereitgestellt`;
      const body = failed
        ? `Die Verbrauchsinformation für ${name} ist nicht für alle Liegenschaften bereitgestellt ` +
          `(${plural(counts.unfinished, 'Liegenschaft', 'Liegenschaften')} offen). Bitte prüfen Sie den Lauf und starten Sie ihn erneut.`
        : `${counts.portal} von ${plural(counts.units, 'Wohnung', 'Wohnungen')} haben sie im Portal erhalten.` +
          (counts.noAccount > 0
            ? ` ${plural(counts.noAccount, 'Mieter hat', 'Mieter haben')} keinen Portalzugang: ` +
              'Bitte stellen Sie ihnen die Information auf anderem Weg zu (§ 6a HKVO).'
            : '');
      await notifyUsers(deps, {
        recipients: await managersOf(db, counts.organisationId),
        topic: 'monthly-information',
        kind: failed ? 'monthly-run-failed' : 'monthly-run-completed',
        urgency: failed ? 'urgent' : 'routine',
        // A month is announced once, however often it is rerun; every failed run is reported.
        dedupeKey: failed ? `${monthlyNotificationKey(month)}:run-${runId}:failed` : `${monthlyNotificationKey(month)}:completed`,
        compose: () =>
          genericNotice({
            title,
            body,
            link: `/monatsinformationen/${month}${!failed && counts.noAccount > 0 ? '?status=no-account' : ''}`,
            reference: `Verbrauchsinformation ${name}`,
            facts: [
              { label: 'Wohnungen', value: String(counts.units) },
              { label: 'Im Portal zugestellt', value: String(counts.portal) },
              { label: 'Ohne Portalzugang', value: String(counts.noAccount) },
              { label: 'Leerstand', value: String(counts.vacant) },
              { label: 'Nutzerwechsel im Monat', value: String(counts.tenantChange) },
              { label: 'Mit Ersatzwert', value: String(counts.estimated) },
            ],
            actionLabel: 'Monatsübersicht öffnen',
          }),
      });
    }
  }

  return {
    /** Records the run and its properties (idempotent by workflow id); returns what to process. */
    async startMonthlyRun({ workflowId, month, organisationIds }: StartRunInput): Promise<{ runId: number; properties: PropertyPlan[] }> {
      return db.sequelize.transaction(async (transaction) => {
        const [run] = await db.sequelize.query<{ id: number }>(
          `INSERT INTO monthly_runs (month, workflow_id) VALUES ($1, $2)
           ON CONFLICT (workflow_id) DO UPDATE SET status = 'running' RETURNING id`,
          { bind: [firstDay(month), workflowId], type: QueryTypes.SELECT, transaction },
        );
        if (!run) throw new Error(`monthly run ${workflowId} was not recorded`);
        const properties = await db.sequelize.query<PropertyPlan>(
          `SELECT p.id AS "propertyId", count(u.id)::int AS units, p.organisation_id AS "organisationId"
             FROM properties p JOIN units u ON u.property_id = p.id
            WHERE $1::int[] IS NULL OR p.organisation_id = ANY($1::int[])
            GROUP BY p.id ORDER BY p.id`,
          { bind: [organisationIds ?? null], type: QueryTypes.SELECT, transaction },
        );
        await db.sequelize.query(
          `INSERT INTO monthly_run_properties (run_id, property_id, units_total)
           SELECT $1, property_id, units FROM unnest($2::int[], $3::int[]) AS x(property_id, units)
           ON CONFLICT DO NOTHING`,
          { bind: [run.id, properties.map((p) => p.propertyId), properties.map((p) => p.units)], transaction },
        );
        const unitsTotal = properties.reduce((sum, p) => sum + p.units, 0);
        await db.models.MonthlyRun.update({ propertiesTotal: properties.length, unitsTotal }, { where: { id: run.id }, transaction });
        await appendAudit(
          db,
          {
            organisationId: organisationIds?.length === 1 ? (organisationIds[0] ?? null) : null,
            actorId: null,
            actor: 'system',
            action: 'monthly.run_started',
            entity: 'monthly_run',
            entityId: run.id,
            details: { month, workflowId, properties: properties.length, units: unitsTotal },
          },
          transaction,
        );
        await notifyRunProperties(run.id, month, transaction);
        return { runId: run.id, properties };
      });
    },

    /** The property's units, conversion and comparison groups of the last PEER_MONTHS months, computed once for all its batches. */
    async prepareMonthlyProperty({
      runId,
      month,
      propertyId,
    }: {
      runId: number;
      month: YearMonth;
      propertyId: number;
    }): Promise<PropertyPreparation> {
      const [units, assumptions] = await Promise.all([loadUnits(db, { propertyId }), loadAssumptions(db, propertyId)]);
      const devices = await loadUnitDevices(
        db,
        units.map((u) => u.id),
        monthsEnding(month, PEER_MONTHS),
      );
      const peers = propertyPeers(month, units, devices, PEER_MONTHS, assumptions);
      await countUnits(runId, propertyId, units.length);
      return { unitIds: units.map((u) => u.id), peers, assumptions };
    },

    /**
     * Computes, publishes, proves and announces the information of a batch of one property's units;
     * without `part`, of all its units at once, the comparison groups taken from the same readings.
     */
    async processMonthlyBatch(input: MonthlyBatchInput): Promise<PropertyTotals> {
      const { runId, month, propertyId, part } = input;
      const batch = progress<BatchProgress>();
      if (batch.resumed?.stage === 'published') {
        // The last attempt committed the publication (the checkpoint) and ended while announcing.
        const { totals, unitIds, propertyName } = batch.resumed;
        return {
          ...totals,
          mailed: await batch.keepAlive(() => announceToTenants(month, unitIds, { id: propertyId, name: propertyName })),
        };
      }
      batch.report({ stage: 'publishing' });
      // Loading, composing and committing a batch takes seconds, on a starved worker (a loaded
      // machine) minutes: the heartbeat goes on meanwhile, or every attempt would time out and the
      // batch fail after its last retry.
      const { totals, unitIds, property } = await batch.keepAlive(async () => {
        const lastDay = addDays(firstDay(addMonthsTo(month, 1)), -1);
        const units = await loadUnits(db, part ? { unitIds: part.unitIds } : { propertyId });
        const unitIds = units.map((u) => u.id);
        const [devices, addressees, property, assumptions] = await Promise.all([
          loadUnitDevices(db, unitIds, monthsEnding(month, HISTORY_MONTHS)),
          addresseesOn(db, unitIds, lastDay),
          db.models.Property.findByPk(propertyId, { attributes: ['id', 'name', 'organisationId'], rejectOnEmpty: true }),
          part?.assumptions ?? loadAssumptions(db, propertyId),
        ]);
        const peers = part?.peers ?? propertyPeers(month, units, devices, HISTORY_MONTHS, assumptions);
        const wider = needsWiderGroup(peers, month) ? await organisationPeers(property.organisationId, month) : undefined;
        // §6a: the documented reference value for when no group of measured units is big enough.
        const reference = await referenceForProperty(db, property.organisationId, propertyId);
        if (!part) await countUnits(runId, propertyId, units.length);
        const totals: PropertyTotals = { ...EMPTY_TOTALS };
        const records = units.map((unit) => {
          const addressee = addressees.get(unit.id);
          const { delivery, visibleFrom } = deliveryFor(month, addressee);
          const content = composeMonthlyInformation({
            month,
            areaM2: unit.areaM2,
            devices: devices.get(unit.id) ?? [],
            assumptions,
            peers,
            ...(wider && { organisationPeers: wider }),
            reference,
            visibleFrom,
          });
          totals.units += 1;
          totals[TOTAL_OF_DELIVERY[delivery]] += 1;
          if (content.estimated) totals.estimated += 1;
          if (!content.remoteReadable) totals.notRemoteReadable += 1;
          return {
            unit_id: unit.id,
            tenancy_id: addressee?.tenancyId ?? null,
            recipient_id: delivery === 'portal' ? addressee!.userId : null,
            delivery,
            total_kwh: content.totalKwh,
            heating_kwh: content.heatingKwh,
            hot_water_kwh: content.hotWaterKwh,
            change_previous_month: content.comparisons.previousMonth?.changePercent ?? null,
            change_previous_year: content.comparisons.previousYear?.changePercent ?? null,
            change_peers: content.comparisons.peers?.changePercent ?? null,
            estimated: content.estimated,
            devices_ok: content.devicesOk,
            remote_readable: content.remoteReadable,
            content,
            content_sha256: sha256(canonicalJson(content)),
          };
        });

        await db.sequelize.transaction(async (transaction) => {
          // Unchanged rows are not touched: a rerun writes nothing and returns nothing.
          const published = await db.sequelize.query<PublishedRow>(
            `INSERT INTO monthly_information AS mi (month, unit_id, property_id, tenancy_id, recipient_id, delivery, total_kwh, heating_kwh,
               hot_water_kwh, change_previous_month, change_previous_year, change_peers, estimated, devices_ok, remote_readable, content,
               content_sha256, run_id)
             SELECT $2::date, unit_id, $3, tenancy_id, recipient_id, delivery, total_kwh, heating_kwh, hot_water_kwh, change_previous_month,
                    change_previous_year, change_peers, estimated, devices_ok, remote_readable, content, content_sha256, $4
               FROM jsonb_to_recordset($1::jsonb) AS x(unit_id int, tenancy_id int, recipient_id int, delivery text, total_kwh numeric,
                    heating_kwh numeric, hot_water_kwh numeric, change_previous_month numeric, change_previous_year numeric,
                    change_peers numeric, estimated boolean, devices_ok boolean, remote_readable boolean, content jsonb, content_sha256 text)
             ON CONFLICT (month, unit_id) DO UPDATE SET
               property_id = EXCLUDED.property_id, tenancy_id = EXCLUDED.tenancy_id, recipient_id = EXCLUDED.recipient_id,
               delivery = EXCLUDED.delivery, total_kwh = EXCLUDED.total_kwh, heating_kwh = EXCLUDED.heating_kwh,
               hot_water_kwh = EXCLUDED.hot_water_kwh, change_previous_month = EXCLUDED.change_previous_month,
               change_previous_year = EXCLUDED.change_previous_year, change_peers = EXCLUDED.change_peers, estimated = EXCLUDED.estimated,
               devices_ok = EXCLUDED.devices_ok, remote_readable = EXCLUDED.remote_readable, content = EXCLUDED.content,
               content_sha256 = EXCLUDED.content_sha256, run_id = EXCLUDED.run_id, revised_at = now(),
               -- Another addressee has not been told yet.
               notified_at = CASE WHEN mi.recipient_id IS DISTINCT FROM EXCLUDED.recipient_id THEN NULL ELSE mi.notified_at END,
               mailed_at = CASE WHEN mi.recipient_id IS DISTINCT FROM EXCLUDED.recipient_id THEN NULL ELSE mi.mailed_at END
             WHERE mi.content_sha256 IS DISTINCT FROM EXCLUDED.content_sha256 OR mi.recipient_id IS DISTINCT FROM EXCLUDED.recipient_id
                OR mi.delivery IS DISTINCT FROM EXCLUDED.delivery OR mi.tenancy_id IS DISTINCT FROM EXCLUDED.tenancy_id
             RETURNING mi.id, mi.unit_id AS "unitId", mi.recipient_id AS "recipientId", mi.delivery, mi.content_sha256 AS "contentSha256"`,
            { bind: [JSON.stringify(records), firstDay(month), propertyId, runId], type: QueryTypes.SELECT, transaction },
          );
          totals.published = published.length;
          await db.sequelize.query(
            `UPDATE monthly_run_properties
                SET units_done = GREATEST(units_done, $3),
                    finished_at = CASE WHEN GREATEST(units_done, $3) >= units_total THEN coalesce(finished_at, now()) END
              WHERE run_id = $1 AND property_id = $2`,
            { bind: [runId, propertyId, part?.position ?? units.length], transaction },
          );
          const event: MonthlyLiveEvent = { type: 'monthly', propertyId, month };
          await db.notify(LIVE_CHANNEL, event, transaction);
          // Last: the chain's lock is held only for the events' insert and the commit.
          await appendDeliveryEvents(
            db,
            published.map((row) => ({
              informationId: row.id,
              kind: 'provided',
              userId: row.recipientId,
              contentSha256: row.contentSha256,
              details: { month, unitId: row.unitId, delivery: row.delivery, runId },
            })),
            transaction,
          );
        });
        return { totals, unitIds, property };
      });

      batch.report({ stage: 'published', totals: { ...totals }, unitIds, propertyName: property.name });
      // Mails go out one after another; a long batch of them keeps the heartbeat going.
      totals.mailed = await batch.keepAlive(() => announceToTenants(month, unitIds, property));
      return totals;
    },

    /** Closes the run's projection; the audit log records its outcome. */
    async finishMonthlyRun({ runId, status, summary }: FinishRunInput): Promise<void> {
      const month = await db.sequelize.transaction(async (transaction) => {
        const run = await db.models.MonthlyRun.findByPk(runId, { transaction, lock: transaction.LOCK.UPDATE, rejectOnEmpty: true });
        const month = run.month.slice(0, 7);
        if (run.status !== 'running') return month;
        await run.update({ status, finishedAt: new Date(), summary }, { transaction });
        await appendAudit(
          db,
          {
            organisationId: null,
            actorId: null,
            actor: 'system',
            action: `monthly.run_${status}`,
            entity: 'monthly_run',
            entityId: runId,
            details: { month: run.month.slice(0, 7), workflowId: run.workflowId, ...summary },
          },
          transaction,
        );
        if (status === 'failed') console.warn('Monthly information run failed', { runId, summary });
        await notifyRunProperties(runId, month, transaction);
        return month;
      });
      // Also on a retry after the commit: the notices are idempotent.
      await announceToManagers(runId, month, status);
    },
  };
}
