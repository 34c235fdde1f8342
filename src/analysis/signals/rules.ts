// Signals from rules in the strategy language (a user's strategy, or a built-in one written as rules): a buy on
// the bar where the entry rule turns true, a sell where the exit rule does. Pure, like the native strategies.
import { INDICATORS } from '../indicators/registry.ts';
import { atr } from '../indicators/atr.ts';
import type { Interval } from '../../intervals.ts';
import { type Node, evaluateColumns, print, ruleWarmup, walk } from '../strategy/index.ts';
import type { EvalContext, Params } from '../strategy/evaluate.ts';
import { checkCandles, fromIndex as firstIndex } from './candles.ts';
import { directionalSignal } from './levels.ts';
import { RISK_DEFAULTS } from './params.ts';
import type { CandleSeries, SignalCandidate } from './types.ts';

export interface RuleStrategy {
  /** The name its signals carry. */
  name: string;
  entry: { text: string; node: Node };
  exit: { text: string; node: Node };
  /** The rules' $parameters; atrPeriod, stopAtr and targetAtr, when present, place the stop and target. */
  params: Params;
}

/** Stop and target as the native strategies place them, from the strategy's own risk parameters if it has them. */
export function riskParams(params: Params): Record<keyof typeof RISK_DEFAULTS, number> {
  const pick = (k: keyof typeof RISK_DEFAULTS) => (typeof params[k] === 'number' ? params[k] : RISK_DEFAULTS[k]);
  return { atrPeriod: pick('atrPeriod'), stopAtr: pick('stopAtr'), targetAtr: pick('targetAtr') };
}

/** Bars before the first one to generate that make the result equal a full-history run (+1: a turn needs the bar before). */
export function ruleSignalWarmup(s: RuleStrategy): number {
  const risk = riskParams(s.params);
  return (
    Math.max(
      ruleWarmup(s.entry.node, s.params),
      ruleWarmup(s.exit.node, s.params),
      INDICATORS.atr.warmup({ period: risk.atrPeriod }),
    ) + 1
  );
}

export interface RuleSignalOptions {
  interval: Interval;
  fromIndex?: number;
  other?: EvalContext['other'];
}

/**
 * A buy at bar i when the entry rule is true there and was not on bar i-1 (false or still warming up), a sell
 * likewise for the exit rule; nothing when both turn true on one bar, or while the ATR that places the stop
 * and target is warming up (or zero). A rule is true or false: strength and confidence are 1.
 */
export function generateRuleSignals(series: CandleSeries, s: RuleStrategy, o: RuleSignalOptions): SignalCandidate[] {
  const n = checkCandles(s.name, series);
  const start = Math.max(1, firstIndex(s.name, o));
  if (n <= start) return [];
  const risk = riskParams(s.params);
  const shown = [s.entry.node, s.exit.node].map(indicatorNodes);
  const nodes = [s.entry.node, s.exit.node, ...shown[0], ...shown[1]];
  const cols = evaluateColumns(nodes, { bars: series, interval: o.interval, params: s.params, other: o.other });
  const [entry, exit] = cols;
  const values = new Map(nodes.slice(2).map((node, k) => [label(node), cols[k + 2]]));
  const range = atr(series.high, series.low, series.close, risk.atrPeriod);
  const out: SignalCandidate[] = [];
  for (let i = start; i < n; i++) {
    const buy = entry[i] === 1 && entry[i - 1] !== 1;
    const sell = exit[i] === 1 && exit[i - 1] !== 1;
    if (buy === sell) continue;
    const a = range[i];
    if (!(a > 0)) continue;
    const rule = buy ? s.entry : s.exit;
    const used: Record<string, unknown> = {};
    for (const node of shown[buy ? 0 : 1]) used[label(node)] = finiteOrNull(values.get(label(node))?.[i]);
    out.push(
      directionalSignal({
        strategy: s.name,
        index: i,
        ts: series.ts[i],
        dir: buy ? 1 : -1,
        price: series.close[i],
        atr: a,
        params: risk,
        strength: 1,
        confidence: 1,
        rationale: `${buy ? 'Entry' : 'Exit'} rule turned true: ${rule.text}`,
        indicatorsUsed: used,
      }),
    );
  }
  return out;
}

/** The indicator calls a rule reads on its own interval, each once, for the signal's indicators_used. */
export function indicatorNodes(rule: Node): Node[] {
  const seen = new Map<string, Node>();
  const skip = new Set<Node>();
  for (const n of walk(rule)) {
    if (n.kind === 'at') for (const inner of walk(n.operand)) skip.add(inner);
    if (n.kind === 'indicator' && !skip.has(n)) seen.set(label(n), n);
  }
  return [...seen.values()];
}

/** `sma(close, 20)`, `macd(close, 12, 26, 9).hist`: the canonical text, without the `.value` of single outputs. */
export function label(n: Node): string {
  return print(n).replace(/\.value$/, '');
}

function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}
