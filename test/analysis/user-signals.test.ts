/**
 * `tm signals generate --user`: a user's strategy stored as signals like the built-in ones, on both backends:
 * equal to a full-history run, incremental, idempotent, a new version replaces the series, private to its owner.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';
import { createUser, type User } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { generateStoredSignals, generateUserSignals } from '../../src/analysis/service.ts';
import { generateRuleSignals } from '../../src/analysis/signals/rules.ts';
import { insertSignals, listSignals } from '../../src/analysis/signals-repository.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { removeStrategy, saveStrategy } from '../../src/analysis/strategies-repository.ts';
import { parseRule } from '../../src/analysis/strategy/index.ts';
import { readCandleColumns } from '../../src/market/candles-repository.ts';

const DAY = 86_400_000;
const series = generateSeries(800, { seed: 5, stepMs: DAY, startTs: Date.UTC(2021, 0, 4), volatility: 0.02 });
const ENTRY = 'crosses_above(ema(close, $fast), sma(close, $slow))';
const EXIT = 'rsi(close, 14) > 65';

type Row = {
  ts: Date;
  signal_type: string;
  price: number;
  stop_loss: number;
  strategy_version: number;
  user_id: string;
};

forEachBackend('signals of user strategies', (open) => {
  let db: Database;
  let assetId: string;
  let alice: User;
  let bob: User;
  const choice = { symbols: ['USIG'] };

  before(async () => {
    db = await open();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('USIG', 'User Signals', 'stock') RETURNING id",
    );
    assetId = a.rows[0].id;
    await insertSeries(db, assetId, series, { to: 600 });
    alice = await createUser(db, { username: 'alice_sig', email: 'a@example.com', password: 'correct horse' });
    bob = await createUser(db, { username: 'bob_sig', email: 'b@example.com', password: 'correct horse' });
    await saveStrategy(db, {
      userId: alice.id,
      name: 'trend',
      entry: ENTRY,
      exit: EXIT,
      params: { fast: 10, slow: 30 },
    });
  });
  after(() => db.close());

  const stored = async (): Promise<Row[]> =>
    (
      await db.query<Row>(
        `SELECT ts, signal_type::text, price, stop_loss, strategy_version, user_id FROM signals
         WHERE asset_id = $1 AND strategy = 'alice_sig/trend' ORDER BY ts`,
        [assetId],
      )
    ).rows;

  /** What the pure rule generator gives on every stored bar. */
  const expected = async (params: Record<string, number>) => {
    const cols = await readCandleColumns(db, { assetId, interval: '1d', from: null, warmup: 0 });
    return generateRuleSignals(
      cols,
      {
        name: 'alice_sig/trend',
        entry: { text: ENTRY, node: parseRule(ENTRY) },
        exit: { text: EXIT, node: parseRule(EXIT) },
        params,
      },
      { interval: '1d' },
    );
  };

  const assertStoredEqualsFull = async (params: Record<string, number>, version: number) => {
    const want = await expected(params);
    const got = await stored();
    assert.ok(want.length > 5, `the rules fire on a random walk (${want.length})`);
    assert.deepEqual(
      got.map((r) => `${r.ts.toISOString()} ${r.signal_type}`),
      want.map((c) => `${new Date(c.ts).toISOString()} ${c.signalType}`),
    );
    got.forEach((r, k) => {
      assert.equal(r.price, want[k].price);
      assert.ok(Math.abs(r.stop_loss - (want[k].stopLoss as number)) <= 1e-9 * r.price);
      assert.equal(r.strategy_version, version);
      assert.equal(r.user_id, alice.id);
    });
  };

  test('a first run stores the rule signals of every bar, under user/name with the version', async () => {
    const res = await generateUserSignals(db, choice, '1d', alice, ['trend']);
    assert.equal(res.length, 1);
    assert.equal(res[0].strategy, 'alice_sig/trend');
    assert.equal(res[0].strategy_version, 1);
    assert.equal(res[0].inserted, res[0].candidates);
    await assertStoredEqualsFull({ fast: 10, slow: 30 }, 1);
  });

  test('running twice adds nothing; new bars add only theirs and equal a full run', async () => {
    const again = await generateUserSignals(db, choice, '1d', alice, undefined);
    assert.deepEqual(
      again.map((r) => r.inserted),
      [0],
    );
    const before = (await stored()).length;
    await insertSeries(db, assetId, series, { from: 600, to: 800 });
    const res = await generateUserSignals(db, choice, '1d', alice, ['trend']);
    assert.equal(res[0].inserted, (await stored()).length - before);
    assert.ok(res[0].inserted > 0);
    await assertStoredEqualsFull({ fast: 10, slow: 30 }, 1);
    const third = await generateUserSignals(db, choice, '1d', alice, ['trend']);
    assert.equal(third[0].inserted, 0);
  });

  test('only the newest signal is active', async () => {
    const r = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM signals WHERE strategy = 'alice_sig/trend' AND is_active",
    );
    assert.ok(r.rows[0].n <= 1);
  });

  test("the owner sees them in listings, others (and anonymous callers) see the built-in strategies' only", async () => {
    await generateStoredSignals(db, choice, '1d', ['ma-crossover']);
    const of = async (viewer: string | null) =>
      new Set((await listSignals(db, { assetId, viewer, limit: 10_000, offset: 0 })).items.map((s) => s.strategy));
    assert.deepEqual([...(await of(alice.id))].sort(), ['alice_sig/trend', 'ma-crossover']);
    assert.deepEqual([...(await of(bob.id))], ['ma-crossover']);
    assert.deepEqual([...(await of(null))], ['ma-crossover']);
  });

  test('a new version replaces the series: its signals only, generated from the start', async () => {
    await saveStrategy(db, {
      userId: alice.id,
      name: 'trend',
      entry: ENTRY,
      exit: EXIT,
      params: { fast: 5, slow: 40 },
    });
    const res = await generateUserSignals(db, choice, '1d', alice, ['trend']);
    assert.equal(res[0].strategy_version, 2);
    await assertStoredEqualsFull({ fast: 5, slow: 40 }, 2);
  });

  test('a user without strategies, or an unknown one, is a clear error', async () => {
    await assert.rejects(generateUserSignals(db, choice, '1d', bob, undefined), /bob_sig has no strategies/);
    await assert.rejects(generateUserSignals(db, choice, '1d', alice, ['nope']), /no strategy named "nope"/);
  });

  test("a user's strategy signal is news for its owner only; a built-in one for every watcher", async () => {
    for (const u of [alice, bob]) {
      await db.query(
        `WITH w AS (INSERT INTO watchlists (user_id, name) VALUES ($1, 'watch') RETURNING id)
         INSERT INTO watchlist_items (watchlist_id, asset_id) SELECT id, $2 FROM w`,
        [u.id, assetId],
      );
      await createChannel(
        db,
        u.id,
        { kind: 'webhook', target: 'http://127.0.0.1:9/hook', events: ['signal'] },
        { allowPrivate: true, isAdmin: false },
      );
    }
    const v = await db.query<{ id: string; version: number }>(
      "SELECT s.id, max(v.version) AS version FROM strategies s JOIN strategy_versions v ON v.strategy_id = s.id WHERE s.name = 'trend' GROUP BY s.id",
    );
    const now = Date.now();
    const row = (strategy: string, own: boolean) => ({
      asset_id: assetId,
      ts: new Date(now - DAY),
      signal_type: 'buy' as const,
      strength: 1,
      confidence: 1,
      price: 100,
      target_price: 110,
      stop_loss: 95,
      strategy,
      rationale: 'test',
      indicators_used: {},
      timeframe: '1d' as const,
      expires_at: new Date(now + DAY),
      ...(own ? { user_id: alice.id, strategy_id: v.rows[0].id, strategy_version: v.rows[0].version } : {}),
    });
    await insertSignals(db, [row('alice_sig/trend', true)]);
    await insertSignals(db, [row('rsi-reversal', false)]);
    const to = async (strategy: string) =>
      (
        await db.query<{ user_id: string }>(
          "SELECT user_id FROM notification_deliveries WHERE event_type = 'signal' AND payload->'data'->>'strategy' = $1 ORDER BY user_id",
          [strategy],
        )
      ).rows.map((r) => r.user_id);
    assert.deepEqual(await to('alice_sig/trend'), [alice.id]);
    assert.deepEqual(await to('rsi-reversal'), [alice.id, bob.id].sort());
  });

  test('removing the strategy removes its signals', async () => {
    await removeStrategy(db, alice.id, 'trend');
    assert.equal((await stored()).length, 0);
    const builtin = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM signals WHERE strategy = 'ma-crossover'",
    );
    assert.ok(builtin.rows[0].n > 0);
  });
});
