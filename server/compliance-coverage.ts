// The coverage report of the compliance desk: devices in service and statement versions in force,
// each checked against the newest run of its workflow in Temporal visibility.
import { QueryTypes } from 'sequelize';
import type { Client } from '@temporalio/client';
import { db } from './db';
import { temporalClient } from './temporal';
import { STATUS_NAMES, organisationScope } from './compliance';
import type { SessionUser } from './session';
import { deviceWorkflowId, DEVICE_WORKFLOW_TYPE } from '../domain/contracts/device';
import { statementWorkflowId, STATEMENT_WORKFLOW_TYPE } from '../domain/contracts/statement';
import { deviceTypeLabel, formatDate } from '../domain/format';
import { coverageOf, type CoverageSection, type ExpectedObligation } from '../domain/compliance/coverage';
import { literal, organisationClause, type OrganisationScope } from '../domain/compliance/obligation-search';

export interface CoverageReport {
  devices: CoverageSection;
  statements: CoverageSection;
  checkedAt: string;
}

/** The newest run's status of every workflow of this type in the organisation (visibility lists newest first). */
async function statusesOf(client: Client, scope: OrganisationScope, workflowType: string): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  const query = `WorkflowType = ${literal(workflowType)} AND ${organisationClause(scope)}`;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize: 1_000,
      nextPageToken,
    });
    for (const info of page.executions ?? []) {
      const id = info.execution?.workflowId;
      if (id && !statuses.has(id)) statuses.set(id, STATUS_NAMES[info.status ?? 0] ?? 'Unknown');
    }
    nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return statuses;
}

async function expectedDevices(scope: OrganisationScope): Promise<ExpectedObligation[]> {
  if (scope.propertyIds.length === 0) return [];
  const rows = await db().sequelize.query<{ id: number; serial: string; type: string; property: string; unit: string | null }>(
    `SELECT d.id, d.serial, d.type, p.name AS property, u.label AS unit
       FROM devices d JOIN properties p ON p.id = d.property_id LEFT JOIN units u ON u.id = d.unit_id
      WHERE d.property_id IN (:propertyIds) AND d.removed_at IS NULL AND d.successor_id IS NULL
      ORDER BY p.name, u.label NULLS FIRST, d.serial`,
    { replacements: { propertyIds: scope.propertyIds }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    workflowId: deviceWorkflowId(row.id),
    label: `${deviceTypeLabel(row.type)} ${row.serial}${row.unit ? `, ${row.unit}` : ', Gebäude'}`,
    property: row.property,
    pagePath: `/geraete/${row.id}`,
    mayBeCompleted: false,
  }));
}

async function expectedStatements(scope: OrganisationScope): Promise<ExpectedObligation[]> {
  if (scope.propertyIds.length === 0) return [];
  const rows = await db().sequelize.query<{
    id: number;
    version: number;
    documentNumber: string;
    periodStart: string;
    periodEnd: string;
    property: string;
  }>(
    `SELECT s.id, s.version, s.document_number AS "documentNumber", s.period_start AS "periodStart", s.period_end AS "periodEnd", p.name AS property
       FROM statements s JOIN properties p ON p.id = s.property_id
      WHERE s.property_id IN (:propertyIds) AND s.status <> 'superseded'
      ORDER BY p.name, s.period_end DESC, s.id`,
    { replacements: { propertyIds: scope.propertyIds }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    workflowId: statementWorkflowId(row.id, row.version),
    label: `Abrechnung ${row.documentNumber} (${formatDate(row.periodStart)}–${formatDate(row.periodEnd)}), Version ${row.version}`,
    property: row.property,
    pagePath: `/abrechnungen/${row.id}`,
    // The lifecycle ends once the statement is final: that is its expected end.
    mayBeCompleted: true,
  }));
}

export async function coverageReport(user: SessionUser, options: { client?: Client } = {}): Promise<CoverageReport> {
  const client = options.client ?? temporalClient();
  const scope = await organisationScope(user);
  const [devices, deviceStatuses, statements, statementStatuses] = await Promise.all([
    expectedDevices(scope),
    statusesOf(client, scope, DEVICE_WORKFLOW_TYPE),
    expectedStatements(scope),
    statusesOf(client, scope, STATEMENT_WORKFLOW_TYPE),
  ]);
  return {
    devices: coverageOf(devices, deviceStatuses),
    statements: coverageOf(statements, statementStatuses),
    checkedAt: new Date().toISOString(),
  };
}
