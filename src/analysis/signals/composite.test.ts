import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bollinger } from './bollinger.ts';
import { composite, createComposite } from './composite.ts';
import { rsiReversal } from './rsi-reversal.ts';
import { candlesFromCloses, checkInvariants, fakeStrategy, ramp } from './testing/candles.ts';
import { must } from '../../../test/helpers/must.ts';

const flat = candlesFromCloses(Array.from({ length: 100 }, (_, i) => 100 + (i % 2 ? 0.5 : -0.5)));

describe('composite', () => {
  test('votes within the window: one buy = buy, two = strong_buy, a buy and a sell = hold', () => {
    const a = fakeStrategy('a', [
      { index: 40, type: 'buy', strength: 0.6, confidence: 0.8 },
      { index: 60, type: 'buy', strength: 0.5, confidence: 0.5 },
    ]);
    const b = fakeStrategy('b', [
      { index: 41, type: 'buy', strength: 0.3, confidence: 0.6 },
      { index: 60, type: 'sell', strength: 0.9, confidence: 0.9 },
    ]);
    const c = fakeStrategy('c', []);
    const vote = createComposite('vote', [a, b, c]);
    const out = checkInvariants(vote.generate(flat), flat);
    assert.deepEqual(
      out.map((x) => [x.index, x.signalType]),
      [
        [40, 'buy'],
        [41, 'strong_buy'],
        [60, 'hold'],
      ],
    );
    const [buy, strong, hold] = out;
    // strength: winning strengths over the number of members; confidence: winning share x their mean confidence.
    assert.ok(Math.abs(buy.strength - 0.6 / 3) < 1e-12);
    assert.ok(Math.abs(buy.confidence - 0.8) < 1e-12);
    assert.ok(Math.abs(strong.strength - (0.6 + 0.3) / 3) < 1e-12);
    assert.ok(Math.abs(strong.confidence - (0.8 + 0.6) / 2) < 1e-12);
    assert.equal(hold.strength, 0);
    assert.equal(hold.confidence, 1); // the votes cancel exactly
    assert.equal(hold.stopLoss, null);
    assert.equal(hold.targetPrice, null);
    assert.ok(must(buy.stopLoss) < buy.price && must(buy.targetPrice) > buy.price);
    assert.equal(
      strong.rationale.startsWith(
        '2 buy and 0 sell votes within 3 bars (net +2 → strong_buy): a buy (bar 40), b buy (bar 41); quiet: c; ATR(14) ',
      ),
      true,
    );
    assert.deepEqual(
      [
        strong.indicatorsUsed.votes_buy,
        strong.indicatorsUsed.votes_sell,
        strong.indicatorsUsed['a.signal'],
        strong.indicatorsUsed['b.index'],
      ],
      [2, 0, 'buy', 41],
    );
  });

  test('majority and strong sells; votes older than the window drop out', () => {
    const a = fakeStrategy('a', [
      { index: 30, type: 'sell', confidence: 0.4 },
      { index: 50, type: 'buy' },
    ]);
    const b = fakeStrategy('b', [{ index: 31, type: 'sell', confidence: 0.6 }]);
    const c = fakeStrategy('c', [
      { index: 31, type: 'buy' },
      { index: 54, type: 'buy' },
    ]);
    const out = createComposite('vote', [a, b, c]).generate(flat);
    const at = (i: number) => must(out.find((x) => x.index === i));
    assert.equal(at(30).signalType, 'sell');
    assert.equal(at(31).signalType, 'sell'); // two sells, one buy: net -1
    assert.ok(Math.abs(at(31).confidence - (2 / 3) * ((0.4 + 0.6) / 2)) < 1e-12);
    assert.equal(at(50).signalType, 'buy');
    assert.equal(at(54).signalType, 'buy'); // a's buy at 50 is outside the 3-bar window [52, 54]
    assert.equal(at(54).indicatorsUsed.votes_buy, 1);
    const wide = createComposite('vote', [a, b, c]).generate(flat, { window: 5 });
    assert.equal(must(wide.find((x) => x.index === 54)).signalType, 'strong_buy');
    const strictStrong = createComposite('vote', [a, b, c]).generate(flat, { strongVotes: 3 });
    assert.equal(must(strictStrong.find((x) => x.index === 31)).signalType, 'sell');
  });

  test('on a sharp dip, RSI and Bollinger buys within the window make a strong_buy', () => {
    const wiggle = Array.from({ length: 60 }, (_, i) => 100 + (i % 2 ? 0.5 : -0.5) + i * 0.02);
    const down = ramp(wiggle[59], -2, 8);
    const s = candlesFromCloses([...wiggle, ...down, ...ramp(down[7], 1.5, 15)]);
    const [r] = rsiReversal.generate(s);
    const [b] = bollinger.generate(s);
    assert.ok(r && b && r.signalType === 'buy' && b.signalType === 'buy');
    assert.ok(Math.abs(r.index - b.index) < 3);
    const out = checkInvariants(composite.generate(s), s);
    const at = must(out.find((x) => x.index === Math.max(r.index, b.index)));
    assert.equal(at.signalType, 'strong_buy');
    assert.match(at.rationale, /rsi-reversal buy/);
    assert.match(at.rationale, /bollinger buy/);
  });

  test('fromIndex limits the output but keeps earlier votes inside the window', () => {
    const a = fakeStrategy('a', [{ index: 40, type: 'buy' }]);
    const b = fakeStrategy('b', [{ index: 41, type: 'buy' }]);
    const out = createComposite('vote', [a, b]).generate(flat, undefined, { fromIndex: 41 });
    assert.deepEqual(
      out.map((x) => [x.index, x.signalType]),
      [[41, 'strong_buy']],
    );
  });
});
