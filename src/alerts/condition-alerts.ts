/**
 * Condition alerts (docs/alerts.md): a user's rule in the strategy language on one asset and interval,
 * evaluated on each newly closed bar; it fires on a bar where it is true and was not on the bar before.
 * A bar is closed once its interval has ended (a still-forming bar is never read). Each firing is stored
 * with the bar and the values the rule read, and delivered through the notification outbox (the
 * condition_alert event; a trigger enqueues it in the same transaction).
 */
import { bucketStart, type Interval } from '../intervals.ts';
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { getAsset } from '../market/assets-repository.ts';
import { lastCandleTs, readCandleColumns } from '../market/candles-repository.ts';
import { loadOtherIntervals } from '../analysis/generate-rule-signals.ts';
import { indicatorNodes, label } from '../analysis/signals/rules.ts';
import { evaluateColumns, type Node, parseRule, ruleWarmup, walk } from '../analysis/strategy/index.ts';
import {
  type ConditionAlert,
  type ConditionAlertEvent,
  type FiredEvent,
  type AlertToEvaluate,
  enabledAlerts,
  insertAlertEvents,
  insertConditionAlert,
  lockConditionAlerts,
  ownedConditionAlert,
  saveAlertState,
  updateConditionAlert,
} from './condition-alerts-repository.ts';

const NO_PARAMS: Readonly<Record<string, number>> = Object.freeze({});

/**
 * Parses an alert's condition; errors name the column like the strategy parser's. Alerts have no
 * parameters, and indicator arguments must be in range (checked on a few synthetic bars).
 */
export function checkCondition(text: string): Node {
  const fail = (err: unknown): never => {
    if (err instanceof UserError) throw new UserError(`condition: ${err.message}`);
    throw err;
  };
  let node: Node;
  try {
    node = parseRule(text);
  } catch (err) {
    return fail(err);
  }
  for (const n of walk(node)) {
    if (n.kind === 'param') {
      throw new UserError(`condition: $${n.name} at column ${n.column}: an alert has no parameters, write the number`);
    }
  }
  const bars = { ts: Float64Array.of(0, 86_400_000), ...ohlcv(2) };
  try {
    evaluateColumns([node], { bars, interval: '1d', params: NO_PARAMS, other: () => bars });
  } catch (err) {
    fail(err);
  }
  return node;
}

function ohlcv(n: number) {
  const col = () => new Float64Array(n).fill(1);
  return { open: col(), high: col(), low: col(), close: col(), volume: col() };
}

/** The last bar of the interval that had closed at `now`: bars up to this time are read. */
export function closedUntil(interval: Interval, now: Date): Date {
  return new Date(bucketStart(interval, now.getTime()) - 1);
}

export interface NewRule {
  userId: string;
  symbol: string;
  interval: Interval;
  rule: string;
  now?: Date;
}

/** Adds a rule; it fires on bars closed after the newest one closed now (history never fires). */
export async function addConditionAlert(q: Queryable, r: NewRule): Promise<ConditionAlert> {
  checkCondition(r.rule);
  const asset = await getAsset(q, r.symbol);
  const lastTs = await lastCandleTs(q, asset.id, r.interval, closedUntil(r.interval, r.now ?? new Date()));
  return insertConditionAlert(q, { userId: r.userId, assetId: asset.id, interval: r.interval, rule: r.rule, lastTs });
}

/** Changes a rule: a new condition is checked first; a new condition or a rule turned on starts at the newest closed bar. */
export async function changeConditionAlert(
  q: Queryable,
  c: { userId: string; id: string; enabled?: boolean; rule?: string; now?: Date },
): Promise<ConditionAlert> {
  if (c.rule !== undefined) checkCondition(c.rule);
  const before = await ownedConditionAlert(q, c.id, c.userId);
  const lastTs = await lastCandleTs(
    q,
    before.asset_id,
    before.interval,
    closedUntil(before.interval, c.now ?? new Date()),
  );
  return updateConditionAlert(q, c.id, c.userId, { enabled: c.enabled, rule: c.rule, lastTs });
}

/**
 * Evaluates the enabled rules on these assets (default: all) over their bars closed by `now` and not seen
 * yet, and returns the firings recorded. Safe to call repeatedly and concurrently: rules are evaluated
 * under their row locks and record the last bar they saw with their firings, in one transaction. The rules
 * of one asset and interval share one read of the bars and the indicators they have in common.
 */
