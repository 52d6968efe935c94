// GET /api/v1/docs: the OpenAPI document as a readable page (German frame, the API's own English
// terms), rendered on the server from the same document: no script, nothing loaded from elsewhere.
import { openApiDocument } from './openapi';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

interface OperationDoc {
  summary?: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  responses?: Record<string, { description?: string }>;
}

export function referencePage(serverUrl: string): string {
  const document = openApiDocument(serverUrl) as {
    info: { title: string; description: string };
    paths: Record<string, Record<string, OperationDoc>>;
  };
  const sections = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const scopes = (op.security ?? []).flatMap((s) => Object.values(s).flat());
      const access =
        op.security?.length === 0 ? 'öffentlich' : scopes.length > 0 ? `Scope: ${scopes.join(', ')}` : 'jeder gültige Schlüssel';
      const parameters = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)}${p.required ? ', Pflicht' : ''})${p.description ? `: ${escapeHtml(p.description)}` : ''}</li>`,
        )
        .join('');
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<li><code>${escapeHtml(status)}</code> ${escapeHtml(r.description ?? '')}</li>`)
        .join('');
      return `<section>
<h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2>
<p>${escapeHtml(op.summary ?? '')}${op.description ? `. ${escapeHtml(op.description)}` : ''}</p>
<p>Zugriff: ${escapeHtml(access)}</p>
${parameters ? `<h3>Parameter</h3><ul>${parameters}</ul>` : ''}
<h3>Antworten</h3><ul>${responses}</ul>
</section>`;
    }),
  );
  return `<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(document.info.title)} · Referenz</title></head>
<body>
<main>
<h1>${escapeHtml(document.info.title)}</h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Basis-URL: <code>${escapeHtml(serverUrl)}</code> · maschinenlesbar: <a href="${escapeHtml(serverUrl)}/openapi.json">openapi.json</a></p>
${sections.join('\n')}
</main>
</body>
</html>
`;
}
