// A webhook receiver for tests: a real HTTP server on localhost that answers each path with the
// statuses given (then 200) and checks every request's signature with the endpoint's secret.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_SIGNATURE_HEADER } from '../../domain/contracts/webhook';

export interface Received {
  path: string;
  body: string;
  signatureValid: boolean;
}

/** A receiver that answers each path with the statuses given, then 200; it checks every signature. */
export class Receiver {
  readonly received: Received[] = [];
  readonly secrets = new Map<string, string>();
  readonly failures = new Map<string, number[]>();
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      this.received.push({
        path,
        body,
        signatureValid: this.verify(path, String(req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] ?? ''), body),
      });
      const status = this.failures.get(path)?.shift() ?? 200;
      res.writeHead(status).end(status === 200 ? 'ok' : 'kaputt');
    });
  });
  url = '';

  private verify(path: string, header: string, body: string): boolean {
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    const secret = this.secrets.get(path);
    if (!match?.[1] || !match[2] || !secret) return false;
    const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
    return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
  }

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  on(path: string) {
    return this.received.filter((r) => r.path === path);
  }
}
