// Failures the services raise that callers treat specially. The activity adapters turn a GoneError
// into a non-retryable Temporal failure of the same type: a deleted row does not come back by retrying.
export class GoneError extends Error {
  constructor(
    message: string,
    /** The failure type the workflow checks (DEVICE_GONE, TICKET_GONE, …). */
    readonly type: string,
  ) {
    super(message);
    this.name = 'GoneError';
  }
}
