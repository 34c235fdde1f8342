/** SQL of condition alerts (revision 0017): the condition_alerts rules and their condition_alert_events history. */
import type { Page, PageQuery } from '../db/page.ts';
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Interval } from '../intervals.ts';

export type ConditionAlert = {
  id: string;
  user_id: string;
  asset_id: string;
  symbol: string;
  interval: Interval;
  rule: string;
  enabled: boolean;
  /** The last closed bar evaluated (null: none yet) and the rule's truth on it. */
  last_ts: Date | null;
  last_state: boolean | null;
  created_at: Date;
};

export type ConditionAlertEvent = {
  id: string;
  alert_id: string | null;
  user_id: string;
  asset_id: string;
  symbol: string;
  interval: Interval;
  rule: string;
  candle_ts: Date;
  price: number;
  values: Record<string, number | null>;
  triggered_at: Date;
};

const ALERT_COLS = `c.id, c.user_id, c.asset_id, a.symbol, c."interval"::text AS "interval", c.rule, c.enabled,
  c.last_ts, c.last_state, c.created_at`;
const EVENT_COLS = `e.id, e.alert_id, e.user_id, e.asset_id, a.symbol, e."interval"::text AS "interval", e.rule,
  e.candle_ts, e.price, e."values", e.triggered_at`;

export interface NewConditionAlert {
  userId: string;
  assetId: string;
  interval: Interval;
  rule: string;
  /** The newest closed bar when the rule is added: the rule fires on bars after it only. */
  lastTs: Date | null;
}

