// German wording and formatting of statements on the pages (client-safe: no server imports).
import type { StatementStatus } from './statement-lifecycle';
import { formatDate } from './format';

export const STATEMENT_STATUS_LABELS: Readonly<Record<StatementStatus, string>> = {
  draft: 'Entwurf',
  approved: 'Freigegeben',
  delivered: 'Zugestellt',
  final: 'Abgeschlossen',
  superseded: 'Ersetzt',
};

export function statementStatusLabel(status: string): string {
  return STATEMENT_STATUS_LABELS[status as StatementStatus] ?? status;
}

const euro = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' });

export function formatEuro(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : euro.format(value);
}

const quantity = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 3 });

/** Consumptions: up to three decimals, as the meters show them. */
export function formatQuantity(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : quantity.format(value);
}

export function formatPeriod(start: string, end: string): string {
  return `${formatDate(start)} – ${formatDate(end)}`;
}

/** An objection's case title: document number, the version it disputes and the flat ("Einspruch DOC-2026-00847 v3 · Whg. 1.03"). */
export function objectionTicketSubject(statement: { documentNumber: string; version: number }, unitLabel: string, note?: string): string {
  return `Einspruch ${statement.documentNumber} v${statement.version} · ${unitLabel}${note ? ` (${note})` : ''}`;
}
