/**
 * The watchlist_items table. Positions stay dense (0..n-1) and unique: every insert, move and removal
 * shifts its neighbours inside one transaction holding the watchlist's row lock (the unique
 * (watchlist_id, position) constraint is deferred to commit, so rows may pass through each other).
 */
import type { Database, Queryable } from '../db/types.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { UserError } from '../errors.ts';
import { assetById } from '../market/assets-repository.ts';
import type { Page, PageQuery } from '../db/page.ts';
import { lockOwnWatchlist } from './watchlists.ts';
import { rearmAlerts } from './alerts.ts';

export interface WatchlistItem {
  id: string;
  watchlist_id: string;
  asset_id: string;
  symbol: string;
  position: number;
  notes: string | null;
  price_alert_high: number | null;
  price_alert_low: number | null;
  /** False: the thresholds are kept but not evaluated (turned off). */
  price_alert_enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface ItemInput {
  asset_id: string;
  position?: number;
  notes?: string | null;
  price_alert_high?: number | null;
  price_alert_low?: number | null;
}

export type ItemPatch = Omit<Partial<ItemInput>, 'asset_id'> & { price_alert_enabled?: boolean };

const SELECT = `SELECT i.id, i.watchlist_id, i.asset_id, a.symbol, i.position, i.notes, i.price_alert_high,
    i.price_alert_low, i.price_alert_enabled, i.created_at, i.updated_at
  FROM watchlist_items i JOIN assets a ON a.id = i.asset_id`;

const ITEM_NOT_FOUND = () => new UserError('watchlist item not found', 404);

function checkThresholds(high: number | null | undefined, low: number | null | undefined): void {
  for (const [name, v] of [
    ['price_alert_high', high],
    ['price_alert_low', low],
  ] as const) {
    if (v != null && !(Number.isFinite(v) && v > 0)) throw new UserError(`${name}: must be a positive number`);
  }
  if (high != null && low != null && !(high > low)) {
    throw new UserError('price_alert_high: must be greater than price_alert_low');
  }
}

async function count(tx: Queryable, watchlistId: string): Promise<number> {
  const r = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM watchlist_items WHERE watchlist_id = $1', [
    watchlistId,
  ]);
  return r.rows[0].n;
}

async function getItem(q: Queryable, watchlistId: string, itemId: string): Promise<WatchlistItem> {
  const r = await q.query<WatchlistItem>(`${SELECT} WHERE i.id = $1 AND i.watchlist_id = $2`, [itemId, watchlistId]);
  if (!r.rows[0]) throw ITEM_NOT_FOUND();
  return r.rows[0];
}

export async function listItems(
  db: Database,
  userId: string,
  watchlistId: string,
  page: PageQuery,
): Promise<Page<WatchlistItem>> {
  return db.transaction(async (tx) => {
    const own = await tx.query('SELECT 1 FROM watchlists WHERE id = $1 AND user_id = $2', [watchlistId, userId]);
    if (!own.rows[0]) throw new UserError('watchlist not found', 404);
    const items = await tx.query<WatchlistItem>(
      `${SELECT} WHERE i.watchlist_id = $1 ORDER BY i.position LIMIT $2 OFFSET $3`,
      [watchlistId, page.limit, page.offset],
    );
    return { items: items.rows, limit: page.limit, offset: page.offset, total: await count(tx, watchlistId) };
  });
}

export async function getOwnItem(
  db: Database,
  userId: string,
  watchlistId: string,
  itemId: string,
): Promise<WatchlistItem> {
  return db.transaction(async (tx) => {
    const own = await tx.query('SELECT 1 FROM watchlists WHERE id = $1 AND user_id = $2', [watchlistId, userId]);
    if (!own.rows[0]) throw new UserError('watchlist not found', 404);
    return getItem(tx, watchlistId, itemId);
  });
}

