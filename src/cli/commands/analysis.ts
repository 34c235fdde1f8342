/** tm indicators and tm signals: stored indicators, CSV calculations, signal generation and backtests. */
import type { Command } from 'commander';
import { registerIndicators } from './analysis/indicators.ts';
import { registerSignals } from './analysis/signals.ts';

export function registerAnalysis(program: Command): void {
  registerIndicators(program);
  registerSignals(program);
}
