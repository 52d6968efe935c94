// POST /api/v1/readings/wmbusmeters: a radio gateway pushes decoded telegrams as wmbusmeters prints
// them (README "Radio gateways"). The body is one telegram (a JSON object), a JSON array of them, or
// JSON lines (wmbusmeters' own output, one telegram per line). Each telegram is judged on its own.
import { numberedLines } from '../../domain/readings-wmbus';
import { MAX_TELEGRAMS_PER_BATCH, NOT_JSON, ingestTelegrams } from '../gateway-ingest';
import { ProblemError, invalidField } from './problem';
import { json, type ApiContext, type Operation } from './router';

/** The telegrams of a body, in order; a JSON-lines line that is not JSON becomes NOT_JSON at its index. */
export function telegramsOf(body: string): unknown[] {
  if (body.trim() === '') throw invalidField('body', 'empty; expected a telegram, an array of telegrams or JSON lines');
  try {
    const data: unknown = JSON.parse(body);
    if (Array.isArray(data)) return data;
    if (typeof data === 'object' && data !== null) return [data];
    throw invalidField('body', 'expected a JSON object (one telegram), an array of telegrams or JSON lines');
  } catch (error) {
    if (error instanceof ProblemError) throw error;
  }
  return numberedLines(body).map(({ text }) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return NOT_JSON;
    }
  });
}

async function ingest({ db, temporal, request, principal }: ApiContext): Promise<Response> {
  const telegrams = telegramsOf(await request.text());
  if (telegrams.length > MAX_TELEGRAMS_PER_BATCH)
    throw new ProblemError(413, `at most ${MAX_TELEGRAMS_PER_BATCH} telegrams per request, got ${telegrams.length}`, [
      { field: 'body', detail: `more than ${MAX_TELEGRAMS_PER_BATCH} telegrams` },
    ]);
  const report = await ingestTelegrams(db, telegrams, { organisationId: principal.organisationId, temporal });
  return json(report);
}

export const readingOperations: Operation[] = [{ method: 'POST', path: '/readings/wmbusmeters', scope: 'readings:write', handle: ingest }];
