export { runEngine, entryUnits } from './engine.ts';
export type { EngineResult, ExitReason, Trade } from './engine.ts';
export { computeMetrics, maxDrawdownPct } from './metrics.ts';
export type { Metrics } from './metrics.ts';
export { checkSettings, DEFAULT_SETTINGS } from './settings.ts';
export type { BacktestSettings } from './settings.ts';
export { runBacktest } from './run.ts';
export type { BacktestInput, BacktestReport, TradeReport } from './run.ts';
