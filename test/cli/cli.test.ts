/** The tm binary as a user runs it: help everywhere, exit codes, migrate commands on a data dir. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { loadMigrations } from '../../src/db/migrate/files.ts';
import { must } from '../helpers/must.ts';

const REVISIONS = loadMigrations().map((m) => m.revision);
const HEAD = must(REVISIONS.at(-1));

const BIN = path.resolve('bin/tm.js');

function tm(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', ...env },
    timeout: 120_000,
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
