/**
 * Condition alerts on both backends: a rule fires once, on the bar where it turns true, only on closed bars,
 * from imports (the ingest hook) and on demand, and its firing reaches a webhook through the outbox.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { startWebhookReceiver } from '../helpers/receivers.ts';
import { untilTrue } from '../helpers/wait.ts';
import { createUser, type User } from '../../src/accounts/users.ts';
import { addConditionAlert, evaluateConditionAlerts } from '../../src/alerts/condition-alerts.ts';
import { listAlertEvents, listConditionAlerts } from '../../src/alerts/condition-alerts-repository.ts';
import { startConditionAlerts } from '../../src/alerts/scheduler.ts';
import { rsi } from '../../src/analysis/indicators/index.ts';
import type { Database } from '../../src/db/types.ts';
import { ingestCandles } from '../../src/ingest/ingest.ts';
import { importCandles } from '../../src/market/import/importer.ts';
import type { RawCandle } from '../../src/market/import/validate.ts';
import { createChannel } from '../../src/notify/channels.ts';
import { notifySettings } from '../../src/notify/settings.ts';
import { generateSecret } from '../../src/notify/signing.ts';
import { deliverDue, type WorkerStats } from '../../src/notify/worker.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6);
/** 40 hourly closes rising, then 40 falling: RSI(14) is high, then turns below 30 once and stays there. */
const closes = Array.from({ length: 80 }, (_, i) => (i < 40 ? 100 + i : 139 - 1.5 * (i - 39)));
const RULE = 'rsi(close, 14) < 30';

function candles(from: number, to: number, symbol: string): AsyncIterable<RawCandle> {
  return (async function* () {
    for (let i = from; i < to; i++) {
      const c = closes[i];
      const o = i === 0 ? c : closes[i - 1];
      yield {
        line: i + 1,
        symbol,
        ts: new Date(T0 + i * HOUR).toISOString(),
        open: o,
        high: Math.max(o, c) + 0.5,
        low: Math.min(o, c) - 0.5,
        close: c,
        volume: 10,
      };
    }
  })();
}

/** The bars after `baseline` where the rule turns true, from the indicator itself. */
function expectedFirings(baseline: number): number[] {
  const r = rsi(Float64Array.from(closes), 14);
  const truth = (i: number) => r[i] < 30;
  const out: number[] = [];
  for (let i = baseline + 1; i < closes.length; i++) if (truth(i) && !truth(i - 1)) out.push(i);
  return out;
}

