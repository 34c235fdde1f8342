/**
 * The size rules of docs/development.md, for the product's code (src/ and web/src/, tests left out): no file
 * over 400 lines and no function over 150 (route and command tables count as the function that holds them),
 * and no `.catch(() => [])`, which turns a failed read into "nothing found".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 150;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const files = [...sources(path.resolve('src')), ...sources(path.resolve('web/src'))];
const rel = (f: string) => path.relative(process.cwd(), f);

test('the size rules see the product', () => {
  assert.ok(files.some((f) => rel(f) === path.join('src', 'market', 'import', 'importer.ts')));
  assert.ok(files.some((f) => rel(f) === path.join('web', 'src', 'pages', 'Chart.tsx')));
});

test(`no product file over ${MAX_FILE_LINES} lines`, () => {
  const long = files
    .map((f) => ({ f: rel(f), n: readFileSync(f, 'utf8').split('\n').length }))
    .filter((x) => x.n > MAX_FILE_LINES);
  assert.deepEqual(long, []);
});

test(`no function over ${MAX_FUNCTION_LINES} lines`, () => {
  const long: string[] = [];
  for (const f of files) {
    const kind = f.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true, kind);
    const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line;
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const n = line(node.getEnd()) - line(node.getStart()) + 1;
        if (n > MAX_FUNCTION_LINES) long.push(`${rel(f)}:${line(node.getStart()) + 1} (${n} lines)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  assert.deepEqual(long, []);
});

test('no .catch(() => []) in the product', () => {
  const found = files.filter((f) => /\.catch\(\s*\(\)\s*=>\s*\[\]\s*\)/.test(readFileSync(f, 'utf8'))).map(rel);
  assert.deepEqual(found, []);
});