export async function addItem(
  db: Database,
  userId: string,
  watchlistId: string,
  input: ItemInput,
): Promise<WatchlistItem> {
  checkThresholds(input.price_alert_high, input.price_alert_low);
  return db.transaction(async (tx) => {
    await lockOwnWatchlist(tx, userId, watchlistId);
    const asset = await assetById(tx, input.asset_id);
    if (!asset) throw new UserError(`asset_id: no asset with id ${input.asset_id}`);
    const dup = await tx.query('SELECT 1 FROM watchlist_items WHERE watchlist_id = $1 AND asset_id = $2', [
      watchlistId,
      input.asset_id,
    ]);
    if (dup.rows[0]) throw new UserError(`${asset.symbol} is already in this watchlist`, 409);
    const n = await count(tx, watchlistId);
    const position = input.position ?? n;
    if (position > n) throw new UserError(`position: must be between 0 and ${n}`);
    await tx.query('UPDATE watchlist_items SET position = position + 1 WHERE watchlist_id = $1 AND position >= $2', [
      watchlistId,
      position,
    ]);
    try {
      const r = await tx.query<{ id: string }>(
        `INSERT INTO watchlist_items (watchlist_id, asset_id, position, notes, price_alert_high, price_alert_low)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          watchlistId,
          input.asset_id,
          position,
          input.notes ?? null,
          input.price_alert_high ?? null,
          input.price_alert_low ?? null,
        ],
      );
      return await getItem(tx, watchlistId, r.rows[0].id);
    } catch (err) {
      if (isUniqueViolation(err, 'watchlist_items_watchlist_id_asset_id_key')) {
        throw new UserError(`${asset.symbol} is already in this watchlist`, 409);
      }
      throw err;
    }
  });
}

export async function updateItem(
  db: Database,
  userId: string,
  watchlistId: string,
  itemId: string,
  patch: ItemPatch,
): Promise<WatchlistItem> {
  return db.transaction(async (tx) => {
    await lockOwnWatchlist(tx, userId, watchlistId);
    const cur = await getItem(tx, watchlistId, itemId);
    const high = patch.price_alert_high === undefined ? cur.price_alert_high : patch.price_alert_high;
    const low = patch.price_alert_low === undefined ? cur.price_alert_low : patch.price_alert_low;
    checkThresholds(high, low);
    if (patch.position !== undefined && patch.position !== cur.position) {
      const n = await count(tx, watchlistId);
      if (patch.position >= n) throw new UserError(`position: must be between 0 and ${n - 1}`);
      await moveWithin(tx, watchlistId, cur.position, patch.position);
      await tx.query('UPDATE watchlist_items SET position = $2 WHERE id = $1', [itemId, patch.position]);
    }
    const enabled = patch.price_alert_enabled ?? cur.price_alert_enabled;
    await tx.query(
      `UPDATE watchlist_items SET notes = $2, price_alert_high = $3, price_alert_low = $4, price_alert_enabled = $5
       WHERE id = $1`,
      [itemId, patch.notes === undefined ? cur.notes : patch.notes, high, low, enabled],
    );
    // A changed threshold starts armed again: the next price beyond it fires. An alert turned back on starts
    // over from the newest candle (re-armed, no last candle), so what was written while it was off never fires.
    const restarted = enabled && !cur.price_alert_enabled;
    await rearmAlerts(tx, itemId, {
      high: restarted || high !== cur.price_alert_high,
      low: restarted || low !== cur.price_alert_low,
    });
    return getItem(tx, watchlistId, itemId);
  });
}

/** Shifts the items between two positions by one, making room at `to` for the item leaving `from`. */
async function moveWithin(tx: Queryable, watchlistId: string, from: number, to: number): Promise<void> {
  if (to < from) {
    await tx.query(
      'UPDATE watchlist_items SET position = position + 1 WHERE watchlist_id = $1 AND position >= $2 AND position < $3',
      [watchlistId, to, from],
    );
  } else {
    await tx.query(
      'UPDATE watchlist_items SET position = position - 1 WHERE watchlist_id = $1 AND position > $2 AND position <= $3',
      [watchlistId, from, to],
    );
  }
}

export async function removeItem(db: Database, userId: string, watchlistId: string, itemId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await lockOwnWatchlist(tx, userId, watchlistId);
    const r = await tx.query<{ position: number }>(
      'DELETE FROM watchlist_items WHERE id = $1 AND watchlist_id = $2 RETURNING position',
      [itemId, watchlistId],
    );
    if (!r.rows[0]) throw ITEM_NOT_FOUND();
    await tx.query('UPDATE watchlist_items SET position = position - 1 WHERE watchlist_id = $1 AND position > $2', [
      watchlistId,
      r.rows[0].position,
    ]);
  });
}

/** Sets the whole order at once: `itemIds` must list every item of the watchlist exactly once. */
export async function reorderItems(
  db: Database,
  userId: string,
  watchlistId: string,
  itemIds: string[],
): Promise<WatchlistItem[]> {
  return db.transaction(async (tx) => {
    await lockOwnWatchlist(tx, userId, watchlistId);
    const r = await tx.query<{ id: string }>('SELECT id FROM watchlist_items WHERE watchlist_id = $1', [watchlistId]);
    const have = new Set(r.rows.map((x) => x.id));
    const given = new Set(itemIds);
    if (given.size !== itemIds.length) throw new UserError('item_ids: lists an item more than once');
    if (given.size !== have.size || itemIds.some((id) => !have.has(id))) {
      throw new UserError(`item_ids: must list each of the watchlist's ${have.size} items exactly once`);
    }
    await tx.query(
      `UPDATE watchlist_items i SET position = o.ord - 1
       FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, ord)
       WHERE i.id = o.id AND i.watchlist_id = $1 AND i.position <> o.ord - 1`,
      [watchlistId, itemIds],
    );
    return (await tx.query<WatchlistItem>(`${SELECT} WHERE i.watchlist_id = $1 ORDER BY i.position`, [watchlistId]))
      .rows;
  });
}