forEachBackend('condition alerts', (open) => {
  let db: Database;
  let alice: User;
  before(async () => {
    db = await open();
    alice = await createUser(db, { username: 'alice_cond', email: 'ac@example.com', password: 'correct horse' });
    await ingestCandles(db, candles(0, 20, 'CONDA'), { interval: '1h', createAssetType: 'stock' });
  });
  after(() => db.close());

  test('a condition that does not parse names the column; parameters and bad arguments are refused', async () => {
    const add = (rule: string) => addConditionAlert(db, { userId: alice.id, symbol: 'CONDA', interval: '1h', rule });
    await assert.rejects(add('rsi(close, ) < 30'), /condition: expected a number at column 11/);
    await assert.rejects(add('close > $level'), /\$level at column 9/);
    await assert.rejects(add('sma(close, 1) > 3'), /period must be an integer .* at column 1/);
    await assert.rejects(add('close + 1'), /expected a condition/);
    assert.equal((await listConditionAlerts(db, alice.id)).length, 0, 'nothing half-written');
  });

  test('fires once, on the crossing bar, as bars arrive through imports; reaches the webhook', async () => {
    const rx = await startWebhookReceiver(generateSecret());
    try {
      await createChannel(
        db,
        alice.id,
        { kind: 'webhook', target: rx.url, secret: rx.secret },
        { allowPrivate: true, isAdmin: false },
      );
      const rule = await addConditionAlert(db, { userId: alice.id, symbol: 'CONDA', interval: '1h', rule: RULE });
      assert.equal(rule.last_ts?.getTime(), T0 + 19 * HOUR, 'history up to the newest closed bar never fires');
      const want = expectedFirings(19);
      assert.equal(want.length, 1, 'the series turns the rule true once');
      let fired = 0;
      for (let i = 20; i < 80; i += 7) {
        const s = await ingestCandles(db, candles(i, Math.min(80, i + 7), 'CONDA'), { interval: '1h' });
        fired += s.condition_alerts_fired;
      }
      assert.equal(fired, 1);
      assert.deepEqual(await evaluateConditionAlerts(db), [], 'evaluating again fires nothing');
      const history = await listAlertEvents(db, alice.id, { limit: 10, offset: 0 });
      assert.equal(history.total, 1);
      const ev = history.items[0];
      assert.equal(ev.candle_ts.getTime(), T0 + want[0] * HOUR);
      assert.equal(ev.price, closes[want[0]]);
      assert.equal(ev.alert_id, rule.id);
      const r = rsi(Float64Array.from(closes), 14);
      assert.ok(Math.abs((ev.values['rsi(close, 14)'] as number) - r[want[0]]) < 1e-9);

      const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
      await deliverDue(db, { ...notifySettings({}), allowPrivate: true }, stats, () => {});
      await untilTrue('the webhook receives the alert', () => rx.received.length >= 1);
      assert.equal(rx.received.length, 1);
      const got = rx.received[0];
      assert.ok(got.verified, 'signed with the channel secret');
      const body = got.body as { type: string; data: Record<string, unknown> };
      assert.equal(body.type, 'condition_alert');
      assert.equal(body.data.symbol, 'CONDA');
      assert.equal(body.data.rule, RULE);
      assert.equal(new Date(body.data.candle_ts as string).getTime(), T0 + want[0] * HOUR);
    } finally {
      await rx.close();
    }
  });

  test('a still-forming bar is never read: it counts once its interval has ended', async () => {
    await ingestCandles(db, candles(0, 3, 'CONDB'), { interval: '1h', createAssetType: 'stock' });
    const now = new Date(T0 + 3 * HOUR + 10 * 60_000); // 03:10: bar 02:00 closed, bar 03:00 forming
    const rule = await addConditionAlert(db, {
      userId: alice.id,
      symbol: 'CONDB',
      interval: '1h',
      rule: 'close > 1000',
      now,
    });
    assert.equal(rule.last_ts?.getTime(), T0 + 2 * HOUR);
    async function* spike(): AsyncIterable<RawCandle> {
      yield {
        line: 1,
        symbol: 'CONDB',
        ts: new Date(T0 + 3 * HOUR).toISOString(),
        open: 103,
        high: 2001,
        low: 102,
        close: 2000,
        volume: 1,
      };
    }
    // The import alone (the ingest hook would evaluate with today's clock): evaluated below with the injected one.
    await importCandles(db, spike(), { interval: '1h' });
    assert.deepEqual(await evaluateConditionAlerts(db, { now }), [], 'bar 03:00 is still forming at 03:10');
    const later = await evaluateConditionAlerts(db, { now: new Date(T0 + 4 * HOUR) });
    assert.equal(later.length, 1);
    assert.equal(later[0].candle_ts.getTime(), T0 + 3 * HOUR);
    assert.deepEqual(await evaluateConditionAlerts(db, { now: new Date(T0 + 5 * HOUR) }), []);
  });

  test("tm serve's round evaluates rules on bars that closed with nothing written after them", async () => {
    await ingestCandles(db, candles(0, 2, 'CONDC'), { interval: '1h', createAssetType: 'stock' });
    const at = new Date(T0 + 2 * HOUR + 60_000); // bar 02:00 is forming
    const rule = await addConditionAlert(db, {
      userId: alice.id,
      symbol: 'CONDC',
      interval: '1h',
      rule: 'close > 1000',
      now: at,
    });
    async function* spike(): AsyncIterable<RawCandle> {
      yield {
        line: 1,
        symbol: 'CONDC',
        ts: new Date(T0 + 2 * HOUR).toISOString(),
        open: 101,
        high: 2001,
        low: 100,
        close: 2000,
        volume: 1,
      };
    }
    await importCandles(db, spike(), { interval: '1h' });
    const logs: string[] = [];
    // Its clock says the bar has closed; no candle is written after it.
    const round = startConditionAlerts(db, {
      log: (l) => logs.push(l),
      everyMs: 3_600_000,
      now: () => new Date(T0 + 3 * HOUR),
    });
    try {
      await untilTrue('the round fires the rule', async () => {
        const h = await listAlertEvents(db, alice.id, { limit: 10, offset: 0 }, { alertId: rule.id });
        return h.total === 1;
      });
    } finally {
      await round.stop();
    }
    assert.ok(
      logs.some((l) => /1 condition alert\(s\) fired/.test(l)),
      logs.join('\n'),
    );
  });

  test('rules of one asset added at different bars share a read and each fires on its own turn', async () => {
    await ingestCandles(db, candles(0, 20, 'CONDD'), { interval: '1h', createAssetType: 'stock' });
    const a = await addConditionAlert(db, { userId: alice.id, symbol: 'CONDD', interval: '1h', rule: RULE });
    await importCandles(db, candles(20, 40, 'CONDD'), { interval: '1h' });
    assert.deepEqual(await evaluateConditionAlerts(db), []);
    const bRule = `${RULE} and close < 120`;
    const b = await addConditionAlert(db, { userId: alice.id, symbol: 'CONDD', interval: '1h', rule: bRule });
    assert.equal(b.last_ts?.getTime(), T0 + 39 * HOUR);
    await importCandles(db, candles(40, 80, 'CONDD'), { interval: '1h' });
    const fired = await evaluateConditionAlerts(db);
    const r = rsi(Float64Array.from(closes), 14);
    const edges = (truth: (i: number) => boolean, after: number) => {
      const out: number[] = [];
      for (let i = after + 1; i < closes.length; i++) if (truth(i) && !truth(i - 1)) out.push(T0 + i * HOUR);
      return out;
    };
    const of = (id: string) => fired.filter((e) => e.alert_id === id).map((e) => e.candle_ts.getTime());
    assert.deepEqual(
      of(a.id),
      edges((i) => r[i] < 30, 19),
    );
    assert.deepEqual(
      of(b.id),
      edges((i) => r[i] < 30 && closes[i] < 120, 39),
    );
    assert.equal(of(a.id).length, 1);
    assert.equal(of(b.id).length, 1);
  });
});
