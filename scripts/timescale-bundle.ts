/**
 * The embedded database needs TimescaleDB's files in its in-memory file system at every open. PGlite's own
 * extension streams them out of a gzipped tarball of 15 MB, 13.6 MB of which are upgrade and downgrade
 * scripts between older TimescaleDB versions: scripts the embedded database never runs (its TimescaleDB is
 * the one in the pinned PGlite package). The build unpacks the rest into dist/timescaledb/, which
 * src/db/timescale-bundle.ts copies in as plain files: about 0.15 s less at every embedded start
 * (docs/performance.md).
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract } from 'tar';
import { RELEASE_FILE, pgliteRelease } from '../src/db/timescale-bundle.ts';

/** An update script is named `timescaledb--FROM--TO.sql`: two `--`. The install script has one. */
export function keepInBundle(entryPath: string): boolean {
  const name = path.posix.basename(entryPath);
  return !/^timescaledb--.+--.+\.sql$/.test(name);
}

/** Where PGlite's own extension finds its bundle: beside its folder. */
export function stockBundlePath(): string {
  return fileURLToPath(new URL('../timescaledb.tar.gz', import.meta.resolve('@electric-sql/pglite/timescaledb')));
}

/** Unpacks what the embedded database uses of PGlite's bundle into `outDir`; returns the files, sorted. */
export async function unpackTrimmedBundle(outDir: string, source = stockBundlePath()): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await extract({ file: source, cwd: outDir, filter: (p) => keepInBundle(p) });
  const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => statSync(path.join(outDir, rel)).isFile())
    .map((rel) => rel.split(path.sep).join('/'))
    .sort();
  if (!files.some((f) => f.endsWith('.control'))) throw new Error(`${source}: no extension control file in the bundle`);
  // Which PGlite these came from: an open after an upgrade without a rebuild uses PGlite's own bundle.
  writeFileSync(path.join(outDir, RELEASE_FILE), pgliteRelease());
  return files;
}
