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
  enabledAlertIds,
  insertAlertEvents,
  insertConditionAlert,
  lockConditionAlert,
  saveAlertState,
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

/**
 * Evaluates the enabled rules on these assets (default: all) over their bars closed by `now` and not seen
 * yet, and returns the firings recorded. Safe to call repeatedly and concurrently: each rule is evaluated
 * under its row lock and records the last bar it saw with its firings, in one transaction.
 */
export async function evaluateConditionAlerts(
  db: Database,
  opts: { assetIds?: readonly string[]; now?: Date } = {},
): Promise<ConditionAlertEvent[]> {
  if (opts.assetIds && opts.assetIds.length === 0) return [];
  const now = opts.now ?? new Date();
  const out: ConditionAlertEvent[] = [];
  for (const id of await enabledAlertIds(db, opts.assetIds ?? null)) {
    out.push(...(await db.transaction((tx) => evaluateOne(tx, id, now))));
  }
  return out;
}

async function evaluateOne(tx: Queryable, id: string, now: Date): Promise<ConditionAlertEvent[]> {
  const a = await lockConditionAlert(tx, id);
  if (!a) return [];
  const node = parseRule(a.rule);
  // +1: a firing compares a bar with the one before it.
  const warmup = ruleWarmup(node, NO_PARAMS) + 1;
  const to = closedUntil(a.interval, now);
  // Never evaluated (no bars when it was added): only the newest closed bar may fire, as for price alerts.
  const from = a.last_ts ? new Date(a.last_ts.getTime() + 1) : await lastCandleTs(tx, a.asset_id, a.interval, to);
  if (!from) return [];
  const bars = await readCandleColumns(tx, { assetId: a.asset_id, interval: a.interval, from, warmup, to });
  const n = bars.ts.length;
  if (n <= bars.start) return [];
  const other = await loadOtherIntervals(tx, a.asset_id, [node], NO_PARAMS, { ts: bars.ts, interval: a.interval });
  const shown = indicatorNodes(node);
  const [truth, ...values] = evaluateColumns([node, ...shown], {
    bars,
    interval: a.interval,
    params: NO_PARAMS,
    other,
  });
  const fired: FiredEvent[] = [];
  for (let i = Math.max(1, bars.start); i < n; i++) {
    if (truth[i] !== 1 || truth[i - 1] === 1) continue;
    const used: Record<string, number | null> = {};
    shown.forEach((s, k) => {
      used[label(s)] = Number.isFinite(values[k][i]) ? values[k][i] : null;
    });
    fired.push({ candleTs: new Date(bars.ts[i]), price: bars.close[i], values: used });
  }
  const events = await insertAlertEvents(tx, a, fired);
  await saveAlertState(tx, a.id, new Date(bars.ts[n - 1]), truth[n - 1] === 1);
  return events;
}
