/**
 * Paper accounts advance inside `tm serve` as bars arrive (src/paper/worker.ts), on both backends: bars
 * written while the worker runs are processed without anyone calling `tm paper run`, and the account
 * ends equal to a twin advanced by runPaper (what `tm paper run` calls); two workers at once (no lease)
 * add nothing twice. Fills are paper_fill notifications, written with the fills, sent signed to a local
 * webhook receiver, to the owner's channels only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSeries } from '../../src/analysis/indicators/testing/series.ts';
import { saveStrategy } from '../../src/analysis/strategies-repository.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { Database, Queryable } from '../../src/db/types.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { subjectOf } from '../../src/notify/render.ts';
import { notifySettings } from '../../src/notify/settings.ts';
import { generateSecret } from '../../src/notify/signing.ts';
import { deliverDue, type WorkerStats } from '../../src/notify/worker.ts';
import { paperReport, paperStatus, runPaper, startPaper } from '../../src/paper/paper.ts';
import { advanceDue, startPaperWorker } from '../../src/paper/worker.ts';
import { str } from '../../src/portfolio/decimal.ts';
import { listTransactions } from '../../src/portfolio/transactions.ts';
import type { Portfolio } from '../../src/portfolio/portfolios.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { insertSeries } from '../helpers/candles.ts';
import { startWebhookReceiver } from '../helpers/receivers.ts';
import { until } from '../helpers/wait.ts';

const DAY = 86_400_000;
const series = generateSeries(500, { seed: 7, stepMs: DAY, startTs: Date.UTC(2021, 0, 4), volatility: 0.02 });
const SETTINGS = { cash: 10000, commission: 0.001, slippage: 0.0005, trailingStop: 0.08 };

forEachBackend('paper accounts advance as bars arrive', (open) => {
  let db: Database;
  let userId: string;
  let otherId: string;
  let assetId: string;
  before(async () => {
    db = await open();
    userId = (await createUser(db, { username: 'paperann', email: 'pw@example.com', password: 'correct horse' })).id;
    otherId = (await createUser(db, { username: 'paperbob', email: 'pw2@example.com', password: 'correct horse' })).id;
    assetId = (
      await db.query<{ id: string }>(
        "INSERT INTO assets (symbol, name, asset_type) VALUES ('PWK', 'worker test', 'stock') RETURNING id",
      )
    ).rows[0].id;
    await insertSeries(db, assetId, series, { interval: '1d', to: 200 });
    await saveStrategy(db, {
      userId,
      name: 'cross',
      entry: 'crosses_above(sma(close, $fast), sma(close, $slow))',
      exit: 'crosses_below(sma(close, $fast), sma(close, $slow))',
      params: { fast: 5, slow: 20 },
    });
  });
  after(() => db.close());

  const start = (name: string) =>
    startPaper(db, {
      userId,
      name,
      strategy: 'cross',
      symbol: 'PWK',
      interval: '1d',
      from: new Date(series.ts[5]),
      settings: SETTINGS,
    });
  const txs = async (q: Queryable, p: Portfolio) =>
    (await listTransactions(q, p.id)).map((t) => ({
      ...t,
      id: undefined,
      portfolio_id: undefined,
      created_at: undefined,
    }));

  test('the worker processes bars written while it runs, equal to tm paper run', async () => {
    const secret = generateSecret();
    const rx = await startWebhookReceiver(secret);
    const opts = { allowPrivate: true, isAdmin: false };
    await createChannel(db, userId, { kind: 'webhook', target: rx.url, secret, events: ['paper_fill'] }, opts);
    await createChannel(db, userId, { kind: 'webhook', target: `${rx.url}/signals`, secret, events: ['signal'] }, opts);
    await createChannel(
      db,
      otherId,
      { kind: 'webhook', target: `${rx.url}/other`, secret, events: ['paper_fill'] },
      opts,
    );
    const logs: string[] = [];
    const worker = startPaperWorker(db, { log: (l) => logs.push(l), everyMs: 50 });
    const worker2 = startPaperWorker(db, { log: (l) => logs.push(l), everyMs: 50 }); // no lease: still no duplicates
    try {
      const auto = await start('auto');
      const twin = await start('twin');
      const bar = (i: number) => new Date(series.ts[i]).toISOString();
      await until(
        'the worker processes the stored bars',
        async () => (await paperStatus(db, auto)).last_bar === bar(199),
      );
      // New closed bars arrive, in two writes.
      await insertSeries(db, assetId, series, { interval: '1d', from: 200, to: 350 });
      await insertSeries(db, assetId, series, { interval: '1d', from: 350 });
      await until('the worker processes the new bars', async () => (await paperStatus(db, auto)).last_bar === bar(499));
      await worker.round();
      await worker2.round();

      // The twin is advanced the way tm paper run does it, once over everything.
      const r = await runPaper(db, twin);
      assert.equal(r.last_bar, bar(499));
      const a = await paperReport(db, auto);
      const b = await paperReport(db, twin);
      assert.ok((b.report?.trades.length ?? 0) >= 3, 'the scenario needs trades');
      assert.deepEqual(a.report?.trades, b.report?.trades);
      assert.equal(a.report?.final_equity, b.report?.final_equity);
      const autoTxs = await txs(db, auto);
      assert.deepEqual(autoTxs, await txs(db, twin), 'the same fills, each once');
      assert.deepEqual(await runPaper(db, auto), { bars: 0, fills: 0, last_bar: bar(499) });
      assert.deepEqual(
        logs.filter((l) => l.includes('could not') || l.includes('failed')),
        [],
      );

      // paper_fill: one delivery per fill of each account, to the owner's paper_fill channel only.
      const fills = autoTxs.length - 1; // less the starting deposit
      const d = await db.query<{ event_id: string; payload: { data: Record<string, unknown> } }>(
        "SELECT event_id, payload FROM notification_deliveries WHERE event_type = 'paper_fill' ORDER BY event_id",
      );
      assert.equal(d.rows.length, 2 * fills);
      assert.equal(new Set(d.rows.map((x) => x.event_id)).size, 2 * fills);
      const first = d.rows.find((x) => x.payload.data.account === 'auto' && x.payload.data.side === 'buy');
      assert.ok(first);
      const buy = autoTxs.find((t) => t.type === 'buy' && t.ts.toISOString() === first.payload.data.time);
      assert.ok(buy, 'the event names a fill of the portfolio');
      assert.deepEqual(
        [first.payload.data.quantity, first.payload.data.price, first.payload.data.fee, first.payload.data.symbol],
        [str(buy.quantity), str(buy.price), str(buy.fee), 'PWK'],
      );
      const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
      const s = { ...notifySettings({}), allowPrivate: true };
      await until('the fills are delivered', async () => {
        await deliverDue(db, s, stats, () => undefined);
        return rx.received.length >= 2 * fills;
      });
      assert.equal(rx.received.length, 2 * fills);
      assert.ok(rx.received.every((x) => x.verified && (x.body as { type: string }).type === 'paper_fill'));
      const sample = rx.received[0].body as { type: string; timestamp: string; data: Record<string, unknown> };
      assert.match(subjectOf(sample), /^Paper (auto|twin): (buy|sell) [\d.]+ PWK at [\d.]+ \(cross\)$/);
    } finally {
      await worker.stop();
      await worker2.stop();
      await rx.close();
    }
  });

  test('an open bar waits for its close; a round with nothing new runs nothing', async () => {
    const p = await start('clocked');
    const last = series.ts[series.ts.length - 1];
    // The clock sits inside the last stored bar: that bar is not closed yet.
    const r1 = await advanceDue(db, new Date(last + DAY / 2));
    assert.equal(r1.accounts, 1);
    assert.equal((await paperStatus(db, p)).last_bar, new Date(series.ts[series.ts.length - 2]).toISOString());
    const idle = new Map<string, string>();
    assert.deepEqual(await advanceDue(db, new Date(last + DAY / 2), idle), { accounts: 0, bars: 0, fills: 0 });
    assert.equal(idle.size, 1, 'remembered as idle until the bar closes');
    const r2 = await advanceDue(db, new Date(last + DAY), idle);
    assert.deepEqual([r2.accounts, r2.bars], [1, 1]);
    assert.equal((await paperStatus(db, p)).last_bar, new Date(last).toISOString());
  });
});
