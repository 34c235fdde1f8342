// What the web app's strategy editor asks while the user types: are the rules valid (each problem with its field and
// column), and where would they fire on the last bars of a chosen symbol. Nothing is stored.
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import type { CandleSeries } from '../ohlcv.ts';
import { getAsset } from '../market/assets-repository.ts';
import { readCandleColumns } from '../market/candles-repository.ts';
import { checkParams } from './strategies-repository.ts';
import { evaluateRules, type Node, parseRule, StrategySyntaxError, walk } from './strategy/index.ts';
import { readOtherIntervals } from './strategy-backtests.ts';

export interface RuleProblem {
  field: 'entry' | 'exit' | 'params';
  message: string;
  /** 1-based column in the field's text, when the problem has a place. */
  column: number | null;
}

export interface RuleDraft {
  entry: string;
  exit: string;
  params?: unknown;
}

/** Every problem of the draft (not just the first), so each field can show its own. */
export function checkRules(d: RuleDraft): RuleProblem[] {
  const problems: RuleProblem[] = [];
  let params: Record<string, number> | null = null;
  try {
    params = checkParams(d.params ?? {}, 'params');
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    problems.push({ field: 'params', message: err.message, column: null });
  }
  for (const field of ['entry', 'exit'] as const) {
    let node: Node;
    try {
      node = parseRule(d[field]);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      problems.push({ field, message: err.message, column: err instanceof StrategySyntaxError ? err.column : null });
      continue;
    }
    for (const n of walk(node)) {
      if (n.kind === 'param' && params && !(n.name in params)) {
        const message = `parameter $${n.name} at column ${n.column} has no default in params`;
        problems.push({ field, message, column: n.column });
        break;
      }
    }
  }
  return problems;
}

export interface RulePreview {
  symbol: string;
  interval: Interval;
  /** The bars, as the chart draws them: times in epoch seconds. */
  bars: { time: number[]; open: number[]; high: number[]; low: number[]; close: number[] };
  /** Times (epoch seconds) of the bars where each rule is true at the close. */
  entry: number[];
  exit: number[];
}

/** The rules over the last `count` bars up to `to` (default: the latest); the first bars are their warm-up. */
export async function previewRules(
  q: Queryable,
  req: RuleDraft & { symbol: string; interval: Interval; count: number; to?: Date | null },
): Promise<RulePreview> {
  const problem = checkRules(req)[0];
  if (problem) throw new UserError(`${problem.field}${problem.field === 'params' ? '' : ' rule'}: ${problem.message}`);
  const params = checkParams(req.params ?? {}, 'params');
  const asset = await getAsset(q, req.symbol);
  // The last `count` bars: `count` bars of warm-up before a start just after the end, and none from it.
  const end = req.to ?? new Date(Date.now() + 366 * 86_400_000);
  const bars = await readCandleColumns(q, {
    assetId: asset.id,
    interval: req.interval,
    from: new Date(end.getTime() + 1),
    warmup: req.count,
    to: end,
  });
  const other = await readOtherIntervals(q, asset, [req.entry, req.exit], req.interval, bars, req.count * 100);
  const ctx = { bars, interval: req.interval, params, other: (i: Interval) => other[i] as CandleSeries };
  const [entry, exit] = evaluateRules([parseRule(req.entry), parseRule(req.exit)], ctx);
  const sec = Array.from(bars.ts, (t) => Math.floor(t / 1000));
  const when = (truth: Uint8Array) => sec.filter((_, i) => truth[i] === 1);
  return {
    symbol: asset.symbol,
    interval: req.interval,
    bars: {
      time: sec,
      open: Array.from(bars.open),
      high: Array.from(bars.high),
      low: Array.from(bars.low),
      close: Array.from(bars.close),
    },
    entry: when(entry),
    exit: when(exit),
  };
}
