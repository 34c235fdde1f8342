/** Pagination shared by list routes: ?limit=&offset= in, { items, limit, offset, total } (db/page.ts) out. */
import { z } from 'zod';
import type { PageQuery } from '../db/page.ts';
import { intParam } from './schemas.ts';

export const pageQuery = z.strictObject({
  limit: intParam(1, 1000).default(100),
  // Bounded so a huge value is a 400 here, not an out-of-range error from the database.
  offset: intParam(0, 1_000_000_000).default(0),
}) satisfies z.ZodType<PageQuery>;
