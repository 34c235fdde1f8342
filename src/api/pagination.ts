/** Pagination shared by list routes: ?limit=&offset= in, { items, limit, offset, total } out. */
import { z } from 'zod';
import { intParam } from './schemas.ts';

export const pageQuery = z.strictObject({
  limit: intParam(1, 1000).default(100),
  // Bounded so a huge value is a 400 here, not an out-of-range error from the database.
  offset: intParam(0, 1_000_000_000).default(0),
});

export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  total: number;
}
