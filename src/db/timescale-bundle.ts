/**
 * How the embedded database gets TimescaleDB's files (libraries, control file, install script) into its
 * in-memory file system. PGlite's own extension gunzips and untars a 15 MB bundle at every open; the build
 * unpacks the part a database at this version uses into dist/timescaledb/ (scripts/timescale-bundle.ts),
 * and this copies those files in before PostgreSQL starts. Without a build (tsx from src/ with no dist/),
 * PGlite's own extension is used.
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

function unpackedFiles(): string[] {
  return readdirSync(UNPACKED_DIR, { recursive: true, encoding: 'utf8' }).filter((rel) =>
    statSync(path.join(UNPACKED_DIR, rel)).isFile(),
  );
}

/** Copies the unpacked files where PGlite's extension would have put them (run before PostgreSQL starts). */
function copyInto(mod: postgresMod.PostgresMod, files: string[]): void {
  for (const rel of files) {
    const target = `${mod.WASM_PREFIX}/${rel.split(path.sep).join('/')}`;
    const dir = target.slice(0, target.lastIndexOf('/'));
    if (!mod.FS.analyzePath(dir).exists) mod.FS.mkdirTree(dir);
    mod.FS.writeFile(target, readFileSync(path.join(UNPACKED_DIR, rel)));
  }
}

export function timescaleExtension(): Extension {
  if (!existsSync(UNPACKED_DIR)) return timescaledb;
  const files = unpackedFiles();
  return {
    name: timescaledb.name,
    setup: async (_pg, emscriptenOpts) => ({
      emscriptenOpts: {
        ...emscriptenOpts,
        preRun: [...(emscriptenOpts.preRun ?? []), (mod: postgresMod.PostgresMod) => copyInto(mod, files)],
      },
    }),
  };
}
