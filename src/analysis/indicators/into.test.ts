// The ...Into variants (outputs in arrays the caller passes) and the NaN/infinity check folded into every
// kernel: the same values as the allocating functions, every entry written, the same errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adx,
  adxInto,
  atr,
  atrInto,
  bbands,
  bbandsInto,
  cci,
  cciInto,
  ema,
  emaInto,
  macd,
  macdInto,
  obv,
  obvInto,
  rsi,
  rsiInto,
  sma,
  smaInto,
  stoch,
  stochInto,
} from './index.ts';
import { SERIES } from './testing/fixtures.ts';
import type { OhlcvSeries } from './testing/series.ts';

type Inputs = Record<string, Float64Array>;
interface Case {
  name: string;
  /** The input columns, in argument order. */
  inputs: (keyof OhlcvSeries)[];
  /** The parameter name errors use when it is not the column's (sma and ema take `values`). */
  param?: string;
  outputs: string[];
  /** The allocating function: outputs in `outputs` order. */
  alloc(i: Inputs): Float64Array[];
  /** The ...Into function writing into `o` (in `outputs` order); returns what it returned, as arrays. */
  into(o: Float64Array[], i: Inputs): Float64Array[];
}

const CASES: Case[] = [
  {
    name: 'sma',
    inputs: ['close'],
    param: 'values',
    outputs: ['out'],
    alloc: (i) => [sma(i.close, 20)],
    into: (o, i) => [smaInto(o[0], i.close, 20)],
  },
  {
    name: 'ema',
    inputs: ['close'],
    param: 'values',
    outputs: ['out'],
    alloc: (i) => [ema(i.close, 12)],
    into: (o, i) => [emaInto(o[0], i.close, 12)],
  },
  {
    name: 'rsi',
    inputs: ['close'],
    outputs: ['out'],
    alloc: (i) => [rsi(i.close, 14)],
    into: (o, i) => [rsiInto(o[0], i.close, 14)],
  },
  {
    name: 'macd',
    inputs: ['close'],
    outputs: ['macd', 'signal', 'histogram'],
    alloc: (i) => Object.values(macd(i.close, 12, 26, 9)),
    into: (o, i) => Object.values(macdInto({ macd: o[0], signal: o[1], histogram: o[2] }, i.close, 12, 26, 9)),
  },
  {
    name: 'bbands',
    inputs: ['close'],
    outputs: ['upper', 'middle', 'lower'],
    alloc: (i) => Object.values(bbands(i.close, 20, 2)),
    into: (o, i) => Object.values(bbandsInto({ upper: o[0], middle: o[1], lower: o[2] }, i.close, 20, 2)),
  },
  {
    name: 'atr',
    inputs: ['high', 'low', 'close'],
    outputs: ['out'],
    alloc: (i) => [atr(i.high, i.low, i.close, 14)],
    into: (o, i) => [atrInto(o[0], i.high, i.low, i.close, 14)],
  },
  {
    name: 'obv',
    inputs: ['close', 'volume'],
    outputs: ['out'],
    alloc: (i) => [obv(i.close, i.volume)],
    into: (o, i) => [obvInto(o[0], i.close, i.volume)],
  },
  {
    name: 'stoch',
    inputs: ['high', 'low', 'close'],
    outputs: ['k', 'd'],
    alloc: (i) => Object.values(stoch(i.high, i.low, i.close, 14, 3, 3)),
    into: (o, i) => Object.values(stochInto({ k: o[0], d: o[1] }, i.high, i.low, i.close, 14, 3, 3)),
  },
  {
    name: 'adx',
    inputs: ['high', 'low', 'close'],
    outputs: ['adx', 'plusDI', 'minusDI'],
    alloc: (i) => Object.values(adx(i.high, i.low, i.close, 14)),
    into: (o, i) => Object.values(adxInto({ adx: o[0], plusDI: o[1], minusDI: o[2] }, i.high, i.low, i.close, 14)),
  },
  {
    name: 'cci',
    inputs: ['high', 'low', 'close'],
    outputs: ['out'],
    alloc: (i) => [cci(i.high, i.low, i.close, 20)],
    into: (o, i) => [cciInto(o[0], i.high, i.low, i.close, 20)],
  },
];

