// The figures of a run, each defined in docs/backtests.md. Sharpe, Sortino and exposure follow backtesting.py's
// definitions so that a user moving from it reads the same numbers.
import type { EngineResult } from './engine.ts';

export interface Metrics {
  finalEquity: number;
  returnPct: number;
  buyAndHoldReturnPct: number;
  maxDrawdownPct: number;
  sharpe: number | null;
  sortino: number | null;
  winRate: number | null;
  profitFactor: number | null;
  exposurePct: number;
}

const DAY = 86_400_000;

export function computeMetrics(ts: Float64Array, close: Float64Array, cash: number, r: EngineResult): Metrics {
  const n = close.length;
  const pnls = r.trades.map((t) => t.pnl);
  const gains = pnls.filter((p) => p > 0).reduce((a, b) => a + b, 0);
  const losses = -pnls.filter((p) => p < 0).reduce((a, b) => a + b, 0);
  const { sharpe, sortino } = ratios(ts, r.equity);
  return {
    finalEquity: r.finalEquity,
    returnPct: ((r.finalEquity - cash) / cash) * 100,
    buyAndHoldReturnPct: n > 0 ? ((close[n - 1] - close[0]) / close[0]) * 100 : 0,
    maxDrawdownPct: maxDrawdownPct(r.equity),
    sharpe,
    sortino,
    winRate: pnls.length > 0 ? (pnls.filter((p) => p > 0).length / pnls.length) * 100 : null,
    profitFactor: losses > 0 ? gains / losses : null,
    exposurePct: exposurePct(n, r),
  };
}

/** Largest fall of the equity curve from its running peak, in percent of the peak. */
export function maxDrawdownPct(equity: Float64Array): number {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    const dd = 1 - e / peak;
    if (dd > worst) worst = dd;
  }
  return worst * 100;
}

/** Percent of bars from each trade's entry bar through its exit bar (inclusive). */
function exposurePct(n: number, r: EngineResult): number {
  if (n === 0) return 0;
  let bars = 0;
  let covered = -1; // trades do not overlap; a trade may enter on the bar the previous one left
  for (const t of r.trades) {
    const from = Math.max(t.entryIndex, covered + 1);
    if (t.exitIndex >= from) bars += t.exitIndex - from + 1;
    covered = Math.max(covered, t.exitIndex);
  }
  return (bars / n) * 100;
}

/**
 * One pass over the bars for the ratios: the returns of the equity from one UTC day's last bar to the next day's,
 * and how many bars fall on a weekend (for annualDays). One pass, not two, as it runs over every bar of every run.
 */
function dailyScan(ts: Float64Array, equity: Float64Array): { returns: number[]; weekend: number } {
  const closes: number[] = [];
  let day = Number.NaN;
  let weekend = 0;
  for (let i = 0; i < ts.length; i++) {
    const d = Math.floor(ts[i] / DAY);
    if (d === day) closes[closes.length - 1] = equity[i];
    else {
      closes.push(equity[i]);
      day = d;
    }
    // 1970-01-01 was a Thursday (4); 0 is Sunday, 6 Saturday. Arithmetic, not a Date per bar.
    const dow = (d + 4) % 7;
    if (dow === 0 || dow === 6) weekend++;
  }
  const returns: number[] = [];
  for (let i = 1; i < closes.length; i++) returns.push(closes[i] / closes[i - 1] - 1);
  return { returns, weekend };
}

/** Returns of the equity from one UTC day's last bar to the next day's. */
export function dailyReturns(ts: Float64Array, equity: Float64Array): number[] {
  return dailyScan(ts, equity).returns;
}

const daysFor = (bars: number, weekend: number) => (bars > 0 && weekend / bars > (2 / 7) * 0.6 ? 365 : 252);

/** 365 when weekend bars are common (crypto), else 252, as backtesting.py decides. */
export function annualDays(ts: Float64Array): number {
  return daysFor(ts.length, dailyScan(ts, new Float64Array(ts.length)).weekend);
}

function ratios(ts: Float64Array, equity: Float64Array): { sharpe: number | null; sortino: number | null } {
  const { returns: r, weekend } = dailyScan(ts, equity);
  if (r.length < 2) return { sharpe: null, sortino: null };
  const days = daysFor(ts.length, weekend);
  const g = r.some((x) => 1 + x <= 0) ? 0 : Math.exp(r.reduce((a, x) => a + Math.log(1 + x), 0) / r.length) - 1;
  const annualReturn = (1 + g) ** days - 1;
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const variance = r.reduce((a, x) => a + (x - mean) ** 2, 0) / (r.length - 1);
  const volatility = Math.sqrt((variance + (1 + g) ** 2) ** days - (1 + g) ** (2 * days));
  const downside = Math.sqrt(r.reduce((a, x) => a + Math.min(x, 0) ** 2, 0) / r.length) * Math.sqrt(days);
  return { sharpe: finiteRatio(annualReturn, volatility), sortino: finiteRatio(annualReturn, downside) };
}

function finiteRatio(a: number, b: number): number | null {
  const v = a / b;
  return b > 0 && Number.isFinite(v) ? v : null;
}