export async function insertConditionAlert(q: Queryable, n: NewConditionAlert): Promise<ConditionAlert> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO condition_alerts (user_id, asset_id, "interval", rule, last_ts)
     VALUES ($1, $2, $3::candle_interval, $4, $5) RETURNING id`,
    [n.userId, n.assetId, n.interval, n.rule, n.lastTs],
  );
  return ownedConditionAlert(q, r.rows[0].id, n.userId);
}

/** The user's rule with this id; 404 when there is none, or it is someone else's. */
export async function ownedConditionAlert(q: Queryable, id: string, userId: string): Promise<ConditionAlert> {
  const r = /^[0-9a-f-]{36}$/i.test(id)
    ? await q.query<ConditionAlert>(
        `SELECT ${ALERT_COLS} FROM condition_alerts c JOIN assets a ON a.id = c.asset_id
         WHERE c.id = $1 AND c.user_id = $2`,
        [id, userId],
      )
    : { rows: [] };
  if (!r.rows[0]) throw new UserError(`no condition alert ${id}`, 404);
  return r.rows[0];
}

export async function listConditionAlerts(q: Queryable, userId: string): Promise<ConditionAlert[]> {
  const r = await q.query<ConditionAlert>(
    `SELECT ${ALERT_COLS} FROM condition_alerts c JOIN assets a ON a.id = c.asset_id
     WHERE c.user_id = $1 ORDER BY c.created_at, c.id`,
    [userId],
  );
  return r.rows;
}

/**
 * Changes the user's rule (404 when it is not theirs): `enabled` turns it off or on, `rule` replaces its
 * condition. A new condition, or turning it back on, starts at `lastTs` (the newest closed bar now), so
 * bars closed before the change never fire, and forgets the old truth value.
 */
export async function updateConditionAlert(
  q: Queryable,
  id: string,
  userId: string,
  change: { enabled?: boolean; rule?: string; lastTs?: Date | null },
): Promise<ConditionAlert> {
  const before = await ownedConditionAlert(q, id, userId);
  const restart = change.rule !== undefined || (change.enabled === true && !before.enabled);
  await q.query(
    `UPDATE condition_alerts SET enabled = coalesce($3, enabled), rule = coalesce($4, rule),
       last_ts = CASE WHEN $5 THEN $6::timestamptz ELSE last_ts END,
       last_state = CASE WHEN $5 THEN NULL ELSE last_state END
     WHERE id = $1 AND user_id = $2`,
    [id, userId, change.enabled ?? null, change.rule ?? null, restart, change.lastTs ?? null],
  );
  return ownedConditionAlert(q, id, userId);
}

/** Deletes the user's rule (its history stays); 404 when it is not theirs. */
export async function deleteConditionAlert(q: Queryable, id: string, userId: string): Promise<void> {
  await ownedConditionAlert(q, id, userId);
  await q.query('DELETE FROM condition_alerts WHERE id = $1 AND user_id = $2', [id, userId]);
}

/** An enabled rule with where it stands and its series' newest bar (null: no bars), for an evaluation round. */
export interface AlertToEvaluate {
  id: string;
  asset_id: string;
  interval: Interval;
  last_ts: Date | null;
  series_last_ts: Date | null;
}

/** The enabled rules on these assets (null: all), with the newest bar of their series. */
export async function enabledAlerts(q: Queryable, assetIds: readonly string[] | null): Promise<AlertToEvaluate[]> {
  const r = await q.query<AlertToEvaluate>(
    `SELECT c.id, c.asset_id, c."interval"::text AS "interval", c.last_ts, s.last_ts AS series_last_ts
     FROM condition_alerts c
     LEFT JOIN candle_series s ON s.asset_id = c.asset_id AND s."interval" = c."interval"
     WHERE c.enabled AND ($1::uuid[] IS NULL OR c.asset_id = ANY ($1::uuid[]))
     ORDER BY c.id`,
    [assetIds ? [...assetIds] : null],
  );
  return r.rows;
}

/**
 * The rules, locked for this transaction (in id order, so two evaluations never deadlock): a concurrent
 * evaluation of the same rule waits and then sees the bars this one recorded, so a turn fires once.
 * Rules deleted or disabled meanwhile are left out.
 */
export async function lockConditionAlerts(q: Queryable, ids: readonly string[]): Promise<ConditionAlert[]> {
  const r = await q.query<ConditionAlert>(
    `SELECT ${ALERT_COLS} FROM condition_alerts c JOIN assets a ON a.id = c.asset_id
     WHERE c.id = ANY ($1::uuid[]) AND c.enabled ORDER BY c.id FOR UPDATE OF c`,
    [[...ids]],
  );
  return r.rows;
}

export async function saveAlertState(q: Queryable, id: string, lastTs: Date, lastState: boolean): Promise<void> {
  await q.query('UPDATE condition_alerts SET last_ts = $2, last_state = $3 WHERE id = $1', [id, lastTs, lastState]);
}

export interface FiredEvent {
  candleTs: Date;
  price: number;
  values: Record<string, number | null>;
}

/** Records firings of a rule (each bar once); the trigger enqueues their deliveries in this transaction. */
export async function insertAlertEvents(
  q: Queryable,
  a: ConditionAlert,
  fired: readonly FiredEvent[],
): Promise<ConditionAlertEvent[]> {
  if (fired.length === 0) return [];
  const r = await q.query<ConditionAlertEvent>(
    `WITH ins AS (
       INSERT INTO condition_alert_events (alert_id, user_id, asset_id, "interval", rule, candle_ts, price, "values")
       SELECT $1, $2, $3, $4::candle_interval, $5, u.ts, u.price, u.vals
       FROM unnest($6::timestamptz[], $7::float8[], $8::jsonb[]) AS u(ts, price, vals)
       ON CONFLICT ON CONSTRAINT condition_alert_events_once DO NOTHING
       RETURNING *
     )
     SELECT ${EVENT_COLS} FROM ins e JOIN assets a ON a.id = e.asset_id ORDER BY e.candle_ts`,
    [
      a.id,
      a.user_id,
      a.asset_id,
      a.interval,
      a.rule,
      fired.map((f) => f.candleTs.toISOString()),
      fired.map((f) => f.price),
      fired.map((f) => JSON.stringify(f.values)),
    ],
  );
  return r.rows;
}

/** The user's firings, newest first; optionally of one rule. */
export async function listAlertEvents(
  q: Queryable,
  userId: string,
  page: PageQuery,
  filter: { alertId?: string } = {},
): Promise<Page<ConditionAlertEvent>> {
  const where = 'e.user_id = $1 AND ($2::uuid IS NULL OR e.alert_id = $2)';
  const params = [userId, filter.alertId ?? null];
  const r = await q.query<ConditionAlertEvent>(
    `SELECT ${EVENT_COLS} FROM condition_alert_events e JOIN assets a ON a.id = e.asset_id
     WHERE ${where} ORDER BY e.triggered_at DESC, e.candle_ts DESC, e.id LIMIT $3 OFFSET $4`,
    [...params, page.limit, page.offset],
  );
  const n = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM condition_alert_events e WHERE ${where}`,
    params,
  );
  return { items: r.rows, limit: page.limit, offset: page.offset, total: n.rows[0].n };
}
