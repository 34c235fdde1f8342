/**
 * The built-in strategies written as rules (builtin-rules.ts) give the native strategies' signals on the
 * demo data, on both backends: the same bars, directions, prices, stops and targets, from the pure
 * generators and end to end through `tm signals generate` (built-in vs a user's strategy saved from the rules).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { createUser, type User } from '../../src/accounts/users.ts';
import { generateStoredSignals, generateUserSignals } from '../../src/analysis/service.ts';
import { BUILTIN_RULES, builtinRules } from '../../src/analysis/signals/builtin-rules.ts';
import { getStrategy } from '../../src/analysis/signals/registry.ts';
import { generateRuleSignals } from '../../src/analysis/signals/rules.ts';
import type { SignalCandidate } from '../../src/analysis/signals/types.ts';
import { saveStrategy } from '../../src/analysis/strategies-repository.ts';
import { parseRule } from '../../src/analysis/strategy/index.ts';
import type { Database } from '../../src/db/types.ts';
import { readCandleColumns } from '../../src/market/candles-repository.ts';
import { demoAssets, seedDemo } from '../../src/market/demo.ts';

const ASSETS = 11;

const key = (c: SignalCandidate) => `${c.index} ${c.signalType}`;

forEachBackend('built-in strategies as rules', (open) => {
  let db: Database;
  let alice: User;
  const assets = demoAssets(ASSETS);
  before(async () => {
    db = await open();
    await seedDemo(db, { assets: ASSETS, days: 800, interval: '1d', seed: 42, end: new Date(Date.UTC(2026, 10, 1)) });
    alice = await createUser(db, { username: 'alice_rules', email: 'ar@example.com', password: 'correct horse' });
  });
  after(() => db.close());

  test('each rule version gives the native signals on every demo asset', async () => {
    for (const b of BUILTIN_RULES) {
      let total = 0;
      for (const a of assets) {
        const asset = await db.query<{ id: string }>('SELECT id FROM assets WHERE symbol = $1', [a.symbol]);
        const cols = await readCandleColumns(db, { assetId: asset.rows[0].id, interval: '1d', from: null, warmup: 0 });
        assert.ok(cols.ts.length >= 500);
        const native = getStrategy(b.name).generate(cols);
        const rules = generateRuleSignals(
          cols,
          {
            name: b.name,
            entry: { text: b.entry, node: parseRule(b.entry) },
            exit: { text: b.exit, node: parseRule(b.exit) },
            params: b.params,
          },
          { interval: '1d' },
        );
        assert.deepEqual(rules.map(key), native.map(key), `${b.name} on ${a.symbol}`);
        rules.forEach((r, k) => {
          assert.equal(r.price, native[k].price);
          assert.equal(r.stopLoss, native[k].stopLoss);
          assert.equal(r.targetPrice, native[k].targetPrice);
        });
        total += native.length;
      }
      assert.ok(total > 20, `${b.name} fires on the demo data (${total})`);
    }
  });

  test('composite has no rule version, and says why', () => {
    assert.throws(() => builtinRules('composite'), /votes count other strategies' signals over a window/);
  });

  test('stored end to end: a user strategy saved from the rules stores the built-in signals', async () => {
    const choice = { symbols: assets.map((a) => a.symbol) };
    for (const b of BUILTIN_RULES) {
      await saveStrategy(db, { userId: alice.id, name: b.name, entry: b.entry, exit: b.exit, params: b.params });
      await generateStoredSignals(db, choice, '1d', [b.name]);
    }
    await generateUserSignals(db, choice, '1d', alice, undefined);
    for (const b of BUILTIN_RULES) {
      const rows = async (strategy: string) =>
        (
          await db.query<{ k: string }>(
            `SELECT asset_id || ' ' || extract(epoch FROM ts) || ' ' || signal_type || ' ' || stop_loss AS k
             FROM signals WHERE strategy = $1 ORDER BY asset_id, ts`,
            [strategy],
          )
        ).rows.map((r) => r.k);
      const native = await rows(b.name);
      assert.ok(native.length > 20);
      assert.deepEqual(await rows(`alice_rules/${b.name}`), native, b.name);
    }
  });
});
