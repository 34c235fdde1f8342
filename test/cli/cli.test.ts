/** The tm binary as a user runs it: help everywhere, exit codes, migrate commands on a data dir. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { loadMigrations } from '../../src/db/migrate/files.ts';
import { must } from '../helpers/must.ts';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const REVISIONS = loadMigrations().map((m) => m.revision);
const HEAD = must(REVISIONS.at(-1));

const BIN = path.resolve('bin/tm.js');

function tm(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', ...env },
    timeout: TM_COMMAND_TIMEOUT_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

test('every command has a description and --help', () => {
  const program = buildProgram();
  for (const cmd of allCommands(program)) {
    assert.ok(cmd.description(), `"${cmd.name()}" has no description`);
    assert.match(cmd.helpInformation(), /Usage: /);
  }
});

test('usage errors exit 2, data errors exit 1 with one line', () => {
  const unknown = tm(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const missing = tm(['migrate', 'downgrade']);
  assert.equal(missing.code, 2);
  const badRev = tm(['migrate', 'upgrade', 'nope', '--sql']);
  assert.equal(badRev.code, 1);
  assert.equal(badRev.stderr.trim().split('\n').length, 1);
  assert.match(badRev.stderr, /^tm: error: unknown revision "nope"/);
  const help = tm(['migrate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /upgrade/);
});

test('--sql prints the migration without any database', () => {
  const r = tm(['migrate', 'upgrade', 'head', '--sql'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /CREATE TABLE candles/);
  assert.match(r.stdout, /create_hypertable/);
});

test('migrate upgrade, current, history and stamp on an embedded data dir', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-cli-'));
  const env = { TM_DATA_DIR: path.join(dir, 'data') };
  try {
    const before = tm(['migrate', 'current', '--json'], env);
    assert.equal(before.code, 0, before.stderr);
    assert.deepEqual(JSON.parse(before.stdout).pending, REVISIONS);
    const up = tm(['migrate', 'upgrade'], env);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, new RegExp(`upgraded to ${HEAD}`));
    const current = JSON.parse(tm(['migrate', 'current', '--json'], env).stdout);
    assert.equal(current.current, HEAD);
    assert.equal(current.at_head, true);
    const history = JSON.parse(tm(['migrate', 'history', '--json'], env).stdout);
    assert.equal(history[0].revision, HEAD);
    assert.match(history[0].marks, /head, current/);
    assert.equal(tm(['migrate', 'stamp', 'base'], env).code, 0);
    assert.equal(JSON.parse(tm(['migrate', 'current', '--json'], env).stdout).current, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backup create, verify and restore from the command line', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-cli-bk-'));
  const env = { TM_DATA_DIR: path.join(dir, 'data') };
  try {
    assert.equal(tm(['migrate', 'upgrade'], env).code, 0);
    const file = path.join(dir, 'b.tar.gz');
    const created = tm(['backup', 'create', '-o', file, '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).kind, 'snapshot');
    const verified = tm(['backup', 'verify', file], env);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /^OK: snapshot backup/);
    const restored = tm(['backup', 'restore', file, '--into', path.join(dir, 'copy')], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /every table matches the manifest/);
    const both = tm(['backup', 'create', '-o', file, '--schema-only', '--data-only'], env);
    assert.equal(both.code, 2);
    const missing = tm(['backup', 'verify', path.join(dir, 'nope')], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a command on a fresh embedded data dir migrates it first; on a server behind head it names the fix', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-cli-fresh-'));
  try {
    const r = tm(['assets', 'list', '--json'], { TM_DATA_DIR: path.join(dir, 'data') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /running upgrade 0001/);
    assert.equal(JSON.parse(r.stdout).total, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tm exits once its output is written: a large result reaches a slow reader whole', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-cli-'));
  const env = { ...process.env, DATABASE_URL: '', TM_DATA_DIR: path.join(dir, 'data') };
  try {
    const csv = path.join(dir, 'c.csv');
    const start = Date.UTC(2025, 0, 1);
    const rows = Array.from({ length: 3000 }, (_, i) => `${new Date(start + i * 60_000).toISOString()},1,2,0.5,1.5,10`);
    writeFileSync(csv, `ts,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const imp = tm(['import', 'candles', csv, '--symbol', 'PIPE', '--interval', '1m', '--asset-type', 'stock'], env);
    assert.equal(imp.code, 0, imp.stderr);
    const args = ['query', 'candles', '--symbol', 'PIPE', '--interval', '1m', '--from', '2025-01-01', '--json'];
    // A file is written synchronously; a pipe whose reader waits first fills up (64 KiB) and drains later.
    const toFile = path.join(dir, 'out.json');
    const direct = spawnSync('sh', ['-c', `"$0" "$@" > "${toFile}"`, process.execPath, BIN, ...args], { env });
    assert.equal(direct.status, 0, String(direct.stderr));
    const size = readFileSync(toFile).length;
    assert.ok(size > 256 * 1024, `the result is larger than a pipe holds (${size} bytes)`);
    const piped = spawnSync(
      'bash',
      ['-c', 'set -o pipefail; "$0" "$@" | (sleep 1; wc -c)', process.execPath, BIN, ...args],
      { env, encoding: 'utf8' },
    );
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(Number(piped.stdout.trim()), size);
    assert.equal(JSON.parse(readFileSync(toFile, 'utf8')).candles.length, 3000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
