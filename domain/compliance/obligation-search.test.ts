import { describe, expect, it } from 'vitest';
import { NOT_OBLIGATIONS, OBLIGATION_WORKFLOW_TYPES, OVERDUE_TRACKING_WORKFLOW_TYPES, kindLabel } from './obligation-kinds';
import {
  NO_LOOKUPS,
  QueryValueError,
  belongsToOrganisation,
  literal,
  obligationQuery,
  organisationClause,
  parseObligationFilters,
  unmarkedObligationsQuery,
} from './obligation-search';

const scope = { organisationId: 7, propertyIds: [3, 4] };

describe('obligation search', () => {
  it('names every bad field and passes none of them on', () => {
    const parsed = parseObligationFilters(new URLSearchParams('kind=x&property=1 OR 1=1&unit=%27%20OR%20%27&dueFrom=2026-13-01'));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(['dueFrom', 'kind', 'propertyId', 'unit']);
  });

  it('always adds the organisation clause and refuses a property outside it', () => {
    const parsed = parseObligationFilters(new URLSearchParams('kind=calibration&overdue=1'));
    if (!parsed.ok) throw new Error('expected valid filters');
    const query = obligationQuery(scope, parsed.filters, NO_LOOKUPS);
    expect(query).toContain(`(KlarOrganisation = '7' OR (KlarOrganisation IS NULL AND KlarProperty IN ('3', '4')))`);
    expect(query).toContain(`KlarObligation = 'calibration'`);
    expect(query).toContain(`KlarOverdue = true`);
    expect(query).not.toContain('KlarDueAt');
    expect(() => obligationQuery(scope, { ...parsed.filters, propertyId: 99 }, NO_LOOKUPS)).toThrow(QueryValueError);
  });

  it('matches workflows without KlarOrganisation by property only while some may exist, and only ours', () => {
    const arm = `KlarOrganisation IS NULL AND KlarProperty IN`;
    expect(organisationClause(scope)).toBe(`(KlarOrganisation = '7' OR (${arm} ('3', '4')))`);
    expect(organisationClause({ ...scope, unmarkedPropertyIds: [4] })).toBe(`(KlarOrganisation = '7' OR (${arm} ('4')))`);
    expect(organisationClause({ ...scope, unmarkedPropertyIds: [] })).toBe(`(KlarOrganisation = '7' OR WorkflowId = '')`);
    expect(organisationClause({ organisationId: 7, propertyIds: [] })).toBe(`(KlarOrganisation = '7' OR WorkflowId = '')`);
    const unmarked = unmarkedObligationsQuery(scope);
    expect(unmarked).toMatch(/^WorkflowType IN \('[^)]+\) AND KlarOrganisation IS NULL AND KlarProperty IN \('3', '4'\)$/);
    for (const type of OBLIGATION_WORKFLOW_TYPES) expect(unmarked).toContain(`'${type}'`);
  });

  it("writes the equalities beside a property for the page's ordered walk, the count's plainly; everything else alike", () => {
    const filters = (query: string) => {
      const parsed = parseObligationFilters(new URLSearchParams(query));
      if (!parsed.ok) throw new Error('expected valid filters');
      return parsed.filters;
    };
    // Overdue: KlarOverdue's walk on the page, never the running workflows'.
    expect(obligationQuery(scope, filters('overdue=1'), NO_LOOKUPS)).toContain(
      `KlarOverdue = true AND (ExecutionStatus = 'Running' OR WorkflowId = '')`,
    );
    expect(obligationQuery(scope, filters('overdue=1'), NO_LOOKUPS, 'count')).toContain(
      `KlarOverdue = true AND ExecutionStatus = 'Running'`,
    );
    // Overdue beside a property: the property's walk.
    expect(obligationQuery(scope, filters('property=3&overdue=1'), NO_LOOKUPS)).toContain(
      `KlarProperty = '3' AND (KlarOverdue = true OR WorkflowId = '') AND (ExecutionStatus = 'Running' OR WorkflowId = '')`,
    );
    // A kind beside a property: OR-ed with the clause that matches nothing on the page only.
    expect(obligationQuery(scope, filters('kind=calibration&property=3'), NO_LOOKUPS)).toContain(
      `(KlarObligation = 'calibration' OR WorkflowId = '') AND KlarProperty = '3'`,
    );
    expect(obligationQuery(scope, filters('kind=calibration&property=3'), NO_LOOKUPS, 'count')).toContain(
      `KlarObligation = 'calibration' AND KlarProperty = '3'`,
    );
    expect(obligationQuery(scope, filters(''), NO_LOOKUPS)).toBe(obligationQuery(scope, filters(''), NO_LOOKUPS, 'count'));
  });

  it('turns an empty lookup into a query that matches nothing', () => {
    const parsed = parseObligationFilters(new URLSearchParams('unit=Nirgendwo'));
    if (!parsed.ok) throw new Error('expected valid filters');
    expect(obligationQuery(scope, parsed.filters, { ...NO_LOOKUPS, unitIds: [] })).toContain(`WorkflowId = ''`);
  });

  it('quotes only the characters of our ids and dates', () => {
    expect(literal('device-12')).toBe(`'device-12'`);
    expect(() => literal(`x' OR 'a'='a`)).toThrow(QueryValueError);
  });

  it('places a workflow by its organisation, else by its property', () => {
    expect(belongsToOrganisation({ organisation: '7', property: '99' }, scope)).toBe(true);
    expect(belongsToOrganisation({ organisation: '8', property: '3' }, scope)).toBe(false);
    expect(belongsToOrganisation({ organisation: null, property: '3' }, scope)).toBe(true);
    expect(belongsToOrganisation({ organisation: null, property: null }, scope)).toBe(false);
  });
});

describe('obligation search over the later kinds', () => {
  const filters = (query: string) => {
    const parsed = parseObligationFilters(new URLSearchParams(query));
    if (!parsed.ok) throw new Error(`expected valid filters: ${JSON.stringify(parsed.errors)}`);
    return parsed.filters;
  };

  it('lists the workflow types of retention, legionella, cost data and device exchange, but not webhook deliveries', () => {
    const query = obligationQuery(scope, filters(''), NO_LOOKUPS);
    for (const type of ['archiveRetention', 'legionellaSampling', 'costDataDeadline', 'deviceExchange'])
      expect(query).toContain(`'${type}'`);
    expect(query).not.toContain('webhookDelivery');
    expect(OBLIGATION_WORKFLOW_TYPES).not.toContain('webhookDelivery');
    expect(NOT_OBLIGATIONS.map((n) => n.workflowType)).toEqual(['webhookDelivery']);
  });

  it('finds overdue cost data by what its workflows publish, retention by a state', () => {
    expect(obligationQuery(scope, filters('kind=cost-data&overdue=1'), NO_LOOKUPS)).toContain(
      `KlarObligation = 'cost-data' AND KlarOverdue = true`,
    );
    expect(obligationQuery(scope, filters('kind=retention&state=awaiting-approval'), NO_LOOKUPS)).toContain(
      `KlarObligation = 'retention' AND`,
    );
    expect(parseObligationFilters(new URLSearchParams('kind=legionella&state=entered')).ok).toBe(false);
  });

  it('finds a device exchange done after the escalation as late', () => {
    expect(obligationQuery(scope, filters('kind=device-exchange&late=1'), NO_LOOKUPS)).toContain(
      `(KlarObligation = 'device-exchange' AND KlarState IN ('exchanged', 'withdrawn'))`,
    );
    expect(kindLabel(null, 'deviceExchange')).toBe('Gerätetausch mit der Mietpartei');
  });

  it('has KlarOverdue tracked by every workflow type with open states, by no other', () => {
    expect([...OVERDUE_TRACKING_WORKFLOW_TYPES].sort()).toEqual(
      [
        'appointmentWorkflow',
        'archiveRetention',
        'costDataDeadline',
        'deviceDeadline',
        'deviceExchange',
        'legionellaSampling',
        'statementLifecycle',
        'ticketWorkflow',
      ].sort(),
    );
  });

  it('narrows device faults to the tickets the server looked up, nothing when there are none', () => {
    const query = obligationQuery(scope, filters('kind=device-fault'), { ...NO_LOOKUPS, kindWorkflowIds: ['ticket-5', 'ticket-9'] });
    expect(query).toContain(`KlarObligation = 'ticket'`);
    expect(query).toContain(`WorkflowId IN ('ticket-5', 'ticket-9')`);
    expect(obligationQuery(scope, filters('kind=device-fault'), { ...NO_LOOKUPS, kindWorkflowIds: [] })).toContain(`WorkflowId = ''`);
    expect(() => obligationQuery(scope, filters('kind=device-fault'), NO_LOOKUPS)).toThrow(/kindWorkflowIds/);
  });

  it('names a listed workflow by its published kind, a device fault ticket as a ticket', () => {
    expect(kindLabel('legionella-finding', 'legionellaSampling')).toBe('Legionellen-Nachprobe nach Befund');
    expect(kindLabel('ticket', 'ticketWorkflow')).toBe('Vorgang');
    expect(kindLabel(null, 'costDataDeadline')).toBe('Kostenerfassung für die Abrechnung');
  });
});
