/** The metrics a sweep ranks by, in a names module like the indicators' and signals': `tm --help` lists them without loading the engine. */
export const SWEEP_METRICS = [
  'sharpe',
  'sortino',
  'return_pct',
  'profit_factor',
  'win_rate',
  'max_drawdown_pct',
  'final_equity',
] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];
