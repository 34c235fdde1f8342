// Evaluates a parsed rule over bar columns. Equal subtrees are computed once (keyed by their canonical text).
import { UserError } from '../../errors.ts';
import type { Interval } from '../../intervals.ts';
import type { CandleSeries } from '../../ohlcv.ts';
import { getIndicator } from '../indicators/index.ts';
import { alignClosed } from './align.ts';
import { type Constant, type Node, print } from './ast.ts';
import { CALLS } from './calls.ts';
import { type Value, arith, column, compare, crosses, logic, negate, not, previous } from './columns.ts';
import { StrategySyntaxError } from './errors.ts';

export type Params = Readonly<Record<string, number>>;

export interface EvalContext {
  bars: CandleSeries;
  interval: Interval;
  params: Params;
  /** Bars of another interval, for `expr@1d`; they should start early enough to warm its indicators up. */
  other?: (interval: Interval) => CandleSeries;
}

/** The rule's truth on each bar: 1 where true; 0 where false or unknown (warm-up). */
export function evaluateRule(node: Node, ctx: EvalContext): Uint8Array {
  return evaluateRules([node], ctx)[0];
}

/** Several rules over the same bars; what they share (an indicator in both) is computed once. */
export function evaluateRules(nodes: readonly Node[], ctx: EvalContext): Uint8Array[] {
  const evaluator = new Evaluator(ctx);
  return nodes.map((node) => truth(evaluator.eval(node), ctx.bars.close.length));
}

function truth(v: Value, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (typeof v === 'number') return out.fill(v === 1 ? 1 : 0);
  for (let i = 0; i < n; i++) out[i] = v[i] === 1 ? 1 : 0;
  return out;
}

/** The value of an expression on each bar (NaN where unknown). */
export function evaluateColumn(node: Node, ctx: EvalContext): Float64Array {
  return column(new Evaluator(ctx).eval(node), ctx.bars.close.length);
}

/** Several expressions' values on each bar (conditions: 1, 0 or NaN), computing what they share once. */
export function evaluateColumns(nodes: readonly Node[], ctx: EvalContext): Float64Array[] {
  const evaluator = new Evaluator(ctx);
  return nodes.map((node) => column(evaluator.eval(node), ctx.bars.close.length));
}

class Evaluator {
  private readonly cache = new Map<string, Value>();
  private readonly n: number;

  constructor(private readonly ctx: EvalContext) {
    this.n = ctx.bars.close.length;
  }

  eval(node: Node): Value {
    if (node.kind === 'number') return node.value;
    const key = print(node);
    let v = this.cache.get(key);
    if (v === undefined) {
      v = this.compute(node);
      this.cache.set(key, v);
    }
    return v;
  }

  private compute(node: Node): Value {
    switch (node.kind) {
      case 'number':
        return node.value;
      case 'param':
        return this.param(node);
      case 'series':
        return this.ctx.bars[node.name];
      case 'indicator':
        return this.indicator(node);
      case 'cross':
        return crosses(node.direction, this.eval(node.a), this.eval(node.b), this.n);
      case 'arith':
        return arith(node.op, this.eval(node.left), this.eval(node.right));
      case 'compare':
        return compare(node.op, this.eval(node.left), this.eval(node.right));
      case 'logic':
        return logic(node.op, this.eval(node.left), this.eval(node.right));
      case 'neg':
        return negate(this.eval(node.operand));
      case 'not':
        return not(this.eval(node.operand));
      case 'previous':
        return previous(this.eval(node.operand), node.bars);
      case 'at':
        return this.at(node);
    }
  }

  private param(node: Constant & { kind: 'param' }): number {
    const v = this.ctx.params[node.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new StrategySyntaxError(
        `parameter $${node.name} has no value (give it a default in --params)`,
        node.column,
      );
    }
    return v;
  }

  private constant(c: Constant): number {
    return c.kind === 'number' ? c.value : this.param(c);
  }

  private indicator(node: Node & { kind: 'indicator' }): Float64Array {
    const spec = CALLS[node.name];
    const descriptor = getIndicator(node.name);
    const raw: Record<string, number> = {};
    node.args.forEach((a, i) => {
      raw[spec.args[i]] = this.constant(a);
    });
    let params: ReturnType<typeof descriptor.parseParams>;
    try {
      params = descriptor.parseParams(raw);
    } catch (err) {
      if (err instanceof RangeError) throw new StrategySyntaxError(err.message, node.column);
      throw err;
    }
    const fieldIndex = spec.fields.indexOf(node.field);
    if (!node.source) return descriptor.compute(this.ctx.bars, params as never)[fieldIndex];
    const source = column(this.eval(node.source), this.n);
    // A source that is itself warming up (sma(rsi(close, 14), 5)) is computed from its first defined bar.
    let first = 0;
    while (first < this.n && Number.isNaN(source[first])) first++;
    if (first === this.n) return new Float64Array(this.n).fill(Number.NaN);
    let computed: Float64Array;
    try {
      computed = descriptor.compute({ ...this.ctx.bars, close: source.subarray(first) }, params as never)[fieldIndex];
    } catch (err) {
      if (err instanceof RangeError) {
        throw new UserError(
          `${node.name} at column ${node.column}: its series has no value on some bars (${err.message})`,
        );
      }
      throw err;
    }
    // A source defined from the first bar (close itself, mostly): the indicator's own fresh column is the answer,
    // without a copy of a million bars (unless it is the source itself, which the cache may share).
    if (first === 0 && computed.length === this.n && computed !== source) return computed;
    const out = new Float64Array(this.n).fill(Number.NaN);
    out.set(computed, first);
    return out;
  }

  private at(node: Node & { kind: 'at' }): Float64Array {
    if (node.interval === this.ctx.interval) return column(this.eval(node.operand), this.n);
    if (!this.ctx.other) throw new StrategySyntaxError(`bars of ${node.interval} are not available here`, node.column);
    const bars = this.ctx.other(node.interval);
    const inner = new Evaluator({ bars, interval: node.interval, params: this.ctx.params });
    const values = column(inner.eval(node.operand), bars.close.length);
    return alignClosed(this.ctx.bars.ts, this.ctx.interval, bars.ts, node.interval, values);
  }
}
