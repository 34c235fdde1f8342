// Composite: votes the other strategies' recent signals into strong_buy / buy / hold / sell / strong_sell.
import { atr } from '../indicators/atr.ts';
import { INDICATORS } from '../indicators/registry.ts';
import { bollinger } from './bollinger.ts';
import { checkCandles, fromIndex } from './candles.ts';
import { atrLevels, fmt, levelsClause } from './levels.ts';
import { macdCrossover } from './macd-crossover.ts';
import { maCrossover } from './ma-crossover.ts';
import { RISK_DEFAULTS, RISK_SPECS, parseParams } from './params.ts';
import { rsiReversal } from './rsi-reversal.ts';
import { direction } from './types.ts';
import type { SignalCandidate, SignalType, Strategy, StrategyParams } from './types.ts';

const DEFAULTS: Readonly<StrategyParams> = Object.freeze({ window: 3, strongVotes: 2, ...RISK_DEFAULTS });
const SPECS = {
  window: { kind: 'int', min: 1, max: 1000 },
  strongVotes: { kind: 'int', min: 1, max: 100 },
  ...RISK_SPECS,
} as const;

/**
 * Builds a composite over `members` (each run with its own defaults).
 *
 * At every bar where at least one member fires, each member's latest buy/sell
 * within the last `window` bars (this bar included) is one vote, +1 or -1.
 * net = buys - sells:
 *   net >= strongVotes -> strong_buy; net >= 1 -> buy; net = 0 -> hold;
 *   net <= -1 -> sell; net <= -strongVotes -> strong_sell.
 * strength = sum of the winning side's strengths / number of members
 *   (every member agreeing at full strength gives 1); 0 for hold.
 * confidence = (winning votes / votes cast) x mean confidence of the winning side;
 *   for hold, the share of votes that cancel out (2 x min(buys, sells) / votes cast).
 * Stop and target are ATR-based as for the members; none for hold.
 */
export function createComposite(name: string, members: readonly Strategy[]): Strategy {
  const parse = (input?: unknown): StrategyParams => parseParams(name, DEFAULTS, SPECS, input);
  const memberNames = members.map((m) => m.name).join(', ');
  return {
    name,
    description: `Votes ${memberNames} over a window of bars into strong_buy / buy / hold / sell / strong_sell`,
    defaults: DEFAULTS,
    parseParams: parse,
    warmup(params) {
      const p = parse(params);
      // A vote from `window - 1` bars back must itself be exact.
      const memberWarmup = Math.max(...members.map((m) => m.warmup()));
      return Math.max(memberWarmup + p.window - 1, INDICATORS.atr.warmup({ period: p.atrPeriod }));
    },
    generate(series, params, opts) {
      const p = parse(params);
      checkCandles(name, series);
      const start = fromIndex(name, opts);
      const range = atr(series.high, series.low, series.close, p.atrPeriod);
      // Members run from window - 1 bars earlier so that their votes inside the window are known.
      const memberFrom = Math.max(0, start - (p.window - 1));
      const byMember = members.map((m) => m.generate(series, undefined, { fromIndex: memberFrom }));
      // Bars where some member fired, in order.
      const firing = new Set<number>();
      for (const list of byMember)
        for (const c of list) if (c.index >= start && direction(c.signalType) !== 0) firing.add(c.index);
      const bars = [...firing].sort((x, y) => x - y);
      const cursor = byMember.map(() => 0);
      const out: SignalCandidate[] = [];

      for (const i of bars) {
        const votes: SignalCandidate[] = [];
        byMember.forEach((list, k) => {
          // Advance to the member's last candidate at or before i; it votes if it is recent enough.
          while (cursor[k] + 1 < list.length && list[cursor[k] + 1].index <= i) cursor[k]++;
          const c = list[cursor[k]];
          if (c && c.index <= i && c.index > i - p.window && direction(c.signalType) !== 0) votes.push(c);
        });
        const buys = votes.filter((v) => direction(v.signalType) === 1);
        const sells = votes.filter((v) => direction(v.signalType) === -1);
        const net = buys.length - sells.length;
        let type: SignalType;
        if (net >= p.strongVotes) type = 'strong_buy';
        else if (net >= 1) type = 'buy';
        else if (net <= -p.strongVotes) type = 'strong_sell';
        else if (net <= -1) type = 'sell';
        else type = 'hold';

        const winners = net > 0 ? buys : net < 0 ? sells : [];
        const strength = winners.reduce((s, v) => s + v.strength, 0) / members.length;
        const confidence =
          net === 0
            ? (2 * Math.min(buys.length, sells.length)) / votes.length
            : (winners.length / votes.length) * (winners.reduce((s, v) => s + v.confidence, 0) / winners.length);
        const price = series.close[i];
        const a = range[i];
        const dir = direction(type);
        const levels = dir !== 0 && a > 0 ? atrLevels(dir, price, a, p) : null;
        const voteText = votes.map((v) => `${v.strategy} ${v.signalType} (bar ${v.index})`).join(', ');
        const quiet = members.filter((m) => !votes.some((v) => v.strategy === m.name)).map((m) => m.name);
        const indicatorsUsed: Record<string, unknown> = {
          votes_buy: buys.length,
          votes_sell: sells.length,
          net_votes: net,
        };
        for (const v of votes) {
          indicatorsUsed[`${v.strategy}.signal`] = v.signalType;
          indicatorsUsed[`${v.strategy}.index`] = v.index;
          for (const [key, value] of Object.entries(v.indicatorsUsed)) indicatorsUsed[`${v.strategy}.${key}`] = value;
        }
        indicatorsUsed[`atr_${p.atrPeriod}`] = a;
        out.push({
          index: i,
          ts: series.ts[i],
          signalType: type,
          strength,
          confidence,
          price,
          targetPrice: levels ? levels.targetPrice : null,
          stopLoss: levels ? levels.stopLoss : null,
          rationale:
            `${buys.length} buy and ${sells.length} sell vote${votes.length === 1 ? '' : 's'} within ${p.window} bar${p.window === 1 ? '' : 's'} ` +
            `(net ${net > 0 ? '+' : ''}${net} → ${type}): ${voteText}` +
            (quiet.length > 0 ? `; quiet: ${quiet.join(', ')}` : '') +
            (levels ? `; ${levelsClause(p.atrPeriod, a, levels)}` : `; close ${fmt(price)}`),
          indicatorsUsed,
          strategy: name,
        });
      }
      return out;
    },
  };
}

export const composite: Strategy = createComposite('composite', [maCrossover, rsiReversal, macdCrossover, bollinger]);
