// The tree a rule parses into. Every node carries the 1-based column where it starts, for errors.
import type { OhlcvColumn } from '../../ohlcv.ts';
import type { Interval } from '../../intervals.ts';
import type { IndicatorType } from '../indicators/index.ts';

export type ValueType = 'number' | 'bool';
export type ArithOp = '+' | '-' | '*' | '/';
export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A constant argument of an indicator call: a number or a $parameter. */
export type Constant =
  | { kind: 'number'; value: number; column: number }
  | { kind: 'param'; name: string; column: number };

export type Node =
  | Constant
  | { kind: 'series'; name: OhlcvColumn; column: number }
  | {
      kind: 'indicator';
      name: IndicatorType;
      /** The series the indicator reads, for those that take one (sma, ema, rsi, macd, bbands). */
      source: Node | null;
      args: Constant[];
      /** The output read, e.g. 'signal' of macd; 'value' for single-output indicators. */
      field: string;
      column: number;
    }
  | { kind: 'cross'; direction: 'above' | 'below'; a: Node; b: Node; column: number }
  | { kind: 'arith'; op: ArithOp; left: Node; right: Node; column: number }
  | { kind: 'neg'; operand: Node; column: number }
  | { kind: 'compare'; op: CompareOp; left: Node; right: Node; column: number }
  | { kind: 'logic'; op: 'and' | 'or'; left: Node; right: Node; column: number }
  | { kind: 'not'; operand: Node; column: number }
  | { kind: 'previous'; operand: Node; bars: number; column: number }
  | { kind: 'at'; operand: Node; interval: Interval; column: number };

/** A canonical text of a node: equal texts evaluate to equal columns (the evaluator's cache key). */
export function print(node: Node): string {
  switch (node.kind) {
    case 'number':
      return String(node.value);
    case 'param':
      return `$${node.name}`;
    case 'series':
      return node.name;
    case 'indicator': {
      const args = [...(node.source ? [print(node.source)] : []), ...node.args.map(print)];
      return `${node.name}(${args.join(', ')}).${node.field}`;
    }
    case 'cross':
      return `crosses_${node.direction}(${print(node.a)}, ${print(node.b)})`;
    case 'arith':
    case 'compare':
    case 'logic':
      return `(${print(node.left)} ${node.op} ${print(node.right)})`;
    case 'neg':
      return `(-${print(node.operand)})`;
    case 'not':
      return `(not ${print(node.operand)})`;
    case 'previous':
      return `${print(node.operand)}[${node.bars}]`;
    case 'at':
      return `(${print(node.operand)})@${node.interval}`;
  }
}

/** Every node of the tree, depth first. */
export function* walk(node: Node): Generator<Node> {
  yield node;
  switch (node.kind) {
    case 'indicator':
      if (node.source) yield* walk(node.source);
      for (const a of node.args) yield* walk(a);
      break;
    case 'cross':
      yield* walk(node.a);
      yield* walk(node.b);
      break;
    case 'arith':
    case 'compare':
    case 'logic':
      yield* walk(node.left);
      yield* walk(node.right);
      break;
    case 'neg':
    case 'not':
    case 'previous':
    case 'at':
      yield* walk(node.operand);
      break;
    default:
      break;
  }
}
