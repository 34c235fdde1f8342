/** The Telegram text of each event: what fired, symbol, price, link; HTML escaped; within the Bot API's 4096 characters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTelegram } from './telegram-text.ts';

test('a signal: side, strategy, levels, rationale escaped, chart link', () => {
  const text = renderTelegram(
    {
      type: 'signal',
      timestamp: '2026-12-01T17:05:00Z',
      data: {
        symbol: 'AAPL',
        exchange: 'NASDAQ',
        strategy: 'rsi-reversal',
        timeframe: '1d',
        ts: '2026-12-01T00:00:00+00:00',
        signal_type: 'strong_sell',
        strength: 0.72,
        confidence: 0.61,
        price: 201.35,
        target_price: 190,
        stop_loss: null,
        rationale: 'RSI < 30 & falling',
      },
    },
    'https://tm.example.com',
  );
  assert.equal(
    text,
    [
      '📉 <b>AAPL</b>: <b>STRONG SELL</b> signal (rsi-reversal, 1d)',
      'Price <b>201.35</b> · target 190',
      'Strength 0.72 · confidence 0.61',
      'Bar of 2026-12-01 00:00 UTC',
      '<i>RSI &lt; 30 &amp; falling</i>',
      '<a href="https://tm.example.com/chart/AAPL%3ANASDAQ">Open the AAPL chart</a>',
    ].join('\n'),
  );
});

test('other events: their subject and plain fields; an overlong text is cut at a line', () => {
  const text = renderTelegram({
    type: 'sync_failed',
    timestamp: '2026-12-01T17:10:02Z',
    data: {
      source_id: '3',
      asset: 'BTCUSDT:BINANCE',
      interval: '1m',
      provider: 'binance',
      error: '<503>',
      failures: 3,
    },
  });
  assert.equal(text.split('\n')[0], '⚠️ <b>Market data sync failing: BTCUSDT:BINANCE 1m from binance: &lt;503&gt;</b>');
  assert.ok(text.includes('failures: 3'));
  assert.ok(!text.includes('source id'), 'ids are left out');
  const long = renderTelegram({ type: 'job_failed', timestamp: 'x', data: { error: 'e', note: 'y'.repeat(5000) } });
  assert.ok(long.length <= 4096, `${long.length} characters`);
  assert.ok(long.endsWith('\n…'));
});
