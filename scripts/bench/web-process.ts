// One web process of the benches' web tier (scripts/bench/web.ts): the production build on PORT,
// serving the bench database the bench process set up. Unlike `scripts/web.ts` run as a service it
// skips the least-privilege check, as the bench database is reached as its server's superuser.
import { startWebServer } from '../web';

process.env.NODE_ENV = 'production';
const web = await startWebServer({ port: Number(process.env.PORT) });
// Idle keep-alive sockets stay open longer than the benches' clients keep them (no ECONNRESET on reuse).
web.server.keepAliveTimeout = 60_000;
process.send?.('listening');
process.once('SIGTERM', () => void web.close().then(() => process.exit(0)));
