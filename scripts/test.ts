/**
 * npm test: builds dist/ (the CLI tests run bin/tm.js) and the migrated database templates once, starts a throwaway PostgreSQL cluster when
 * the binaries are there, then runs every *.test.ts (or the paths given) with Node's test runner.
 *   npm test                      all tests
 *   npm test -- src/analysis      tests under a path
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPgBin, startCluster, type Cluster } from '../test/helpers/pg-cluster.ts';
import { buildEmbeddedTemplate, buildServerTemplate } from '../test/helpers/templates.ts';
import { buildServer } from './build-server.ts';

function findTests(root: string): string[] {
  if (statSync(root).isFile()) return [root];
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const roots = args.length ? args : ['src', 'test'];
const files = roots.flatMap(findTests).sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'tm-test-'));
let cluster: Cluster | undefined;
const cleanup = () => {
  cluster?.stop();
  cluster = undefined;
  rmSync(work, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

let code = 1;
try {
  const t0 = Date.now();
  await buildServer(); // the CLI tests run bin/tm.js, which runs dist/: never a stale build
  const template = path.join(work, 'pglite-template.tar');
  const env: NodeJS.ProcessEnv = { ...process.env, TM_TEST_PGLITE_TEMPLATE: template };
  delete env.DATABASE_URL; // tests pick their databases themselves
  await buildEmbeddedTemplate(template);
  const bin = findPgBin();
  if (bin) {
    cluster = await startCluster(bin);
    await buildServerTemplate(cluster.url);
    env.TM_TEST_PG_URL = cluster.url;
    env.TM_TEST_PG_BIN = bin;
    console.log(
      `test databases ready in ${Date.now() - t0} ms (PGlite template; PostgreSQL cluster on port ${cluster.port})`,
    );
  } else {
    console.log('warning: no PostgreSQL binaries found (install postgresql-15): server-backend tests will be skipped');
  }
  const concurrency = process.env.TM_TEST_CONCURRENCY ?? String(Math.max(2, os.availableParallelism()));
  code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
      {
        stdio: 'inherit',
        env,
      },
    );
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  cleanup();
}
process.exit(code);
