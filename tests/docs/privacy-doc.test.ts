// docs/privacy.md is rendered from domain/personal-data.ts, the tables the server decides with: a
// change of the policy without the document (or the other way round) fails here.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { PRIVACY_DOC, renderPrivacyDoc } from '../../scripts/privacy-doc';

test('docs/privacy.md is current (regenerate with `npx tsx scripts/privacy-doc.ts`)', async () => {
  expect(readFileSync(PRIVACY_DOC, 'utf8')).toBe(await renderPrivacyDoc());
});