function inputsOf(c: Case, s: OhlcvSeries, n = s.close.length): Inputs {
  return Object.fromEntries(c.inputs.map((k) => [k, s[k].subarray(0, n)]));
}
/** Output arrays full of a value no indicator produces, so an entry left unwritten shows. */
const garbage = (count: number, n: number): Float64Array[] =>
  Array.from({ length: count }, () => new Float64Array(n).fill(-12345.678));

/** Same bits, NaN included (assert.deepEqual on Float64Arrays treats NaN as equal to NaN). */
function assertSame(actual: Float64Array[], expected: Float64Array[], label: string): void {
  assert.equal(actual.length, expected.length);
  for (const [k, a] of actual.entries()) assert.deepStrictEqual(a, expected[k], `${label} output ${k}`);
}

describe('...Into variants', () => {
  for (const c of CASES) {
    test(`${c.name}Into writes exactly what ${c.name} returns, into the arrays passed`, () => {
      for (const [series, s] of Object.entries(SERIES)) {
        // Full length, then lengths around the warm-up (all NaN or a few values).
        for (const n of [s.close.length, 0, 1, 19, 20, 27, 28, 40]) {
          const inputs = inputsOf(c, s, n);
          const outs = garbage(c.outputs.length, n);
          const returned = c.into(outs, inputs);
          for (const [k, r] of returned.entries())
            assert.equal(r, outs[k], `${c.name}: returns the arrays it was given`);
          assertSame(outs, c.alloc(inputs), `${c.name} on ${series} (${n} bars)`);
        }
      }
    });

    test(`${c.name}Into rejects outputs of the wrong type or length, or sharing memory`, () => {
      const inputs = inputsOf(c, SERIES.walk, 100);
      const first = c.outputs[0];
      const outs = () => garbage(c.outputs.length, 100);
      assert.throws(() => c.into([new Float32Array(100) as unknown as Float64Array, ...outs().slice(1)], inputs), {
        name: 'TypeError',
        message: `${c.name}: output ${first} must be a Float64Array, got Float32Array`,
      });
      assert.throws(() => c.into([new Float64Array(99), ...outs().slice(1)], inputs), {
        name: 'RangeError',
        message: `${c.name}: output ${first} must have the input length 100, got 99`,
      });
      const input = c.inputs[c.inputs.length - 1];
      assert.throws(() => c.into([inputs[input], ...outs().slice(1)], inputs), {
        name: 'RangeError',
        message: `${c.name}: output ${first} shares memory with ${c.param ?? input}`,
      });
      // A window of one buffer that overlaps an input by one value.
      const buf = new Float64Array(199);
      buf.set(inputs[input], 99);
      const shifted = { ...inputs, [input]: buf.subarray(99) };
      assert.throws(() => c.into([buf.subarray(0, 100), ...outs().slice(1)], shifted), {
        message: `${c.name}: output ${first} shares memory with ${c.param ?? input}`,
      });
      if (c.outputs.length > 1) {
        const o = outs();
        o[1] = o[0];
        assert.throws(() => c.into(o, inputs), {
          message: `${c.name}: output ${c.outputs[1]} shares memory with ${first}`,
        });
      }
    });
  }
});

describe('NaN and infinite inputs (checked inside the kernels)', () => {
  const n = 300;
  for (const c of CASES) {
    test(`${c.name} names the first bad value of each input, wherever it is`, () => {
      for (const input of c.inputs) {
        for (const at of [0, 1, 13, 19, 26, 150, n - 2, n - 1]) {
          for (const [bad, text] of [
            [NaN, 'NaN'],
            [Infinity, 'Infinity'],
            [-Infinity, '-Infinity'],
          ] as const) {
            const inputs = Object.fromEntries(
              Object.entries(inputsOf(c, SERIES.gaps, n)).map(([k, v]) => [k, v.slice()]),
            );
            inputs[input][at] = bad;
            const message = `${c.name}: ${c.param ?? input}[${at}] is ${text}`;
            assert.throws(() => c.alloc(inputs), { name: 'RangeError', message });
            assert.throws(() => c.into(garbage(c.outputs.length, n), inputs), { name: 'RangeError', message });
          }
        }
      }
    });
  }

  test('values large enough to overflow the running sums are not mistaken for bad input', () => {
    const close = new Float64Array(100).fill(1.5e308);
    close[50] = 1.7e308;
    const r = sma(close, 20);
    assert.equal(r[19], Infinity); // the sum overflows; the input is still finite, so no error
    assert.equal(ema(close, 20).length, 100);
  });
});
