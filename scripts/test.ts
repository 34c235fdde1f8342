/**
 * npm test: builds the migrated database templates once, starts a throwaway PostgreSQL cluster when
 * the binaries are there, then runs every *.test.ts (or the paths given) with Node's test runner.
 *   npm test                      all tests
 *   npm test -- src/analysis      tests under a path
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPgBin, makePlainInstall, startCluster, type Cluster } from '../test/helpers/pg-cluster.ts';
import { buildEmbeddedTemplate, buildServerTemplate } from '../test/helpers/templates.ts';

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
const clusters: Cluster[] = [];
const cleanup = () => {
  for (const c of clusters.splice(0)) c.stop();
  rmSync(work, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

/** The main cluster (TimescaleDB when installed) and, when it has TimescaleDB, a plain one beside it. */
async function startClusters(env: NodeJS.ProcessEnv): Promise<void> {
  const bin = findPgBin();
  if (!bin) {
    console.log('warning: no PostgreSQL binaries found (install postgresql-15): server-backend tests will be skipped');
    return;
  }
  const main = await startCluster(bin);
  clusters.push(main);
  await buildServerTemplate(main.url);
  env.TM_TEST_PG_URL = main.url;
  env.TM_TEST_PG_BIN = bin;
  if (main.timescale) {
    env.TM_TEST_PG_TIMESCALE = main.timescale;
    const plainInstall = makePlainInstall(bin);
    const plain = await startCluster(plainInstall.binDir, { shareDir: plainInstall.shareDir });
    clusters.push(plain, { ...plain, stop: plainInstall.remove });
    await buildServerTemplate(plain.url);
    env.TM_TEST_PG_PLAIN_URL = plain.url;
    console.log(
      `server tests: TimescaleDB ${main.timescale} with background workers on port ${main.port}; ` +
        `plain PostgreSQL (no TimescaleDB installed) on port ${plain.port}`,
    );
  } else {
    env.TM_TEST_PG_PLAIN_URL = main.url;
    console.log(
      `warning: TimescaleDB is not installed for ${bin}: server tests run on plain PostgreSQL (port ${main.port}) ` +
        'and the TimescaleDB-server suites are skipped (run ../shared/timescaledb/install.sh)',
    );
  }
}

function printBackendSummary(file: string): void {
  let counts: Record<string, { passed: number; failed: number; skipped: number }>;
  try {
    counts = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  const total = { passed: 0, failed: 0, skipped: 0 };
  console.log('\ntests by backend:');
  for (const [backend, c] of Object.entries(counts).sort()) {
    console.log(`  ${backend.padEnd(13)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
}

let code = 1;
try {
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, TM_TEST_PGLITE_TEMPLATE: path.join(work, 'pglite-template.tar') };
  for (const k of ['DATABASE_URL', 'TM_TEST_PG_URL', 'TM_TEST_PG_PLAIN_URL', 'TM_TEST_PG_TIMESCALE']) delete env[k];
  await buildEmbeddedTemplate(env.TM_TEST_PGLITE_TEMPLATE!);
  await startClusters(env);
  console.log(`test databases ready in ${Date.now() - t0} ms`);
  const concurrency = process.env.TM_TEST_CONCURRENCY ?? String(Math.max(2, os.availableParallelism()));
  const summary = path.join(work, 'backends.json');
  const reporter = path.resolve('test/helpers/backend-reporter.mjs');
  code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${reporter}`,
        `--test-reporter-destination=${summary}`,
        ...files,
      ],
      { stdio: 'inherit', env },
    );
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  printBackendSummary(summary);
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  cleanup();
}
process.exit(code);
