// The layer rule (docs/decisions/0008-layer-rules.md): every import is resolved to the file it
// names, whatever its spelling ('../db', '../db/index', '~/…', export … from, import()), and
// checked against what the importing layer may use. Tests and test support are exempt.
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** What each layer may import: always, and as types only. */
export const LAYERS = {
  domain: { may: ['domain'], types: [] },
  'workflows/shared': { may: ['domain', 'workflows/shared'], types: [] },
  workflows: { may: ['domain', 'workflows/shared', 'workflows'], types: ['activities'] },
  db: { may: ['db', 'domain'], types: [] },
  server: { may: ['server', 'db', 'domain', 'workflows/shared'], types: ['workflows'] },
  activities: { may: ['activities', 'server', 'db', 'domain', 'workflows/shared'], types: [] },
  app: { may: ['app', 'server', 'domain'], types: [] },
  scripts: { may: ['scripts', 'server', 'activities', 'db', 'domain', 'workflows/shared', 'workflows'], types: [] },
};

const ORDER = ['workflows/shared', ...Object.keys(LAYERS).filter((layer) => layer !== 'workflows/shared')];

/** The layer a repository-relative path belongs to, or null outside the layers (node_modules, tests, config). */
export function layerOf(relative) {
  const normalised = relative.split(path.sep).join('/');
  return ORDER.find((layer) => normalised === layer || normalised.startsWith(`${layer}/`)) ?? null;
}

function isExempt(relative) {
  const normalised = relative.split(path.sep).join('/');
  return normalised.startsWith('tests/') || /\.test\.tsx?$/.test(normalised) || normalised.startsWith('scripts/lint/');
}

/** Where a specifier points inside the repository, or null for packages. */
function targetOf(specifier, fromFile) {
  if (specifier.startsWith('~/')) return path.join(ROOT, 'app', specifier.slice(2));
  if (specifier.startsWith('.')) return path.resolve(path.dirname(fromFile), specifier);
  if (specifier.startsWith('/')) return specifier;
  return null;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports flow one way between the layers (ADR 0008).' },
    schema: [],
    messages: {
      wrongWay: "{{from}}/ must not import {{to}}/ ('{{specifier}}'): {{allowed}}",
      outside: "'{{specifier}}' leaves the repository's layers.",
    },
  },
  create(context) {
    const file = context.filename;
    const relative = path.relative(ROOT, file);
    const from = layerOf(relative);
    if (!from || isExempt(relative)) return {};
    const { may, types } = LAYERS[from];

    function check(node, specifier, typeOnly) {
      if (typeof specifier !== 'string') return;
      const target = targetOf(specifier, file);
      if (target === null) return;
      const targetRelative = path.relative(ROOT, target);
      if (targetRelative.startsWith('..')) {
        context.report({ node, messageId: 'outside', data: { specifier } });
        return;
      }
      const to = layerOf(targetRelative);
      if (to === null && isExempt(targetRelative)) {
        context.report({
          node,
          messageId: 'wrongWay',
          data: { from, to: 'tests', specifier, allowed: 'production code never imports tests.' },
        });
        return;
      }
      if (to === null || may.includes(to) || (typeOnly && types.includes(to))) return;
      const allowed = `${from}/ imports ${may.join(', ')}${types.length ? ` (types only: ${types.join(', ')})` : ''}.`;
      context.report({ node, messageId: 'wrongWay', data: { from, to, specifier, allowed } });
    }

    return {
      ImportDeclaration(node) {
        const typeOnly =
          node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
        check(node, node.source.value, typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value, node.exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value, node.exportKind === 'type');
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, node.source.value, false);
      },
      TSImportType(node) {
        const literal = node.argument?.literal ?? node.argument;
        if (literal?.type === 'Literal') check(node, literal.value, true);
      },
    };
  },
};

export default { rules: { layers: rule } };
