/**
 * tm signals generate --user, tm strategies add --builtin and tm alerts add-rule | rules | check | history |
 * remove-rule as a user runs them, on both backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rsi } from '../../src/analysis/indicators/index.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { BUILTIN_RULES } from '../../src/analysis/signals/builtin-rules.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Queryable } from '../../src/db/types.ts';
import { insertSeries } from '../helpers/candles.ts';
import { serverDb, serverSkip, type ServerTestDb } from '../helpers/db.ts';
import { tm } from '../helpers/tm.ts';

const DAY = 86_400_000;
const series = generateSeries(600, { seed: 8, stepMs: DAY, startTs: Date.UTC(2022, 0, 3), volatility: 0.02 });
const FIRST = 400;
const r = rsi(series.close, 14);
/** A level the RSI goes below after the first 400 bars: the rule turns true there at least once. */
const level = Math.floor(Math.min(...Array.from(r.subarray(FIRST))) + 2);
const RULE = `rsi(close, 14) < ${level}`;
const expectedFirings = (() => {
  let n = 0;
  for (let i = FIRST; i < series.ts.length; i++) if (r[i] < level && !(r[i - 1] < level)) n++;
  return n;
})();

async function seed(q: Queryable): Promise<void> {
  for (const name of ['alice', 'bob']) {
    await q.query("INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x')", [name]);
  }
  const a = await q.query<{ id: string }>(
    "INSERT INTO assets (symbol, name, asset_type) VALUES ('CLI', 'CLI test', 'stock') RETURNING id",
  );
  await insertSeries(q, a.rows[0].id, series, { interval: '1d', to: FIRST });
}

async function insertRest(q: Queryable): Promise<void> {
  const a = await q.query<{ id: string }>("SELECT id FROM assets WHERE symbol = 'CLI'");
  await insertSeries(q, a.rows[0].id, series, { interval: '1d', from: FIRST });
}

function scenario(env: () => NodeJS.ProcessEnv, more: () => Promise<void>): void {
  const run = async (args: string[]) => tm(args, env());
  const ok = async (args: string[]) => {
    const res = await run(args);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout);
  };

  test('a strategy from a built-in one; its signals stored under user/name, once', async () => {
    const names = (await ok(['strategies', 'builtins', '--json'])).map((b: { name: string }) => b.name);
    assert.deepEqual(
      names,
      BUILTIN_RULES.map((b) => b.name),
    );
    const s = await ok(['strategies', 'add', 'rsi', '--user', 'alice', '--builtin', 'rsi-reversal', '--json']);
    assert.equal(s.entry, BUILTIN_RULES[1].entry);
    assert.equal(s.params.oversold, 30);
    const bad = await run(['strategies', 'add', 'c', '--user', 'alice', '--builtin', 'composite']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /composite has no rule version/);
    const first = await ok(['signals', 'generate', '--symbol', 'CLI', '--user', 'alice', '--json']);
    assert.equal(first.length, 1);
    assert.equal(first[0].strategy, 'alice/rsi');
    assert.equal(first[0].strategy_version, 1);
    assert.ok(first[0].inserted > 0);
    const again = await ok([
      'signals',
      'generate',
      '--symbol',
      'CLI',
      '--user',
      'alice',
      '--strategy',
      'rsi',
      '--json',
    ]);
    assert.equal(again[0].inserted, 0);
    const list = await ok(['signals', 'list', '--strategy', 'alice/rsi', '--limit', '1000', '--json']);
    assert.equal(list.total, first[0].inserted);
    const params = await run(['signals', 'generate', '--symbol', 'CLI', '--user', 'alice', '--params', '{}']);
    assert.notEqual(params.code, 0);
  });

  test('condition alerts: a bad rule names the column; a rule fires on new bars, once; only its owner removes it', async () => {
    const bad = await run(['alerts', 'add-rule', 'alice', '--symbol', 'CLI', '--when', 'rsi(close, ) < 30']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /expected a number at column 11/);
    const rule = await ok([
      'alerts',
      'add-rule',
      'alice',
      '--symbol',
      'CLI',
      '--interval',
      '1d',
      '--when',
      RULE,
      '--json',
    ]);
    assert.equal(new Date(rule.last_ts).getTime(), series.ts[FIRST - 1]);
    assert.equal((await ok(['alerts', 'rules', 'alice', '--json'])).length, 1);
    assert.deepEqual(await ok(['alerts', 'rules', 'bob', '--json']), []);
    assert.deepEqual((await ok(['alerts', 'check', '--json'])).condition_events, []);
    await more();
    assert.ok(expectedFirings >= 1);
    const checked = await ok(['alerts', 'check', '--symbol', 'CLI', '--json']);
    assert.equal(checked.condition_events.length, expectedFirings);
    assert.deepEqual((await ok(['alerts', 'check', '--json'])).condition_events, [], 'once');
    const history = await ok(['alerts', 'history', 'alice', '--rule', rule.id, '--json']);
    assert.equal(history.total, expectedFirings);
    const notYours = await run(['alerts', 'remove-rule', 'bob', rule.id]);
    assert.notEqual(notYours.code, 0);
    assert.match(notYours.stderr, /no condition alert/);
    assert.equal((await run(['alerts', 'remove-rule', 'alice', rule.id])).code, 0);
    assert.deepEqual(await ok(['alerts', 'rules', 'alice', '--json']), []);
  });
}

describe('tm alerts rules and user signals [embedded]', () => {
  let dir: string;
  const withDb = async (fn: (q: Queryable) => Promise<void>) => {
    const db = await openEmbedded({ dataDir: path.join(dir, 'data') });
    try {
      await fn(db);
    } finally {
      await db.close();
    }
  };
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tm-alert-rules-'));
    await withDb(async (db) => {
      await new Migrator(db as never).upgrade('head');
      await seed(db);
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  scenario(
    () => ({ DATABASE_URL: '', TM_DATA_DIR: path.join(dir, 'data') }),
    () => withDb(insertRest),
  );
});

describe('tm alerts rules and user signals [server]', { skip: serverSkip }, () => {
  let db: ServerTestDb;
  before(async () => {
    db = await serverDb();
    await seed(db);
  });
  after(async () => {
    await db.close();
  });
  scenario(
    () => ({ DATABASE_URL: db.url }),
    () => insertRest(db),
  );
});
