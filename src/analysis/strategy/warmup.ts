// How many bars before the first one a rule is evaluated on it needs to read, so that its truth there equals a
// full-history evaluation (the indicators' own warm-up, see docs/indicators.md, summed along nested sources,
// plus the bars crosses and x[n] look back). Infinity when an indicator depends on the whole history (obv).
import { getIndicator } from '../indicators/index.ts';
import type { Constant, Node } from './ast.ts';
import { CALLS } from './calls.ts';
import type { Params } from './evaluate.ts';

export function ruleWarmup(node: Node, params: Params): number {
  const constant = (c: Constant): number => (c.kind === 'number' ? c.value : (params[c.name] ?? Number.NaN));
  const w = (n: Node): number => {
    switch (n.kind) {
      case 'number':
      case 'param':
      case 'series':
        return 0;
      case 'indicator': {
        const spec = CALLS[n.name];
        const raw: Record<string, number> = {};
        n.args.forEach((a, i) => {
          raw[spec.args[i]] = constant(a);
        });
        const d = getIndicator(n.name);
        const own = d.warmup(d.parseParams(raw) as never);
        return own + (n.source ? w(n.source) : 0);
      }
      case 'cross':
        return Math.max(w(n.a), w(n.b)) + 1;
      case 'arith':
      case 'compare':
      case 'logic':
        return Math.max(w(n.left), w(n.right));
      case 'neg':
      case 'not':
        return w(n.operand);
      case 'previous':
        return w(n.operand) + n.bars;
      case 'at':
        // Read from the other interval's own bars (their warm-up is the caller's, see otherWarmups).
        return 0;
    }
  };
  return w(node);
}

/** Each other interval a rule reads (`expr@1d`) with the warm-up, in bars of that interval, its expression needs. */
export function otherWarmups(node: Node, params: Params, into = new Map<string, number>()): Map<string, number> {
  const visit = (n: Node): void => {
    if (n.kind === 'at') {
      into.set(n.interval, Math.max(into.get(n.interval) ?? 0, ruleWarmup(n.operand, params)));
    }
    for (const child of children(n)) visit(child);
  };
  visit(node);
  return into;
}

function children(n: Node): Node[] {
  switch (n.kind) {
    case 'indicator':
      return n.source ? [n.source] : [];
    case 'cross':
      return [n.a, n.b];
    case 'arith':
    case 'compare':
    case 'logic':
      return [n.left, n.right];
    case 'neg':
    case 'not':
    case 'previous':
    case 'at':
      return [n.operand];
    default:
      return [];
  }
}
