/**
 * How the embedded database gets TimescaleDB's files (libraries, control file, install script) into its
 * in-memory file system. PGlite's own extension gunzips and untars a 15 MB bundle at every open; the build
 * unpacks the part a database at this version uses into dist/timescaledb/ (scripts/timescale-bundle.ts),
 * and this copies those files in before PostgreSQL starts. Without a build (tsx from src/ with no dist/), or
 * with files from another PGlite release, PGlite's own extension is used.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Extension, postgresMod } from '@electric-sql/pglite';
import { timescaledb } from '@electric-sql/pglite/timescaledb';

// dist/ when compiled (this code is then a chunk in dist/), ../../dist from src/db under tsx.
export const UNPACKED_DIR = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../dist/timescaledb/' : './timescaledb/', import.meta.url),
);

/** The file naming the PGlite release the unpacked files came from (written by the build). */
export const RELEASE_FILE = '.pglite-release';

/** The installed PGlite, as name@version. */
export function pgliteRelease(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.resolve('@electric-sql/pglite')), 'utf8'));
  return `${pkg.name}@${pkg.version}`;
}

/** The unpacked files, or null when there are none or they came from another PGlite (a rebuild was skipped). */
function unpackedFiles(dir: string): string[] | null {
  const stamp = path.join(dir, RELEASE_FILE);
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== pgliteRelease()) return null;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (rel) => rel !== RELEASE_FILE && statSync(path.join(dir, rel)).isFile(),
  );
}

/** Copies the unpacked files where PGlite's extension would have put them (run before PostgreSQL starts). */
function copyInto(mod: postgresMod.PostgresMod, from: string, files: string[]): void {
  for (const rel of files) {
    const target = `${mod.WASM_PREFIX}/${rel.split(path.sep).join('/')}`;
    const parent = target.slice(0, target.lastIndexOf('/'));
    if (!mod.FS.analyzePath(parent).exists) mod.FS.mkdirTree(parent);
    mod.FS.writeFile(target, readFileSync(path.join(from, rel)));
  }
}

/** The extension to open PGlite with; `dir` is for tests. */
export function timescaleExtension(dir = UNPACKED_DIR): Extension {
  const files = unpackedFiles(dir);
  if (!files) return timescaledb;
  return {
    name: timescaledb.name,
    setup: async (_pg, emscriptenOpts) => ({
      emscriptenOpts: {
        ...emscriptenOpts,
        preRun: [...(emscriptenOpts.preRun ?? []), (mod: postgresMod.PostgresMod) => copyInto(mod, dir, files)],
      },
    }),
  };
}
