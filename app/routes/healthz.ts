import { healthReport } from '../../server/health';

/** GET /healthz: 200 when database, Temporal and at least one worker are up, else 503; JSON either way. */
export async function loader() {
  const report = await healthReport();
  return new Response(JSON.stringify(report), {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
