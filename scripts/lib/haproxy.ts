// HAProxy in front of the web processes of `npm run cluster`, configured as production would be:
// health checks, retries of requests that never reached a server, and timeouts that suit
// server-sent events (GET /live sends a comment every 25 s; a stream may stay open for hours).
import { spawnSync } from 'node:child_process';
import { onPath } from './go-tools';

export interface HaproxyBackend {
  name: string;
  port: number;
}

/** The haproxy binary, or a clear error naming the Debian package. */
export function haproxyBinary(): string {
  const found = onPath('haproxy');
  if (!found) throw new Error('HAProxy is not installed: `sudo apt-get install haproxy` (Debian/Ubuntu), then run again.');
  return found;
}

export function haproxyConfig(opts: { bind: string; port: number; backends: HaproxyBackend[] }): string {
  const servers = opts.backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check`).join('\n');
  return `# Written by npm run cluster; see docs/operations/README.md.
global
  log stdout format raw local0 info
  maxconn 4096

defaults
  mode http
  log global
  option httplog
  option dontlognull
  timeout connect 2s
  # Longer than the 25 s between the event stream's heartbeats, so an idle stream stays open.
  timeout client 75s
  timeout server 75s
  timeout http-request 10s
  timeout http-keep-alive 10s
  timeout check 8s
  # A request that could not reach a server (it just died) goes to another one: on a connection
  # that failed, or one kept alive to a dead process that answers nothing at all. The latter only
  # for GET/HEAD (see the backend): a POST the dead process may have handled is not repeated.
  retries 2
  retry-on conn-failure empty-response
  option redispatch 1

frontend klarmeter
  bind ${opts.bind}:${opts.port}
  option forwardfor
  default_backend klarmeter_web

backend klarmeter_web
  # Long-lived event streams make connection counts uneven: send new requests to the least busy.
  balance leastconn
  # /healthz answers 200 when database, Temporal and a worker are up, 503 with the failing part
  # otherwise. Either answer proves this web process works; taking every web process out of the
  # pool because a shared dependency is down would only turn the portal's error pages into
  # HAProxy's. A process that does not answer in time is out.
  option httpchk GET /healthz
  http-check expect rstatus ^(200|503)$
  http-request disable-l7-retry if !METH_GET
  default-server inter 1s fall 2 rise 2 observe layer4 error-limit 1 on-error mark-down
  # Which web process answered (tests and operators can see the load balancing).
  http-response set-header X-Klarmeter-Web %s
${servers}
`;
}

/** `haproxy -c`: fails with HAProxy's own message when the configuration is invalid. */
export function checkHaproxyConfig(binary: string, file: string): void {
  const result = spawnSync(binary, ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`HAProxy rejects ${file}: ${(result.stderr || result.stdout).trim()}`);
}
