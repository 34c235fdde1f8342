/** What the admin database routes share: their OpenAPI tags, the name and tune parameters, in-memory paging. */
import { z } from 'zod';
import { tuneInput } from '../../../timescale/tune.ts';
import { intParam } from '../../schemas.ts';

export const tags = ['admin: database'];
export const security = [{ bearerAuth: [] }];
export const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a table or view name');

export const tuneQuery = z.strictObject({
  memory: z.string().optional().describe('RAM, e.g. 16GB (default: this machine)'),
  cpus: intParam(1, 4096).optional(),
  max_connections: intParam(1, 262143).default(100),
});

export const fromQuery = (q: z.infer<typeof tuneQuery>) =>
  tuneInput({ memory: q.memory, cpus: q.cpus, maxConnections: q.max_connections });

/** A page of a list read whole (these lists are short: hypertables, aggregates, jobs, relations). */
export function paginate<T>(items: T[], page: { limit: number; offset: number }) {
  return {
    items: items.slice(page.offset, page.offset + page.limit),
    limit: page.limit,
    offset: page.offset,
    total: items.length,
  };
}
