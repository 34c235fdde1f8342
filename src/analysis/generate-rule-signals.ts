/**
 * Signals of users' strategies: the same incremental, idempotent generation as the built-in strategies
 * (generate-signals.ts), over the strategy's latest version. Stored as `<username>/<name>` with the user,
 * strategy and version; a new version replaces the series (its signals are generated again from the start).
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { type Interval, nextBucket } from '../intervals.ts';
import { readCandleColumns } from '../market/candles-repository.ts';
import type { CandleSeries } from '../ohlcv.ts';
import type { GenerateResult } from './generate-signals.ts';
import { toSignalRow } from './generate-signals.ts';
import { runSeries } from './series-runner.ts';
import { generateRuleSignals, ruleSignalWarmup, type RuleStrategy } from './signals/rules.ts';
import { deactivateSuperseded, deleteOtherVersions, deleteSignalsFrom, insertSignals } from './signals-repository.ts';
import { getStrategy, listStrategies, type StrategyVersion } from './strategies-repository.ts';
import { type Node, type Params, otherWarmups, parseRule } from './strategy/index.ts';

export interface UserStrategySpec {
  userId: string;
  username: string;
  version: StrategyVersion;
}

/** The strategies to run: the named ones of the user (latest versions), or all of them. */
export async function userStrategySpecs(
  q: Queryable,
  user: { id: string; username: string },
  names: readonly string[] | undefined,
): Promise<UserStrategySpec[]> {
  const versions = names?.length
    ? await Promise.all(names.map((n) => getStrategy(q, user.id, n)))
    : await listStrategies(q, user.id);
  if (versions.length === 0) throw new UserError(`${user.username} has no strategies (tm strategies add)`);
  return versions.map((version) => ({ userId: user.id, username: user.username, version }));
}

/** The name its signals are stored and listed under. */
export const userSignalName = (s: UserStrategySpec) => `${s.username}/${s.version.name}`;

function ruleStrategy(s: UserStrategySpec): RuleStrategy {
  const v = s.version;
  return {
    name: userSignalName(s),
    entry: { text: v.entry, node: parseRule(v.entry) },
    exit: { text: v.exit, node: parseRule(v.exit) },
    params: v.params,
  };
}

/**
 * Bars of the other intervals a rule reads (`expr@1d`) for the base bars read: from the warm-up its
 * expression needs before the first base bar, up to the last base bar's close.
 */
export async function loadOtherIntervals(
  q: Queryable,
  assetId: string,
  rules: readonly Node[],
  params: Params,
  base: { ts: Float64Array; interval: Interval },
): Promise<(interval: Interval) => CandleSeries> {
  const wanted = new Map<string, number>();
  for (const rule of rules) otherWarmups(rule, params, wanted);
  const loaded = new Map<string, CandleSeries>();
  const n = base.ts.length;
  for (const [interval, warmup] of wanted) {
    if (interval === base.interval || n === 0) continue;
    const cols = await readCandleColumns(q, {
      assetId,
      interval: interval as Interval,
      from: new Date(base.ts[0]),
      warmup: warmup + 1,
      to: new Date(nextBucket(base.interval, base.ts[n - 1])),
    });
    loaded.set(interval, cols);
  }
  return (interval) => {
    const cols = loaded.get(interval);
    if (!cols) throw new Error(`bars of ${interval} were not loaded`);
    return cols;
  };
}

export async function generateUserSignalSeries(
  db: Database,
  assetId: string,
  timeframe: Interval,
  spec: UserStrategySpec,
): Promise<GenerateResult> {
  const rule = ruleStrategy(spec);
  const v = spec.version;
  const keep = { strategyId: v.strategy_id, version: v.version };
  const run = await runSeries(db, {
    // One series per strategy version: a new version (or a re-created strategy) starts from scratch.
    key: { assetId, timeframe, kind: 'signal', name: `user:${v.strategy_id}:v${v.version}` },
    warmup: ruleSignalWarmup(rule),
    compute: async (cols) => {
      if (cols.ts.length <= cols.start) return [];
      const other = await loadOtherIntervals(db, assetId, [rule.entry.node, rule.exit.node], rule.params, {
        ts: cols.ts,
        interval: timeframe,
      });
      return generateRuleSignals(cols, rule, { interval: timeframe, fromIndex: cols.start, other });
    },
    write: async (tx, candidates, replaceFrom) => {
      await deleteOtherVersions(tx, assetId, rule.name, timeframe, keep);
      if (replaceFrom) await deleteSignalsFrom(tx, assetId, rule.name, timeframe, replaceFrom);
      const rows = candidates.map((c) => ({
        ...toSignalRow(c, assetId, timeframe, rule.name),
        user_id: spec.userId,
        strategy_id: v.strategy_id,
        strategy_version: v.version,
      }));
      const inserted = await insertSignals(tx, rows);
      return { inserted, deactivated: await deactivateSuperseded(tx, assetId, rule.name, timeframe) };
    },
  });
  return {
    asset_id: assetId,
    strategy: rule.name,
    strategy_version: v.version,
    candidates: run.rows.length,
    inserted: run.written.inserted,
    deactivated: run.written.deactivated,
    recomputed: run.recomputed,
  };
}
