/**
 * Signal generation: runs a strategy over an asset's candles incrementally (like indicators: only
 * bars after the last generated one, or from the earliest changed candle) and stores each candidate
 * once per (asset, strategy, timeframe, ts). A newer signal of the same strategy and asset
 * deactivates the older ones; expired ones are deactivated by expireSignals (a job).
 */
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';
import { expiresAfterMs } from './signals/expiry.ts';
import { getStrategy, STRATEGY_NAMES } from './signals/registry.ts';
import type { SignalCandidate, Strategy, StrategyParams } from './signals/types.ts';
import { deactivateSuperseded, deleteSignalsFrom, insertSignals, type SignalRow } from './signals-repository.ts';
import { runSeries } from './series-runner.ts';

export interface StrategySpec {
  strategy: Strategy;
  params: StrategyParams;
}

export function strategySpecs(names: readonly string[] | undefined, params?: unknown): StrategySpec[] {
  const list = names?.length ? names : STRATEGY_NAMES;
  if (params !== undefined && params !== null && list.length !== 1) {
    throw new UserError('params apply to one strategy: name it (--strategy NAME, or "strategies": [NAME])');
  }
  return list.map((n) => {
    let strategy: Strategy;
    try {
      strategy = getStrategy(n);
    } catch {
      throw new UserError(`unknown strategy "${n}" (valid: ${STRATEGY_NAMES.join(', ')})`);
    }
    try {
      return { strategy, params: strategy.parseParams(list.length === 1 ? params : undefined) };
    } catch (err) {
      throw new UserError(`${n}: ${(err as Error).message}`);
    }
  });
}

/**
 * The name a strategy's signals are stored under: its own with default parameters, else with the
 * parameters that differ, e.g. `ma-crossover(fast=5)`. Signals made with other parameters are
 * another series, so changing them never mixes two settings in one history.
 */
export function seriesName(spec: StrategySpec): string {
  const d = spec.strategy.defaults as Record<string, unknown>;
  const p = spec.params as Record<string, unknown>;
  const changed = Object.keys(p)
    .filter((k) => p[k] !== d[k])
    .sort()
    .map((k) => `${k}=${String(p[k])}`);
  return changed.length ? `${spec.strategy.name}(${changed.join(',')})` : spec.strategy.name;
}

export function toSignalRow(
  c: SignalCandidate,
  assetId: string,
  timeframe: Interval,
  strategy = c.strategy,
): SignalRow {
  return {
    asset_id: assetId,
    ts: new Date(c.ts),
    signal_type: c.signalType,
    strength: c.strength,
    confidence: c.confidence,
    price: c.price,
    target_price: c.targetPrice,
    stop_loss: c.stopLoss,
    strategy,
    rationale: c.rationale,
    indicators_used: c.indicatorsUsed,
    timeframe,
    expires_at: new Date(c.ts + expiresAfterMs(timeframe)),
  };
}

export interface GenerateResult {
  asset_id: string;
  strategy: string;
  /** The version of a user's strategy that made them (absent for the built-in strategies). */
  strategy_version?: number;
  candidates: number;
  inserted: number;
  deactivated: number;
  recomputed: boolean;
}

export async function generateSignalSeries(
  db: Database,
  assetId: string,
  timeframe: Interval,
  spec: StrategySpec,
): Promise<GenerateResult> {
  const name = seriesName(spec);
  const run = await runSeries(db, {
    key: { assetId, timeframe, kind: 'signal', name },
    warmup: spec.strategy.warmup(spec.params),
    compute: (cols) =>
      cols.ts.length > cols.start ? spec.strategy.generate(cols, spec.params, { fromIndex: cols.start }) : [],
    write: async (tx, candidates, replaceFrom) => {
      if (replaceFrom) await deleteSignalsFrom(tx, assetId, name, timeframe, replaceFrom);
      const inserted = await insertSignals(
        tx,
        candidates.map((c) => toSignalRow(c, assetId, timeframe, name)),
      );
      return { inserted, deactivated: await deactivateSuperseded(tx, assetId, name, timeframe) };
    },
  });
  return {
    asset_id: assetId,
    strategy: name,
    candidates: run.rows.length,
    inserted: run.written.inserted,
    deactivated: run.written.deactivated,
    recomputed: run.recomputed,
  };
}

export async function generateSignals(
  db: Database,
  assetIds: readonly string[],
  timeframe: Interval,
  specs: readonly StrategySpec[],
): Promise<GenerateResult[]> {
  const out: GenerateResult[] = [];
  for (const a of assetIds) for (const s of specs) out.push(await generateSignalSeries(db, a, timeframe, s));
  return out;
}
