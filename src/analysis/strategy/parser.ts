// Recursive-descent parser of a rule into a typed tree (see docs/strategies.md for the grammar).
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | compare
//   compare := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := '-' unary | postfix
//   postfix := primary ('.' field | '[' integer ']' | '@' interval)*
//   primary := number | $param | open | high | low | close | volume | call | '(' or ')'
import { isInterval } from '../../intervals.ts';
import { OHLCV, type OhlcvColumn } from '../../ohlcv.ts';
import { isIndicatorType } from '../indicators/index.ts';
import { type ArithOp, type CompareOp, type Constant, type Node, type ValueType, walk } from './ast.ts';
import { CALLS } from './calls.ts';
import { StrategySyntaxError } from './errors.ts';
import { type Token, tokenize } from './tokens.ts';

interface Typed {
  node: Node;
  type: ValueType;
}

const COMPARE_OPS = ['<', '<=', '>', '>=', '==', '!='];
/** Bars back a previous value may reach. */
export const MAX_PREVIOUS = 10_000;

/** Parses a rule that must be true or false on each bar (an entry, exit or alert condition). */
export function parseRule(text: string): Node {
  const parser = new Parser(text);
  const { node, type } = parser.parseAll();
  if (type !== 'bool') {
    throw new StrategySyntaxError('expected a condition (a comparison, crosses_above/below, and/or/not)', 1);
  }
  return node;
}

