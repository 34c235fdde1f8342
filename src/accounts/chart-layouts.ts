/**
 * Chart layouts (revision 0024): each user's named layouts of two or four charts (a symbol and an
 * interval each), stored and replaced whole. The route checks the shapes and the symbols; this module
 * only stores them, always for one user: no query here reads or changes another user's rows.
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';

export interface LayoutCell {
  symbol: string;
  interval: string;
}

export interface ChartLayout {
  name: string;
  cells: LayoutCell[];
  created_at: Date;
  updated_at: Date;
}

/** At most this many layouts per user. */
export const MAX_LAYOUTS = 50;

const COLUMNS = 'name, cells, created_at, updated_at';

/** The user's layouts, by name. */
export async function listLayouts(q: Queryable, userId: string): Promise<ChartLayout[]> {
  const r = await q.query<ChartLayout>(`SELECT ${COLUMNS} FROM chart_layouts WHERE user_id = $1 ORDER BY name`, [
    userId,
  ]);
  return r.rows;
}

export async function getLayout(q: Queryable, userId: string, name: string): Promise<ChartLayout> {
  const r = await q.query<ChartLayout>(`SELECT ${COLUMNS} FROM chart_layouts WHERE user_id = $1 AND name = $2`, [
    userId,
    name,
  ]);
  if (!r.rows[0]) throw new UserError(`no layout "${name}"`, 404);
  return r.rows[0];
}

/** Creates or replaces the user's layout of that name (a new one beyond MAX_LAYOUTS is refused). */
export async function putLayout(q: Queryable, userId: string, name: string, cells: LayoutCell[]): Promise<ChartLayout> {
  // One statement: the count and the write see the same snapshot, and a replacement is never refused.
  const r = await q.query<ChartLayout>(
    `INSERT INTO chart_layouts (user_id, name, cells)
     SELECT $1, $2, $3::jsonb
     WHERE EXISTS (SELECT 1 FROM chart_layouts WHERE user_id = $1 AND name = $2)
        OR (SELECT count(*) FROM chart_layouts WHERE user_id = $1) < $4
     ON CONFLICT (user_id, name) DO UPDATE SET cells = EXCLUDED.cells, updated_at = now()
     RETURNING ${COLUMNS}`,
    [userId, name, JSON.stringify(cells), MAX_LAYOUTS],
  );
  if (!r.rows[0]) throw new UserError(`at most ${MAX_LAYOUTS} layouts: delete one first`, 409);
  return r.rows[0];
}

/** Deletes the user's layout of that name; 404 when they have none. */
export async function deleteLayout(q: Queryable, userId: string, name: string): Promise<void> {
  const r = await q.query('DELETE FROM chart_layouts WHERE user_id = $1 AND name = $2', [userId, name]);
  if (r.rowCount === 0) throw new UserError(`no layout "${name}"`, 404);
}
