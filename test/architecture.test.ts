/**
 * The layer rule of docs/development.md, read from the imports of src/ (static, type-only and `import()`):
 *   ground (src/*.ts) < src/db < domain (timescale, market, analysis, accounts, portfolio) < features (every other folder)
 *   < top (api, cli; the CLI may start the API, the API never imports the CLI).
 * No cycle between files or between folders; src/analysis/indicators imports nothing but itself and the ground.
 * Tests and their helpers (*.test.ts, testing/) are not the product and are left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve('src');
const DOMAIN = ['timescale', 'market', 'analysis', 'accounts', 'portfolio'];
const TOP = ['api', 'cli'];
const INDICATORS = 'analysis/indicators/';

/** Product files under src/, relative to it, with forward slashes. */
function productFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : productFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
      ? [path.relative(SRC, p).split(path.sep).join('/')]
      : [];
  });
}

/** Every module specifier the file imports or re-exports, including `import()` calls. */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(SRC, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

interface Edge {
  from: string;
  to: string;
}

/** Imports between files of src/ (packages, node: modules and package.json left out). */
function edges(files: string[]): Edge[] {
  const known = new Set(files);
  return files.flatMap((from) =>
    specifiers(from)
      .filter((s) => s.startsWith('.'))
      .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(from), s)))
      .filter((to) => known.has(to))
      .map((to) => ({ from, to })),
  );
}

/** The top-level folder under src/ ('' for the ground). */
const folder = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');

function rank(f: string): number {
  if (f === '') return 0;
  if (f === 'db') return 1;
  if (DOMAIN.includes(f)) return 2;
  if (TOP.includes(f)) return 4;
  return 3; // a feature folder combining the domain (sync, notify, events, demo, …)
}
const LAYER = ['ground', 'db', 'domain', 'feature', 'top'];

/** Strongly connected components with more than one node (Tarjan), each sorted, for cycle messages. */
function cycles(nodes: string[], next: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return out;
}

function graph(pairs: [string, string][]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const [a, b] of pairs) {
    if (!g.has(a)) g.set(a, new Set());
    g.get(a)?.add(b);
  }
  return g;
}

const files = productFiles();
const all = edges(files);
const show = (e: Edge) => `  ${e.from} -> ${e.to}`;

test('the import reader sees the product', () => {
  assert.ok(files.includes('cli/main.ts') && files.includes('db/types.ts'), 'src/ files found');
  assert.ok(
    all.some((e) => e.from === 'cli/main.ts' && e.to === 'errors.ts'),
    'a static import of cli/main.ts is seen',
  );
  assert.ok(
    all.some((e) => e.from === 'db/connect.ts' && e.to === 'db/server.ts'),
    'an import() of db/connect.ts is seen',
  );
});

test('no cycle between files', () => {
  const found = cycles(files, graph(all.map((e) => [e.from, e.to])));
  assert.deepEqual(found, [], `file cycles:\n${found.map((c) => `  ${c.join(', ')}`).join('\n')}`);
});

test('no cycle between folders', () => {
  const between = all.filter((e) => folder(e.from) !== folder(e.to));
  const found = cycles([...new Set(files.map(folder))], graph(between.map((e) => [folder(e.from), folder(e.to)])));
  const detail = found.map((c) => {
    const inCycle = between.filter((e) => c.includes(folder(e.from)) && c.includes(folder(e.to)));
    return `  ${c.map((f) => f || '(ground)').join(', ')}:\n${inCycle.map(show).join('\n')}`;
  });
  assert.deepEqual(found, [], `folder cycles:\n${detail.join('\n')}`);
});

test('imports only go down the layers; the API never imports the CLI', () => {
  const bad = all.filter((e) => {
    const [a, b] = [folder(e.from), folder(e.to)];
    return rank(a) < rank(b) || (a === 'api' && b === 'cli');
  });
  const detail = bad.map((e) => `${show(e)}  (${LAYER[rank(folder(e.from))]} -> ${LAYER[rank(folder(e.to))]})`);
  assert.deepEqual(bad, [], `imports up the layers:\n${detail.join('\n')}`);
});

test('src/analysis/indicators imports nothing but itself and the ground', () => {
  const bad = files
    .filter((f) => f.startsWith(INDICATORS))
    .flatMap((from) =>
      specifiers(from)
        .map((s) => (s.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(from), s)) : s))
        .filter((to) => !to.startsWith(INDICATORS) && !(folder(to) === '' && to.endsWith('.ts')))
        .map((to) => ({ from, to })),
    );
  assert.deepEqual(bad, [], `indicators reaching out:\n${bad.map(show).join('\n')}`);
});
