// Every workflow the worker runs; the worker bundles this file (workflowsPath).
export { deviceDeadline } from './device-deadline';
export { ticketWorkflow } from './ticket';
export { appointmentWorkflow } from './appointment';
export { monthlyInformationRun, monthlyPropertyInformation } from './monthly-information';
export { statementLifecycle } from './statement-lifecycle';
export { lateObjectionAcceptance } from './late-objection';
export { statementRecipient } from './statement-recipient';
export { archiveRetention } from './archive-retention';
export { legionellaSampling } from './legionella-sampling';
export { webhookDelivery } from './webhook-delivery';
export { costDataDeadline } from './cost-deadline';
export { mailDigestRun } from './mail-digest';
export { proofVerificationRun } from './proof-verification';
export { deviceExchange } from './device-exchange';
