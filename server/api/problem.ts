// Errors of the REST API as RFC 9457 problem details (application/problem+json). A problem about
// the request names the field (a query parameter, a path parameter, the body) it is about.

export interface FieldProblem {
  /** `query.limit`, `path.id`, `body`, `header.authorization`. */
  field: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Content Too Large',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A thrown problem: the router answers it as problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly errors: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** One field is wrong: 400 naming it. */
export function invalidField(field: string, detail: string): ProblemError {
  return new ProblemError(400, `${field}: ${detail}`, [{ field, detail }]);
}

export function problemResponse(
  status: number,
  detail: string,
  errors: FieldProblem[] = [],
  headers: Record<string, string> = {},
): Response {
  const body: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
  if (errors.length > 0) body.errors = errors;
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...headers },
  });
}
