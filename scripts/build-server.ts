/**
 * npm run build:server: bundles the tm command (src/cli/run.ts) into dist/ with esbuild. Packages stay
 * external (PGlite's WASM, argon2's native module and pg load from node_modules as they are); every
 * `import()` in src becomes a chunk of its own, loaded only by the commands that need it. The SQL
 * migrations are read from src/db/migrations (see src/db/migrate/files.ts). dist/meta.json lists what
 * each output file imports (the startup test reads it). dist/timescaledb/: the TimescaleDB files the
 * embedded database copies in at open (scripts/timescale-bundle.ts).
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { unpackTrimmedBundle } from './timescale-bundle.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');

export async function buildServer(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    // The backtest and sweep worker threads load files of their own (src/analysis/backtest-pool.ts, sweep-pool.ts).
    entryPoints: {
      tm: 'src/cli/run.ts',
      'backtest-worker': 'src/analysis/backtest-worker-entry.ts',
      'sweep-worker': 'src/analysis/sweep-worker-entry.ts',
    },
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(path.join(DIST, 'meta.json'), JSON.stringify(result.metafile, null, 1));
  await unpackTrimmedBundle(path.join(DIST, 'timescaledb'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildServer();
  console.log(`built dist/ in ${Date.now() - t0} ms`);
}
