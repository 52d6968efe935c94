// Every workflow the worker runs; the worker bundles this file (workflowsPath).
export { deviceDeadline } from './device-deadline';