export async function evaluateConditionAlerts(
  db: Database,
  opts: { assetIds?: readonly string[]; now?: Date } = {},
): Promise<ConditionAlertEvent[]> {
  if (opts.assetIds && opts.assetIds.length === 0) return [];
  const now = opts.now ?? new Date();
  const groups = new Map<string, string[]>();
  for (const a of await enabledAlerts(db, opts.assetIds ?? null)) {
    if (!mayHaveNewBar(a, now)) continue;
    const key = `${a.asset_id} ${a.interval}`;
    groups.set(key, [...(groups.get(key) ?? []), a.id]);
  }
  const out: ConditionAlertEvent[] = [];
  for (const ids of groups.values()) out.push(...(await db.transaction((tx) => evaluateGroup(tx, ids, now))));
  return out;
}

/**
 * Whether a closed bar the rule has not seen can exist, from what the round already knows (no candle read):
 * none when its series has no bar after the last one it saw, or when it has seen the bar before the one
 * forming now. Most rounds end here for most rules.
 */
function mayHaveNewBar(a: AlertToEvaluate, now: Date): boolean {
  if (!a.series_last_ts) return false;
  if (!a.last_ts) return true;
  if (a.series_last_ts.getTime() <= a.last_ts.getTime()) return false;
  const newestClosedStart = bucketStart(a.interval, bucketStart(a.interval, now.getTime()) - 1);
  return a.last_ts.getTime() < newestClosedStart;
}

/** Rules of one asset and interval. */
async function evaluateGroup(tx: Queryable, ids: readonly string[], now: Date): Promise<ConditionAlertEvent[]> {
  const alerts = await lockConditionAlerts(tx, ids);
  if (alerts.length === 0) return [];
  const { asset_id: assetId, interval } = alerts[0];
  const to = closedUntil(interval, now);
  // Never evaluated (no bars when added): only the newest closed bar may fire, as for price alerts.
  const newest = alerts.some((a) => !a.last_ts) ? await lastCandleTs(tx, assetId, interval, to) : null;
  const rules = alerts
    .map((a) => ({ a, node: parseRule(a.rule), from: a.last_ts ? a.last_ts.getTime() + 1 : newest?.getTime() }))
    .filter((r): r is typeof r & { from: number } => r.from !== undefined);
  if (rules.length === 0) return [];
  // +1: a firing compares a bar with the one before it.
  const warmup = Math.max(...rules.map((r) => ruleWarmup(r.node, NO_PARAMS))) + 1;
  const from = new Date(Math.min(...rules.map((r) => r.from)));
  const bars = await readCandleColumns(tx, { assetId, interval, from, warmup, to });
  const n = bars.ts.length;
  if (n <= bars.start) return [];
  const nodes = rules.map((r) => r.node);
  const other = await loadOtherIntervals(tx, assetId, nodes, NO_PARAMS, { ts: bars.ts, interval });
  const shown = nodes.map(indicatorNodes);
  const cols = evaluateColumns([...nodes, ...shown.flat()], { bars, interval, params: NO_PARAMS, other });
  const values = new Map(shown.flat().map((node, k) => [label(node), cols[nodes.length + k]]));
  const out: ConditionAlertEvent[] = [];
  for (const [k, r] of rules.entries()) {
    const truth = cols[k];
    let first = bars.start;
    while (first < n && bars.ts[first] < r.from) first++;
    if (first === n) continue;
    const fired: FiredEvent[] = [];
    for (let i = Math.max(1, first); i < n; i++) {
      if (truth[i] !== 1 || truth[i - 1] === 1) continue;
      const used: Record<string, number | null> = {};
      for (const s of shown[k]) {
        const v = values.get(label(s))?.[i];
        used[label(s)] = v !== undefined && Number.isFinite(v) ? v : null;
      }
      fired.push({ candleTs: new Date(bars.ts[i]), price: bars.close[i], values: used });
    }
    out.push(...(await insertAlertEvents(tx, r.a, fired)));
    await saveAlertState(tx, r.a.id, new Date(bars.ts[n - 1]), truth[n - 1] === 1);
  }
  return out;
}
