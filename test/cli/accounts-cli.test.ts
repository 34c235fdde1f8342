/** tm users and tm alerts as a user runs them, on an embedded data dir. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded } from '../../src/db/pglite.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { must } from '../helpers/must.ts';
import { TM_COMMAND_TIMEOUT_MS } from '../helpers/wait.ts';

const BIN = path.resolve('bin/tm.js');
let dir: string;
let env: NodeJS.ProcessEnv;

function tm(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', ...env },
    input,
    timeout: TM_COMMAND_TIMEOUT_MS,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tm-users-'));
  env = { TM_DATA_DIR: path.join(dir, 'data') };
  const up = tm(['migrate', 'upgrade']);
  assert.equal(up.code, 0, up.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('users create (stdin and generated passwords), list, deactivate, activate, grant-admin, revoke-admin, reset-password', () => {
  const created = tm(
    ['users', 'create', 'alice', '--email', 'alice@example.com', '--admin', '--password-stdin', '--json'],
    'alice-password\n',
  );
  assert.equal(created.code, 0, created.stderr);
  const alice = JSON.parse(created.stdout);
  assert.equal(alice.username, 'alice');
  assert.equal(alice.is_admin, true);
  assert.equal('password_hash' in alice, false);
  assert.equal('generated_password' in alice, false);

  const gen = tm(['users', 'create', 'bob', '--email', 'bob@example.com', '--json']);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(JSON.parse(gen.stdout).generated_password, /^[\w-]{24}$/);

  const dup = tm(['users', 'create', 'ALICE', '--email', 'x@example.com', '--password-stdin'], 'whatever-password');
  assert.equal(dup.code, 1);
  assert.equal(dup.stderr.trim().split('\n').length, 1);
  assert.match(dup.stderr, /^tm: error: username "ALICE" is taken/);
  const short = tm(['users', 'create', 'carl', '--email', 'carl@example.com', '--password-stdin'], 'short');
  assert.equal(short.code, 1);
  assert.match(short.stderr, /password: must be at least 8 characters/);
  assert.equal(tm(['users', 'create', 'dora']).code, 2, '--email is required');

  const list = tm(['users', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const page = JSON.parse(list.stdout);
  assert.deepEqual(
    page.items.map((u: { username: string }) => u.username),
    ['alice', 'bob'],
  );
  assert.equal(list.stdout.includes('argon2'), false);
  assert.match(tm(['users', 'list']).stdout, /username\s+email/);

  const deact = tm(['users', 'deactivate', 'bob', '--json']);
  assert.equal(deact.code, 0, deact.stderr);
  assert.equal(JSON.parse(deact.stdout).user.is_active, false);
  assert.equal(tm(['users', 'activate', 'bob']).code, 0);
  const missing = tm(['users', 'deactivate', 'nobody']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no user named "nobody"/);

  // alice is the only administrator: she can be neither demoted nor deactivated until bob is one too.
  const lastAdmin = tm(['users', 'revoke-admin', 'alice']);
  assert.equal(lastAdmin.code, 1);
  assert.match(lastAdmin.stderr, /cannot revoke administrator rights from alice: the only active administrator/);
  assert.match(tm(['users', 'deactivate', 'alice']).stderr, /cannot deactivate alice: the only active administrator/);
  assert.match(tm(['users', 'grant-admin', 'bob']).stdout, /^bob is now an administrator/);
  assert.match(tm(['users', 'revoke-admin', 'alice']).stdout, /^alice is no longer an administrator/);
  assert.equal(tm(['users', 'grant-admin', 'alice']).code, 0);

  const reset = tm(['users', 'reset-password', 'alice', '--password-stdin', '--json'], 'brand-new-password\n');
  assert.equal(reset.code, 0, reset.stderr);
  assert.equal(JSON.parse(reset.stdout).username, 'alice');
});

test('alerts check evaluates on demand and fires once', async () => {
  const db = await openEmbedded({ dataDir: must(env.TM_DATA_DIR) });
  try {
    const asset = await insertAsset(db, 'CLI');
    const u = await db.query<{ id: string }>("SELECT id FROM users WHERE username = 'alice'");
    const w = await db.query<{ id: string }>(
      "INSERT INTO watchlists (user_id, name, is_default) VALUES ($1, 'w', true) RETURNING id",
      [u.rows[0].id],
    );
    await db.query('INSERT INTO watchlist_items (watchlist_id, asset_id, price_alert_low) VALUES ($1, $2, 50)', [
      w.rows[0].id,
      asset,
    ]);
    await insertCloses(db, asset, [49], { start: '2025-03-03T10:00:00Z' });
  } finally {
    await db.close();
  }
  const first = tm(['alerts', 'check', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const r = JSON.parse(first.stdout);
  assert.equal(r.assets_checked, 1);
  assert.deepEqual(
    r.events.map((e: { symbol: string; direction: string; price: number }) => [e.symbol, e.direction, e.price]),
    [['CLI', 'below', 49]],
  );
  const second = tm(['alerts', 'check', '--symbol', 'cli']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /no alerts fired; 1 asset\(s\) checked/);
  const bad = tm(['alerts', 'check', '--symbol', 'NOPE']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no asset "NOPE"/);
});
