/**
 * Chart drawings (revision 0019): each user's list per asset, stored whole and replaced whole (the
 * chart saves what it shows). The route checks the shapes; this module only stores them.
 */
import type { Queryable } from '../db/types.ts';

/** A point of a drawing: a time (epoch seconds) and a price. */
export interface DrawingPoint {
  t: number;
  price: number;
}

export type Drawing =
  | { id: string; kind: 'hline'; price: number }
  | { id: string; kind: 'trend'; a: DrawingPoint; b: DrawingPoint }
  | { id: string; kind: 'rect'; a: DrawingPoint; b: DrawingPoint }
  | { id: string; kind: 'ray'; a: DrawingPoint; b: DrawingPoint }
  | { id: string; kind: 'fib'; a: DrawingPoint; b: DrawingPoint }
  | { id: string; kind: 'text'; at: DrawingPoint; text: string };

export interface Drawings {
  items: Drawing[];
  updated_at: Date | null;
}

export async function getDrawings(q: Queryable, userId: string, assetId: string): Promise<Drawings> {
  const r = await q.query<{ items: Drawing[]; updated_at: Date }>(
    'SELECT items, updated_at FROM drawings WHERE user_id = $1 AND asset_id = $2',
    [userId, assetId],
  );
  return r.rows[0] ?? { items: [], updated_at: null };
}

/** Replaces the user's drawings of the asset (an empty list deletes the row). */
export async function putDrawings(q: Queryable, userId: string, assetId: string, items: Drawing[]): Promise<Drawings> {
  if (items.length === 0) {
    await q.query('DELETE FROM drawings WHERE user_id = $1 AND asset_id = $2', [userId, assetId]);
    return { items: [], updated_at: null };
  }
  const r = await q.query<{ items: Drawing[]; updated_at: Date }>(
    `INSERT INTO drawings (user_id, asset_id, items) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (user_id, asset_id) DO UPDATE SET items = EXCLUDED.items, updated_at = now()
     RETURNING items, updated_at`,
    [userId, assetId, JSON.stringify(items)],
  );
  return r.rows[0];
}
