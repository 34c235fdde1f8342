/** Stored indicators and signals on both backends: incremental equals full, reruns write nothing, changes recompute. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';
import type { Database, Queryable } from '../../src/db/types.ts';
import { generateSeries, type OhlcvSeries } from '../../src/analysis/indicators/testing/series.ts';
import { computeIndicators, indicatorSpecs } from '../../src/analysis/compute-indicators.ts';
import { generateSignals, strategySpecs } from '../../src/analysis/generate-signals.ts';
import { getIndicator } from '../../src/analysis/indicators/registry.ts';
import { expireSignals, listSignals } from '../../src/analysis/signals-repository.ts';

import { getStrategy } from '../../src/analysis/signals/registry.ts';
import { readCandleColumns, recordCandleWrites } from '../../src/market/candles-repository.ts';

const DAY = 86_400_000;

async function stored(
  q: Queryable,
  assetId: string,
  name: string,
): Promise<{ ts: Date; value: number; value2: number | null; value3: number | null }[]> {
  const r = await q.query<{ ts: Date; value: number; value2: number | null; value3: number | null }>(
    "SELECT ts, value, value2, value3 FROM indicators WHERE asset_id = $1 AND name = $2 AND timeframe = '1d' ORDER BY ts",
    [assetId, name],
  );
  return r.rows;
}

function close(a: number | null, b: number, label: string): void {
  assert.ok(a !== null, `${label}: stored null, expected ${b}`);
  const rel = Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  assert.ok(rel < 1e-9 || Math.abs(a - b) < 1e-12, `${label}: ${a} vs ${b} (relative ${rel})`);
}

/** Compares stored rows with a full-history computation of the same series. */
function assertMatchesFull(
  rows: Awaited<ReturnType<typeof stored>>,
  s: OhlcvSeries,
  type: Parameters<typeof getIndicator>[0],
  params: Record<string, number>,
): void {
  const d = getIndicator(type);
  const outs = d.compute(s, params as never);
  const expected: number[] = [];
  for (let i = 0; i < s.ts.length; i++) if (outs.every((o) => !Number.isNaN(o[i]))) expected.push(i);
  assert.equal(
    rows.length,
    expected.length,
    `${type}: stored ${rows.length} rows, full computation has ${expected.length}`,
  );
  rows.forEach((r, k) => {
    const i = expected[k];
    assert.equal(r.ts.getTime(), s.ts[i]);
    close(r.value, outs[0][i], `${type}[${i}].value`);
    if (outs[1]) close(r.value2, outs[1][i], `${type}[${i}].value2`);
    if (outs[2]) close(r.value3, outs[2][i], `${type}[${i}].value3`);
  });
}

