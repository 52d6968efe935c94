// The production server's public files: served from the build's client directory by their
// top-level name, while every other path (the pages) goes on to Remix without touching the disk.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { publicFiles } from '../../scripts/web';

let directory: string;
let server: http.Server;
let base: string;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'klarmeter-public-'));
  writeFileSync(path.join(directory, 'robots.txt'), 'User-agent: *\n');
  mkdirSync(path.join(directory, 'bilder'));
  writeFileSync(path.join(directory, 'bilder', 'logo.svg'), '<svg/>');
  mkdirSync(path.join(directory, 'assets'));
  writeFileSync(path.join(directory, 'assets', 'entry.js'), 'console.log(1)');
  const app = express();
  app.use(publicFiles(directory));
  // Stands in for the Remix handler: whatever is not a public file ends up here.
  app.use((_req, res) => res.type('text/plain').send('Seite'));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

const body = async (pathname: string) => (await fetch(`${base}${pathname}`)).text();

test('files and folders of the client directory are served by name', async () => {
  expect(await body('/robots.txt')).toBe('User-agent: *\n');
  expect(await body('/bilder/logo.svg')).toBe('<svg/>');
  const response = await fetch(`${base}/robots.txt`);
  expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
});

test('pages and unknown names go on to the app', async () => {
  expect(await body('/dashboard')).toBe('Seite');
  expect(await body('/geraete?property=4')).toBe('Seite');
  expect(await body('/')).toBe('Seite');
  expect(await body('/%E0%A4%A')).toBe('Seite');
  // A missing file under a public folder is not a page either, but the app's answer.
  expect(await body('/bilder/fehlt.svg')).toBe('Seite');
});

test('the fingerprinted assets are left to their own handler', async () => {
  expect(await body('/assets/entry.js')).toBe('Seite');
});
