/** Pagination shared by list routes: ?limit=&offset= in, { items, limit, offset, total } out. */
import { z } from 'zod';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export type PageQuery = z.infer<typeof pageQuery>;

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  total: number;
}
