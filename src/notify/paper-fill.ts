/**
 * paper_fill events (docs/notifications.md): one delivery per fill and enabled channel of the account's
 * owner that chose paper_fill. Called in the transaction that commits the fills, so a fill is told
 * exactly when it exists; the unique (channel, event) key makes a repeated call add nothing.
 */
import type { Queryable } from '../db/types.ts';

export interface PaperFillEvent {
  account: string;
  portfolio_id: string;
  strategy: string;
  strategy_version: number;
  symbol: string;
  interval: string;
  side: 'buy' | 'sell';
  time: string;
  /** Decimal strings, as stored in the portfolio's transaction. */
  quantity: string;
  price: string;
  fee: string;
  currency: string;
}

/** Enqueues the fills for `userId`'s channels; returns how many deliveries were added. */
export async function enqueuePaperFills(
  q: Queryable,
  userId: string,
  fills: readonly PaperFillEvent[],
): Promise<number> {
  if (fills.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
     SELECT c.id, c.user_id, 'paper_fill', f.d->>'portfolio_id' || ':' || (f.d->>'side') || ':' || (f.d->>'time'),
            jsonb_build_object('type', 'paper_fill', 'timestamp', now(), 'data', f.d)
     FROM jsonb_array_elements($2::jsonb) AS f(d)
     CROSS JOIN notification_channels c JOIN users u ON u.id = c.user_id
     WHERE c.user_id = $1 AND c.enabled AND 'paper_fill' = ANY (c.events) AND u.is_active
     ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING`,
    [userId, JSON.stringify(fills)],
  );
  return r.rowCount;
}