forEachBackend('stored indicators and signals', (open) => {
  let db: Database;
  let assetId: string;
  const series = generateSeries(700, { seed: 7, stepMs: DAY, startTs: Date.UTC(2022, 0, 3), volatility: 0.02 });
  const specs = indicatorSpecs(['sma', 'ema', 'rsi', 'macd', 'bbands', 'atr', 'obv', 'stoch', 'adx', 'cci']);

  before(async () => {
    db = await open();
    const a = await db.query<{ id: string }>(
      "INSERT INTO assets (symbol, name, asset_type) VALUES ('IND', 'Indicators Inc', 'stock') RETURNING id",
    );
    assetId = a.rows[0].id;
    await insertSeries(db, assetId, series, { to: 600 });
  });
  after(() => db.close());

  test('names and parameters follow the registry; bad ones are named', () => {
    assert.deepEqual(
      specs.map((s) => s.name),
      [
        'sma_20',
        'ema_20',
        'rsi_14',
        'macd_12_26_9',
        'bbands_20_2',
        'atr_14',
        'obv',
        'stoch_14_3_3',
        'adx_14',
        'cci_20',
      ],
    );
    assert.deepEqual(
      indicatorSpecs(['rsi'], { period: 21 }).map((s) => s.name),
      ['rsi_21'],
    );
    assert.deepEqual(
      indicatorSpecs(['rsi', 'macd'], { macd: { fast: 5, slow: 35, signal: 5 } }).map((s) => s.name),
      ['rsi_14', 'macd_5_35_5'],
    );
    assert.throws(() => indicatorSpecs(['rsi'], { period: 0 }), /period/);
    assert.throws(() => indicatorSpecs(['vwma']), /unknown indicator type "vwma"/);
  });

  test('a first computation stores exactly the full-history values', async () => {
    const res = await computeIndicators(db, [assetId], '1d', specs);
    assert.ok(res.every((r) => r.written > 0 && !r.recomputed));
    const partial = {
      ...series,
      ts: series.ts.subarray(0, 600),
      open: series.open.subarray(0, 600),
      high: series.high.subarray(0, 600),
      low: series.low.subarray(0, 600),
      close: series.close.subarray(0, 600),
      volume: series.volume.subarray(0, 600),
    };
    for (const s of specs) assertMatchesFull(await stored(db, assetId, s.name), partial, s.type, s.params);
  });

  test('new candles: only they are computed, from the warm-up history, and match a full computation', async () => {
    await insertSeries(db, assetId, series, { from: 600 });
    const res = await computeIndicators(db, [assetId], '1d', specs);
    for (const r of res) {
      assert.equal(r.written, 100, `${r.name} wrote ${r.written}`);
      assert.equal(r.from?.getTime(), series.ts[600]);
    }
    for (const s of specs) assertMatchesFull(await stored(db, assetId, s.name), series, s.type, s.params);
  });

  test('a rerun writes nothing', async () => {
    const res = await computeIndicators(db, [assetId], '1d', specs);
    assert.deepEqual(
      res.map((r) => r.written),
      specs.map(() => 0),
    );
  });

  test('a changed candle recomputes from that point', async () => {
    const i = 650;
    const changed = { ...series, close: Float64Array.from(series.close), high: Float64Array.from(series.high) };
    changed.close[i] = series.close[i] * 1.1;
    changed.high[i] = Math.max(changed.high[i], changed.close[i]);
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE candles SET close = $3, high = $4 WHERE asset_id = $1 AND ts = $2 AND "interval" = '1d'`, [
        assetId,
        new Date(series.ts[i]),
        changed.close[i],
        changed.high[i],
      ]);
      await recordCandleWrites(tx, [
        {
          asset_id: assetId,
          interval: '1d',
          from_ts: new Date(series.ts[i]),
          to_ts: new Date(series.ts[i]),
          rows: 1,
          inserted: 0,
        },
      ]);
    });
    const res = await computeIndicators(db, [assetId], '1d', specs);
    for (const r of res) {
      assert.equal(r.recomputed, true, r.name);
      assert.equal(r.from?.getTime(), series.ts[i]);
    }
    for (const s of specs) assertMatchesFull(await stored(db, assetId, s.name), changed, s.type, s.params);
    const again = await computeIndicators(db, [assetId], '1d', specs);
    assert.ok(again.every((r) => r.written === 0 && !r.recomputed));
  });

  test('signals: every strategy stores its candidates once, newest active, with rationale and expiry', async () => {
    const all = strategySpecs(undefined);
    const res = await generateSignals(db, [assetId], '1d', all);
    const total = res.reduce((n, r) => n + r.inserted, 0);
    assert.ok(total > 0, 'a 700-bar random walk gives signals');
    for (const r of res) assert.equal(r.inserted, r.candidates, r.strategy);
    // Exactly what the pure strategy produces on the whole stored series (changed candle included).
    const now = await readCandleColumns(db, { assetId, interval: '1d', from: null, warmup: 0 });
    assert.equal(now.ts.length, 700);
    for (const s of all) {
      const expected = s.strategy.generate(now, s.params).length;
      const n = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM signals WHERE asset_id = $1 AND strategy = $2',
        [assetId, s.strategy.name],
      );
      assert.equal(n.rows[0].n, expected, s.strategy.name);
    }
    const rsiRows = await listSignals(db, {
      assetId,
      strategy: getStrategy('rsi-reversal').name,
      limit: 1000,
      offset: 0,
    });
    assert.ok(rsiRows.items.length > 0);
    for (const s of rsiRows.items) {
      assert.match(s.rationale, /RSI\(14\)/);
      assert.match(s.rationale, /\d+\.\d/);
      assert.ok(s.strength >= 0 && s.strength <= 1 && s.confidence >= 0 && s.confidence <= 1);
      assert.equal(s.expires_at!.getTime() - s.ts.getTime(), 5 * DAY);
      assert.ok(s.stop_loss !== null && s.target_price !== null);
    }
    // Historical signals are long expired: none is active.
    const active = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM signals WHERE is_active');
    assert.equal(active.rows[0].n, 0);
    const rerun = await generateSignals(db, [assetId], '1d', all);
    assert.ok(rerun.every((r) => r.inserted === 0));
  });

  test('a newer signal deactivates the older one; expiry deactivates by time', async () => {
    await db.exec("UPDATE signals SET is_active = true, expires_at = now() + interval '1 day'");
    const a = await db.query<{ id: string }>("SELECT id FROM assets WHERE symbol = 'IND'");
    const { deactivateSuperseded } = await import('../../src/analysis/signals-repository.ts');
    await deactivateSuperseded(db, a.rows[0].id, 'rsi-reversal', '1d');
    const per = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM signals WHERE is_active AND strategy = 'rsi-reversal'",
    );
    assert.equal(per.rows[0].n, 1);
    const expired = await expireSignals(db, new Date(Date.now() + 2 * DAY));
    assert.ok(expired > 0);
    const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM signals WHERE is_active');
    assert.equal(left.rows[0].n, 0);
  });
});
