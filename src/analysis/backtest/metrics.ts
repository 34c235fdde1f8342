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
  for (const e of equity) {
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

/** Returns of the equity from one UTC day's last bar to the next day's. */
export function dailyReturns(ts: Float64Array, equity: Float64Array): number[] {
  const closes: number[] = [];
  let day = Number.NaN;
  for (let i = 0; i < ts.length; i++) {
    const d = Math.floor(ts[i] / DAY);
    if (d === day) closes[closes.length - 1] = equity[i];
    else closes.push(equity[i]);
    day = d;
  }
  const out: number[] = [];
  for (let i = 1; i < closes.length; i++) out.push(closes[i] / closes[i - 1] - 1);
  return out;
}

/** 365 when weekend bars are common (crypto), else 252, as backtesting.py decides. */
export function annualDays(ts: Float64Array): number {
  let weekend = 0;
  for (const t of ts) {
    // 1970-01-01 was a Thursday (4); 0 is Sunday, 6 Saturday. Arithmetic, not a Date per bar.
    const dow = (Math.floor(t / DAY) + 4) % 7;
    if (dow === 0 || dow === 6) weekend++;
  }
  return ts.length > 0 && weekend / ts.length > (2 / 7) * 0.6 ? 365 : 252;
}

function ratios(ts: Float64Array, equity: Float64Array): { sharpe: number | null; sortino: number | null } {
  const r = dailyReturns(ts, equity);
  if (r.length < 2) return { sharpe: null, sortino: null };
  const days = annualDays(ts);
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