/** Parses a numeric or boolean expression (for previews and tests). */
export function parseExpression(text: string): { node: Node; type: ValueType } {
  return new Parser(text).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  parseAll(): Typed {
    if (this.peek().kind === 'end') throw new StrategySyntaxError('expected an expression', 1);
    const result = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') throw new StrategySyntaxError(`unexpected '${rest.text}'`, rest.start + 1);
    return result;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === word;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  /**
   * Throws at the current token; when it closes something (end, ')', ',', ']'), the thing expected is
   * missing, so the column is the one just after the previous token.
   */
  private fail(reason: string): never {
    const t = this.peek();
    const missing = t.kind === 'end' || (t.kind === 'punct' && [')', ',', ']'].includes(t.text));
    const prev = this.tokens[this.pos - 1];
    const column = missing && prev ? prev.end + 1 : t.start + 1;
    throw new StrategySyntaxError(reason, column);
  }

  private expectPunct(p: string): void {
    if (!this.isPunct(p)) this.fail(`expected '${p}'`);
    this.next();
  }

  private requireType(typed: Typed, want: ValueType, what: string): Node {
    if (typed.type !== want) {
      const expected = want === 'bool' ? 'a condition' : 'a number';
      throw new StrategySyntaxError(`expected ${expected} ${what}`, typed.node.column);
    }
    return typed.node;
  }

  private or(): Typed {
    let left = this.and();
    while (this.isWord('or')) {
      this.next();
      const l = this.requireType(left, 'bool', "before 'or'");
      const column = l.column;
      const r = this.requireType(this.and(), 'bool', "after 'or'");
      left = { node: { kind: 'logic', op: 'or', left: l, right: r, column }, type: 'bool' };
    }
    return left;
  }

  private and(): Typed {
    let left = this.not();
    while (this.isWord('and')) {
      this.next();
      const l = this.requireType(left, 'bool', "before 'and'");
      const column = l.column;
      const r = this.requireType(this.not(), 'bool', "after 'and'");
      left = { node: { kind: 'logic', op: 'and', left: l, right: r, column }, type: 'bool' };
    }
    return left;
  }

  private not(): Typed {
    if (!this.isWord('not')) return this.compare();
    const column = this.next().start + 1;
    const operand = this.requireType(this.not(), 'bool', "after 'not'");
    return { node: { kind: 'not', operand, column }, type: 'bool' };
  }

  private compare(): Typed {
    const left = this.sum();
    const t = this.peek();
    if (t.kind !== 'op' || !COMPARE_OPS.includes(t.text)) return left;
    this.next();
    const l = this.requireType(left, 'number', `before '${t.text}'`);
    const r = this.requireType(this.sum(), 'number', `after '${t.text}'`);
    const node: Node = { kind: 'compare', op: t.text as CompareOp, left: l, right: r, column: l.column };
    if (this.peek().kind === 'op' && COMPARE_OPS.includes(this.peek().text)) {
      this.fail("comparisons do not chain: join them with 'and'");
    }
    return { node, type: 'bool' };
  }

  private sum(): Typed {
    let left = this.product();
    while (this.peek().kind === 'op' && (this.peek().text === '+' || this.peek().text === '-')) {
      left = this.arith(left, () => this.product());
    }
    return left;
  }

  private product(): Typed {
    let left = this.unary();
    while (this.peek().kind === 'op' && (this.peek().text === '*' || this.peek().text === '/')) {
      left = this.arith(left, () => this.unary());
    }
    return left;
  }

  private arith(left: Typed, operand: () => Typed): Typed {
    const t = this.next();
    const l = this.requireType(left, 'number', `before '${t.text}'`);
    const r = this.requireType(operand(), 'number', `after '${t.text}'`);
    return { node: { kind: 'arith', op: t.text as ArithOp, left: l, right: r, column: l.column }, type: 'number' };
  }

  private unary(): Typed {
    const t = this.peek();
    if (t.kind !== 'op' || t.text !== '-') return this.postfix();
    this.next();
    const operand = this.requireType(this.unary(), 'number', "after '-'");
    if (operand.kind === 'number')
      return { node: { ...operand, value: -operand.value, column: t.start + 1 }, type: 'number' };
    return { node: { kind: 'neg', operand, column: t.start + 1 }, type: 'number' };
  }

  private postfix(): Typed {
    let typed = this.primary();
    for (;;) {
      if (this.isPunct('.')) this.fail(`'.' follows only an indicator with several outputs`);
      if (this.isPunct('[')) typed = this.previous(typed);
      else if (this.isPunct('@')) typed = this.at(typed);
      else return typed;
    }
  }

  private previous(typed: Typed): Typed {
    const column = this.next().start + 1;
    const t = this.peek();
    const bars = Number(t.text);
    if (t.kind !== 'number' || !Number.isInteger(bars) || bars < 0 || bars > MAX_PREVIOUS) {
      this.fail(`expected a whole number of bars from 0 to ${MAX_PREVIOUS}`);
    }
    this.next();
    this.expectPunct(']');
    return { node: { kind: 'previous', operand: typed.node, bars, column }, type: typed.type };
  }

  private at(typed: Typed): Typed {
    const column = this.next().start + 1;
    const t = this.peek();
    if (t.kind !== 'interval' || !isInterval(t.text)) this.fail('expected an interval (1m 5m 15m 30m 1h 4h 1d 1w 1M)');
    this.next();
    for (const inner of walk(typed.node)) {
      if (inner.kind === 'at') {
        throw new StrategySyntaxError('an expression already read at another interval cannot take a second @', column);
      }
    }
    return { node: { kind: 'at', operand: typed.node, interval: t.text, column }, type: typed.type };
  }

  private primary(): Typed {
    const t = this.peek();
    const column = t.start + 1;
    if (t.kind === 'number') {
      this.next();
      return { node: { kind: 'number', value: Number(t.text), column }, type: 'number' };
    }
    if (t.kind === 'param') {
      this.next();
      return { node: { kind: 'param', name: t.text.slice(1), column }, type: 'number' };
    }
    if (this.isPunct('(')) {
      this.next();
      const inner = this.or();
      this.expectPunct(')');
      return { node: { ...inner.node, column }, type: inner.type };
    }
    if (t.kind !== 'name') this.fail(t.kind === 'end' ? 'expected an expression' : `unexpected '${t.text}'`);
    this.next();
    if ((OHLCV as readonly string[]).includes(t.text)) {
      return { node: { kind: 'series', name: t.text as OhlcvColumn, column }, type: 'number' };
    }
    if (t.text === 'crosses_above' || t.text === 'crosses_below') return this.cross(t, column);
    if (isIndicatorType(t.text)) return this.indicator(t.text, column);
    throw new StrategySyntaxError(
      `unknown name '${t.text}' (series: ${OHLCV.join(', ')}; indicators: ${Object.keys(CALLS).join(', ')})`,
      column,
    );
  }

  private cross(t: Token, column: number): Typed {
    this.expectPunct('(');
    const a = this.requireType(this.sum(), 'number', `in ${t.text}`);
    this.expectPunct(',');
    const b = this.requireType(this.sum(), 'number', `in ${t.text}`);
    this.expectPunct(')');
    const direction = t.text === 'crosses_above' ? 'above' : 'below';
    return { node: { kind: 'cross', direction, a, b, column }, type: 'bool' };
  }

  private indicator(name: keyof typeof CALLS, column: number): Typed {
    const spec = CALLS[name];
    this.expectPunct('(');
    let source: Node | null = null;
    if (spec.source) {
      if (this.isPunct(')')) this.fail(`expected a series (${name}(close, …))`);
      source = this.requireType(this.sum(), 'number', `as the series of ${name}`);
    }
    const args: Constant[] = [];
    while (!this.isPunct(')')) {
      if (source || args.length > 0) this.expectPunct(',');
      if (args.length === spec.args.length) this.fail(`${name} takes ${spec.args.length} number(s) after its series`);
      args.push(this.constant());
    }
    this.next();
    return { node: { kind: 'indicator', name, source, args, field: this.field(name), column }, type: 'number' };
  }

  private constant(): Constant {
    const t = this.peek();
    const column = t.start + 1;
    const negative = t.kind === 'op' && t.text === '-';
    const u = negative ? this.tokens[this.pos + 1] : t;
    if (u.kind === 'number') {
      this.pos += negative ? 2 : 1;
      return { kind: 'number', value: negative ? -Number(u.text) : Number(u.text), column };
    }
    if (t.kind === 'param') {
      this.next();
      return { kind: 'param', name: t.text.slice(1), column };
    }
    this.fail('expected a number');
  }

  private field(name: keyof typeof CALLS): string {
    const spec = CALLS[name];
    if (!this.isPunct('.')) {
      if (spec.fieldRequired) {
        // The output is missing right after the call's ')'.
        throw new StrategySyntaxError(
          `${name} needs an output: .${spec.fields.join(', .')}`,
          this.tokens[this.pos - 1].end + 1,
        );
      }
      return spec.fields[0];
    }
    this.next();
    const t = this.peek();
    if (t.kind !== 'name' || !spec.fields.includes(t.text)) {
      this.fail(`expected an output of ${name}: .${spec.fields.join(', .')}`);
    }
    this.next();
    return t.text;
  }
}
