/**
 * The watchlists table. Rules: a user sees only their own lists (another user's id is "not found");
 * exactly one default per user once they have any list — the first one created is the default,
 * making another the default moves the flag, deleting the default promotes the oldest remaining list.
 * Every change takes the user's row lock, so two concurrent creates cannot both become the default.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import type { Page, PageQuery } from '../db/page.ts';

/** The icons a watchlist may carry (names from common open icon sets; the client maps them to glyphs). */
export const WATCHLIST_ICONS = [
  'star',
  'heart',
  'bookmark',
  'flag',
  'eye',
  'bell',
  'chart-line',
  'chart-bar',
  'chart-pie',
  'trending-up',
  'trending-down',
  'briefcase',
  'wallet',
  'coins',
  'bitcoin',
  'dollar',
  'globe',
  'rocket',
  'fire',
  'bolt',
  'shield',
  'target',
  'folder',
  'list',
] as const;

export type WatchlistIcon = (typeof WATCHLIST_ICONS)[number];

export const COLOR_RE = /^#[0-9A-Fa-f]{6}$/;

export interface Watchlist {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  color: string | null;
  icon: string | null;
  is_default: boolean;
  item_count: number;
  created_at: Date;
  updated_at: Date;
}

export interface WatchlistInput {
  name: string;
  description?: string | null;
  color?: string | null;
  icon?: string | null;
  is_default?: boolean;
}

export type WatchlistPatch = Partial<WatchlistInput>;

const SELECT = `SELECT w.id, w.user_id, w.name, w.description, w.color, w.icon, w.is_default,
    (SELECT count(*)::int FROM watchlist_items i WHERE i.watchlist_id = w.id) AS item_count,
    w.created_at, w.updated_at
  FROM watchlists w`;

const NOT_FOUND = () => new UserError('watchlist not found', 404);

function check(input: WatchlistPatch): void {
  if (input.color != null && !COLOR_RE.test(input.color)) throw new UserError('color: must be #RRGGBB');
  if (input.icon != null && !(WATCHLIST_ICONS as readonly string[]).includes(input.icon)) {
    throw new UserError(`icon: must be one of ${WATCHLIST_ICONS.join(', ')}`);
  }
}

async function lockUser(tx: Queryable, userId: string): Promise<void> {
  await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
}

/**
 * A user's watchlist names are unique (ignoring case and surrounding spaces): two lists of one name cannot
 * be told apart in a menu, and a create sent twice (a double click, a retried request) makes one list, not
 * two. Checked under the user's lock; existing duplicates from before this rule are left as they are.
 */
async function checkNameFree(tx: Queryable, userId: string, name: string, except?: string): Promise<void> {
  const r = await tx.query(
    `SELECT 1 FROM watchlists WHERE user_id = $1 AND lower(btrim(name)) = lower(btrim($2)) AND id IS DISTINCT FROM $3`,
    [userId, name, except ?? null],
  );
  if (r.rows.length) throw new UserError(`name: you already have a watchlist named "${name.trim()}"`, 409);
}

export async function listWatchlists(q: Queryable, userId: string, page: PageQuery): Promise<Page<Watchlist>> {
  // Sequential, not Promise.all: q may be a transaction's single connection.
  const items = await q.query<Watchlist>(
    `${SELECT} WHERE w.user_id = $1 ORDER BY w.created_at, w.id LIMIT $2 OFFSET $3`,
    [userId, page.limit, page.offset],
  );
  const total = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM watchlists WHERE user_id = $1', [userId]);
  return { items: items.rows, limit: page.limit, offset: page.offset, total: total.rows[0].n };
}

export async function getWatchlist(q: Queryable, userId: string, id: string): Promise<Watchlist> {
  const r = await q.query<Watchlist>(`${SELECT} WHERE w.id = $1 AND w.user_id = $2`, [id, userId]);
  if (!r.rows[0]) throw NOT_FOUND();
  return r.rows[0];
}

export async function createWatchlist(db: Database, userId: string, input: WatchlistInput): Promise<Watchlist> {
  check(input);
  return db.transaction(async (tx) => {
    await lockUser(tx, userId);
    await checkNameFree(tx, userId, input.name);
    const has = await tx.query('SELECT 1 FROM watchlists WHERE user_id = $1 LIMIT 1', [userId]);
    const isDefault = has.rows.length === 0 || input.is_default === true;
    if (isDefault)
      await tx.query('UPDATE watchlists SET is_default = false WHERE user_id = $1 AND is_default', [userId]);
    const r = await tx.query<{ id: string }>(
      `INSERT INTO watchlists (user_id, name, description, color, icon, is_default) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [userId, input.name, input.description ?? null, input.color ?? null, input.icon ?? null, isDefault],
    );
    return getWatchlist(tx, userId, r.rows[0].id);
  });
}

export async function updateWatchlist(
  db: Database,
  userId: string,
  id: string,
  patch: WatchlistPatch,
): Promise<Watchlist> {
  check(patch);
  return db.transaction(async (tx) => {
    await lockUser(tx, userId);
    const current = await getWatchlist(tx, userId, id);
    if (patch.name !== undefined) await checkNameFree(tx, userId, patch.name, id);
    if (patch.is_default === false && current.is_default) {
      throw new UserError(
        'is_default: a user always has one default watchlist; make another watchlist the default instead',
        400,
      );
    }
    if (patch.is_default === true && !current.is_default) {
      await tx.query('UPDATE watchlists SET is_default = false WHERE user_id = $1 AND is_default', [userId]);
    }
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const col of ['name', 'description', 'color', 'icon', 'is_default'] as const) {
      if (patch[col] === undefined) continue;
      params.push(patch[col]);
      sets.push(`${col} = $${params.length}`);
    }
    if (sets.length) await tx.query(`UPDATE watchlists SET ${sets.join(', ')} WHERE id = $1`, params);
    return getWatchlist(tx, userId, id);
  });
}

export async function deleteWatchlist(db: Database, userId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await lockUser(tx, userId);
    const r = await tx.query<{ is_default: boolean }>(
      'DELETE FROM watchlists WHERE id = $1 AND user_id = $2 RETURNING is_default',
      [id, userId],
    );
    if (!r.rows[0]) throw NOT_FOUND();
    if (r.rows[0].is_default) {
      await tx.query(
        `UPDATE watchlists SET is_default = true
         WHERE id = (SELECT id FROM watchlists WHERE user_id = $1 ORDER BY created_at, id LIMIT 1)`,
        [userId],
      );
    }
  });
}

/** The watchlist, locked for the rest of the transaction (item position changes serialize on it). */
export async function lockOwnWatchlist(tx: Queryable, userId: string, id: string): Promise<void> {
  const r = await tx.query('SELECT 1 FROM watchlists WHERE id = $1 AND user_id = $2 FOR UPDATE', [id, userId]);
  if (!r.rows[0]) throw NOT_FOUND();
}
