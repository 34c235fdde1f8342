/**
 * What `tm` loads before any command runs: the static imports of dist/tm.js (npm test builds dist/ first),
 * read from esbuild's metafile. Heavy packages and the indicators must stay behind `import()` in the commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

interface Meta {
  outputs: Record<
    string,
    { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }
  >;
}

const meta: Meta = JSON.parse(readFileSync('dist/meta.json', 'utf8'));

/** The output files and packages loaded at start: static imports followed from the entry. */
function atStart(): { files: Set<string>; packages: Set<string>; inputs: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const i of meta.outputs[file].imports) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) packages.add(i.path);
      else visit(i.path);
    }
  };
  visit('dist/tm.js');
  const inputs = new Set([...files].flatMap((f) => Object.keys(meta.outputs[f].inputs)));
  return { files, packages, inputs };
}

test('tm starts with commander and its own command definitions only', () => {
  const { packages, inputs } = atStart();
  const npm = [...packages].filter((p) => !p.startsWith('node:'));
  assert.deepEqual(npm, ['commander'], `packages loaded at start: ${npm.join(', ')}`);
  const heavy = [...inputs].filter(
    (f) =>
      f.startsWith('src/api/') ||
      (f.startsWith('src/analysis/') && !f.endsWith('/names.ts')) ||
      f === 'src/db/pglite.ts' ||
      f === 'src/db/server.ts',
  );
  assert.deepEqual(heavy, [], `loaded at start: ${heavy.join(', ')}`);
});

test('the drivers, the API and the indicators are chunks of their own', () => {
  const lazy = Object.entries(meta.outputs).filter(([file]) => !atStart().files.has(file));
  for (const input of ['src/db/pglite.ts', 'src/db/server.ts', 'src/api/app.ts', 'src/analysis/indicators/rsi.ts']) {
    assert.ok(
      lazy.some(([, o]) => input in o.inputs),
      `${input} is bundled in a chunk loaded on demand`,
    );
  }
});
