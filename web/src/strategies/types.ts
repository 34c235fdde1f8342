/** What /api/strategies and /api/backtests answer (docs/strategies.md, docs/backtests.md). */
export interface Strategy {
  name: string;
  version: number;
  entry: string;
  exit: string;
  params: Record<string, number>;
  description: string;
  created_at: string;
}

export interface Problem {
  field: 'entry' | 'exit' | 'params';
  message: string;
  column: number | null;
}

export interface Preview {
  symbol: string;
  interval: string;
  bars: { time: number[]; open: number[]; high: number[]; low: number[]; close: number[] };
  entry: number[];
  exit: number[];
}

export interface Trade {
  entry_time: string;
  entry_price: number;
  exit_time: string;
  exit_price: number;
  size: number;
  pnl: number;
  exit_reason: string;
}

export interface Figures {
  final_equity: number;
  return_pct: number;
  buy_and_hold_return_pct: number;
  max_drawdown_pct: number;
  sharpe: number | null;
  sortino: number | null;
  win_rate: number | null;
  profit_factor: number | null;
  exposure_pct: number;
}

export interface Run extends Figures {
  id: string;
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: string;
  from: string;
  to: string;
  bars: number;
  trades: Trade[];
}

/** One bar of the chart, times in epoch seconds. */
export interface ChartBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** A marker on the candles: a rule firing (preview) or a trade's entry or exit (a run). */
export interface Mark {
  time: number;
  kind: 'entry' | 'exit';
  /** Shown beside the marker, e.g. a stop's name. */
  text?: string;
  /** A short position's entry points down. */
  short?: boolean;
}

export const barsOf = (p: Preview): ChartBar[] =>
  p.bars.time.map((time, i) => ({
    time,
    open: p.bars.open[i],
    high: p.bars.high[i],
    low: p.bars.low[i],
    close: p.bars.close[i],
  }));

export interface SweepFigures extends Figures {
  trades: number;
}

export interface SweepResult {
  rank: number;
  params: Record<string, number>;
  in_sample: SweepFigures;
  out_of_sample: SweepFigures;
}

export interface SweepPart {
  from: string;
  to: string;
  bars: number;
}

export interface SweepReport {
  metric: string;
  combinations: number;
  grid: string[];
  in_sample?: SweepPart;
  out_of_sample?: SweepPart;
  results?: SweepResult[];
  walk_forward?: number;
  windows?: { window: number; in_sample: SweepPart; out_of_sample: SweepPart; results: SweepResult[] }[];
}

export const METRICS = [
  'sharpe',
  'sortino',
  'return_pct',
  'profit_factor',
  'win_rate',
  'max_drawdown_pct',
  'final_equity',
] as const;
export type Metric = (typeof METRICS)[number];
