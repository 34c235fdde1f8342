/**
 * tm sources / tm sync with a ccxt exchange (ccxt's okx class against an OKX stand-in) and tm tokens, as a
 * user runs them on an embedded data dir (the built tm: npm run build first).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded } from '../../src/db/pglite.ts';
import { fakeCandle } from '../helpers/fake-markets.ts';
import { startFakeOkx, type FakeOkx } from '../helpers/fake-okx.ts';
import { ServeProcess } from '../helpers/serve-process.ts';

const BIN = path.resolve('bin/tm.js');
const T0 = Date.parse('2024-01-01T00:00:00Z');
const H = 3_600_000;
let dir: string;
let env: NodeJS.ProcessEnv;
let fake: FakeOkx;

/** The built tm, asynchronously (the stand-in answers from this process meanwhile). */
function tm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(async () => {
  fake = await startFakeOkx();
  fake.markets.set('BTC-USDT', { listedFrom: T0 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'tm-ecosystem-'));
  env = { TM_DATA_DIR: path.join(dir, 'data'), TM_CCXT_OKX_URL: fake.url, TM_SYNC_RETRY_BASE_MS: '5' };
  const up = await tm(['migrate', 'upgrade']);
  assert.equal(up.code, 0, up.stderr);
});
after(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

test('tm sources add BTCUSDT:okx --provider ccxt:okx --symbol BTC/USDT, then tm sync backfill through ccxt', async () => {
  const added = await tm([
    'sources',
    'add',
    'BTCUSDT:okx',
    '--provider',
    'ccxt:okx',
    '--symbol',
    'BTC/USDT',
    '--intervals',
    '1m,1h',
    '--json',
  ]);
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual(
    (({ asset, provider, market, intervals }) => ({ asset, provider, market, intervals }))(JSON.parse(added.stdout)),
    { asset: 'BTCUSDT:OKX', provider: 'ccxt:okx', market: 'BTC/USDT', intervals: ['1m', '1h'] },
  );
  const bad = await tm(['sources', 'add', 'X:Y', '--provider', 'ccxt:nosuchex', '--intervals', '1m']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /ccxt has no exchange "nosuchex"/);

  const from = new Date(T0).toISOString();
  const to = new Date(T0 + 10 * H).toISOString();
  const r = await tm(['sync', 'backfill', 'BTCUSDT:OKX', '--interval', '1h', '--from', from, '--to', to, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual([summary.provider, summary.inserted, summary.gaps], ['ccxt:okx', 10, 0]);
  const db = await openEmbedded({ dataDir: path.join(dir, 'data') });
  try {
    const rows = await db.query<{ ts: Date; close: number }>(
      `SELECT c.ts, c.close::float8 AS close FROM candles c JOIN assets a ON a.id = c.asset_id
        WHERE a.symbol = 'BTCUSDT' AND c."interval" = '1h' ORDER BY c.ts`,
    );
    assert.deepEqual(
      rows.rows.map((x) => [x.ts.getTime(), x.close]),
      Array.from({ length: 10 }, (_, i) => [T0 + i * H, fakeCandle('1h', T0 + i * H).close]),
    );
  } finally {
    await db.close();
  }
});

test('tm tokens create, list, revoke (personal API tokens)', async () => {
  const u = await tm(['users', 'create', 'ann', '--email', 'ann@example.com', '--json']);
  assert.equal(u.code, 0, u.stderr);
  const made = await tm(['tokens', 'create', 'ann', '--name', 'freqtrade', '--json']);
  assert.equal(made.code, 0, made.stderr);
  const t = JSON.parse(made.stdout);
  assert.match(t.token, /^tmk_/);
  assert.equal(t.scope, 'read', 'read is the default scope');
  const list = await tm(['tokens', 'list', 'ann', '--json']);
  const listed = JSON.parse(list.stdout);
  assert.deepEqual(
    listed.map((x: { name: string; scope: string }) => [x.name, x.scope]),
    [['freqtrade', 'read']],
  );
  assert.ok(!list.stdout.includes(t.token.split('.')[1]), 'the secret is never listed');
  assert.equal((await tm(['tokens', 'revoke', 'ann', t.id])).code, 0);
  const again = await tm(['tokens', 'revoke', 'ann', t.id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /not found/);
  const bad = await tm(['tokens', 'create', 'ann', '--name', 'x', '--scope', 'admin']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--scope must be read or write/);
});

test("a running tm serve answers ccxt's binance class from /compat/binance with a read-scoped API token", async () => {
  await tm(['users', 'create', 'bot', '--email', 'bot@example.com']);
  const made = await tm(['tokens', 'create', 'bot', '--name', 'ccxt', '--json']);
  assert.equal(made.code, 0, made.stderr);
  const token = JSON.parse(made.stdout).token as string;
  const serve = new ServeProcess([], { ...env, TM_SYNC: '0' });
  try {
    const base = await serve.url();
    const ccxt = await import('ccxt');
    const ex = new ccxt.binance({
      urls: { api: { public: `${base}/compat/binance/api/v3` } },
      headers: { Authorization: `Bearer ${token}` },
      options: { fetchMarkets: { types: ['spot'] } },
    });
    const read = await ex.fetchOHLCV('BTC/USDT', '1h', T0, 100);
    // The ten hours the first test synced from the OKX stand-in, as stored.
    assert.deepEqual(
      read.map((r) => [r[0], r[4]]),
      Array.from({ length: 10 }, (_, i) => [T0 + i * H, fakeCandle('1h', T0 + i * H).close]),
    );
  } finally {
    assert.equal(await serve.stop(), 0);
  }
});
