/** The TimescaleDB commands as a user runs them on an embedded data dir: JSON output and exit codes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-ts-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: '', TM_DATA_DIR: path.join(dir, 'data') };

function tm(...args: string[]) {
  const r = spawnSync(process.execPath, [path.resolve('bin/tm.js'), ...args], {
    encoding: 'utf8',
    env,
    timeout: TM_COMMAND_TIMEOUT_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('migrate, add policies, list jobs, doctor: JSON on stdout, exit codes', () => {
  assert.equal(tm('migrate', 'upgrade').code, 0);
  const policy = tm('compression', 'policy', 'add', '--after', '30d', '--json');
  assert.equal(policy.code, 0, policy.stderr);
  const { job_id, created } = JSON.parse(policy.stdout);
  assert.equal(created, true);
  const jobs = JSON.parse(tm('jobs', 'list', '--json').stdout) as {
    job_id: number;
    proc_name: string;
    hypertable: string;
  }[];
  assert.ok(
    jobs.some((j) => j.job_id === job_id && j.proc_name === 'policy_compression' && j.hypertable === 'candles'),
  );
  const doctor = tm('doctor', '--json');
  assert.equal(doctor.code, 0, doctor.stdout);
  assert.equal(JSON.parse(doctor.stdout).ok, true);
  const bad = tm('retention', 'add', '--drop-after', 'forever');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^tm: error: --drop-after "forever" is not a duration/);
  const usage = tm('jobs', 'run', 'abc');
  assert.equal(usage.code, 2);
  const tune = JSON.parse(tm('tune', '--memory', '16GB', '--cpus', '4', '--json').stdout);
  assert.equal(tune.settings.find((s: { name: string }) => s.name === 'effective_cache_size').value, '12GB');
});

test('tm tier on the embedded database: the tablespaces there are, and a clear refusal to add one', () => {
  assert.equal(tm('migrate', 'upgrade').code, 0);
  const listed = tm('tier', 'list', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  const { tablespaces, policies } = JSON.parse(listed.stdout);
  assert.deepEqual(
    tablespaces.map((t: { name: string }) => t.name),
    ['pg_default'],
  );
  assert.deepEqual(policies, []);
  const add = tm('tier', 'add-tablespace', 'cold', dir);
  assert.equal(add.code, 1);
  assert.match(add.stderr, /^tm: error: tm tier add-tablespace needs a PostgreSQL server/);
  const agg = tm('aggregates', 'compression', 'status');
  assert.equal(agg.code, 1);
  assert.match(agg.stderr, /there are no continuous aggregates yet\. Fix: tm aggregates create/);
});
