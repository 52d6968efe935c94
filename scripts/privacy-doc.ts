// Writes docs/privacy.md from domain/personal-data.ts (the policy the server applies), formatted as
// the repository formats Markdown. tests/docs/privacy-doc.test.ts fails while the file is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import prettier from 'prettier';
import { privacyMarkdown } from '../domain/personal-data';

export const PRIVACY_DOC = path.resolve(import.meta.dirname, '..', 'docs', 'privacy.md');

export async function renderPrivacyDoc(): Promise<string> {
  const options = (await prettier.resolveConfig(PRIVACY_DOC)) ?? {};
  return prettier.format(privacyMarkdown(), { ...options, filepath: PRIVACY_DOC });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  writeFileSync(PRIVACY_DOC, await renderPrivacyDoc());
  console.log(`wrote ${path.relative(process.cwd(), PRIVACY_DOC)}`);
}
