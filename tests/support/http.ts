// The whole web stack on a real port for tests that need HTTP itself (headers, body limits, the
// door before Remix): scripts/web.ts in Vite middleware mode, compiling the current sources.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startWebServer, type WebServer } from '../../scripts/web';

export interface TestWebServer extends WebServer {
  /** Stops the server and removes its Vite cache. */
  stop(): Promise<void>;
}

export async function startTestWebServer(): Promise<TestWebServer> {
  // A Vite dependency cache of its own, so that parallel runs and `npm run dev` do not collide.
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'klarmeter-http-vite-'));
  const web = await startWebServer({ dev: true, hmr: false, vite: { cacheDir, logLevel: 'error' } });
  return {
    ...web,
    async stop() {
      await web.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A request written with node:http, so that a test controls what fetch would not let it: chunked
 * bodies of any size, no Origin, a raw Content-Length. The body is written in chunks of `chunkBytes`
 * as long as the server reads; an answer that arrives early (413) ends the upload.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunkBytes?: number; chunked?: boolean },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const headers: Record<string, string> = { ...options.headers };
    if (body && !options.chunked) headers['Content-Length'] ??= String(body.length);
    const request = http.request(url, { method: options.method ?? 'POST', headers });
    let answered = false;
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    // Once the server has answered and closed, writing further fails: that is the point.
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (!body) return request.end();
    const size = options.chunkBytes ?? 64 * 1024;
    let offset = 0;
    const write = () => {
      while (offset < body.length && !answered) {
        const chunk = body.subarray(offset, offset + size);
        offset += chunk.length;
        if (!request.write(chunk)) return request.once('drain', write);
      }
      if (!answered) request.end();
    };
    write();
  });
}
