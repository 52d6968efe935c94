/**
 * Invalid input to a domain rule. `field` is a path into the input such as `[2].installedAt`, so a
 * caller (CLI, form, API) can point at the offending value; the message starts with it.
 */
export class ValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ValidationError';
  }
}
