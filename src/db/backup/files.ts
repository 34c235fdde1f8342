/** Writing backups safely: to a temporary name first, renamed into place only when complete. */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { manifestPath, sha256File, type Manifest } from './manifest.ts';

export function tempPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.partial-${process.pid}`);
}

/** Moves the finished payload into place and writes its manifest last (a manifest means a whole backup). */
export async function publish(tmp: string, file: string, manifest: Omit<Manifest, 'file'>): Promise<Manifest> {
  const full: Manifest = {
    ...manifest,
    file: { name: path.basename(file), bytes: statSync(tmp).size, sha256: await sha256File(tmp) },
  } as Manifest;
  const mtmp = `${tmp}.manifest`;
  writeFileSync(mtmp, `${JSON.stringify(full, null, 2)}\n`);
  renameSync(tmp, file);
  renameSync(mtmp, manifestPath(file));
  return full;
}

export function discard(tmp: string): void {
  rmSync(tmp, { force: true, recursive: true });
  rmSync(`${tmp}.manifest`, { force: true });
}

/** While a long dump runs, shows its size on a terminal. */
export function sizeTicker(label: string, file: string): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    let bytes = 0;
    try {
      bytes = statSync(file).size;
    } catch {
      // not created yet
    }
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    process.stderr.write(`\r${label}: ${(bytes / 1048576).toFixed(1)} MiB, ${secs}s   `);
  }, 500);
  return () => {
    clearInterval(timer);
    process.stderr.write('\n');
  };
}
