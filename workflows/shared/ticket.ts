// Messages (signals, queries, updates) of the ticket workflow; their payload types are in domain/contracts/ticket.ts.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AssignTicket, RecategoriseTicket, TicketMessage, TicketStatusView } from '../../domain/contracts/ticket';

export const assignTicket = defineUpdate<TicketStatusView, [AssignTicket]>('assign');
export const replyToTicket = defineUpdate<TicketStatusView, [TicketMessage]>('reply');
export const askTenant = defineUpdate<TicketStatusView, [TicketMessage]>('askTenant');
export const resolveTicket = defineUpdate<TicketStatusView, [TicketMessage]>('resolve');
export const reopenTicket = defineUpdate<TicketStatusView, [TicketMessage]>('reopen');
export const closeTicket = defineUpdate<TicketStatusView, [TicketMessage]>('close');
export const recategoriseTicket = defineUpdate<TicketStatusView, [RecategoriseTicket]>('recategorise');
export const getTicketStatus = defineQuery<TicketStatusView>('getStatus');
