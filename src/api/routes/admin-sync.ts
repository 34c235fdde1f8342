/**
 * Admin API for market data sync, mounted at /api/admin/sync: the same library calls as
 * `tm sources` and `tm sync`. Every route is admin-only.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin } from '../guards.ts';
import { UserError } from '../../errors.ts';
import { parseTimestamp } from '../../market/import/timestamps.ts';
import { INTERVALS } from '../../intervals.ts';
import { syncRange } from '../../sync/engine.ts';
import { listGaps } from '../../sync/gaps-repository.ts';
import {
  isProviderName,
  missingCredentials,
  parseProviderName,
  providerFor,
  PROVIDERS,
} from '../../sync/providers/index.ts';
import { listSources } from '../../sync/sources-repository.ts';
import { addSource, removeSources, sourceFor } from '../../sync/sources.ts';
import { syncStatus } from '../../sync/status.ts';

const tags = ['admin: sync'];
const security = [{ bearerAuth: [] }];
const time = z.union([z.string().max(40), z.number()]).transform((v, ctx) => {
  const t = parseTimestamp(v);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time, a date or epoch seconds' });
    return z.NEVER;
  }
  return t;
});
const asset = z.string().min(1).max(80);
/** An asset id or a symbol (SYMBOL or SYMBOL:EXCHANGE) of letters, digits and . - _ / ^ = @ +: no markup, no spaces. */
const assetToLink = asset.regex(
  /^[\p{L}\p{N}._\-/^=@+:]+$/u,
  'must be a symbol of letters, digits and . - _ / ^ = @ + (SYMBOL or SYMBOL:EXCHANGE), without spaces or < > & quotes',
);
/** A native provider or ccxt:<exchange id>. */
const providerName = z
  .string()
  .max(45)
  .refine(isProviderName, { message: `one of ${PROVIDERS.join(', ')} or ccxt:EXCHANGE (for example ccxt:okx)` });

export const adminSyncRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/sources',
    { schema: { tags, security, summary: 'linked assets, providers, markets, intervals' } },
    async () => listSources(app.db),
  );

  app.post(
    '/sources',
    {
      schema: {
        tags,
        security,
        summary: 'link an asset to a provider market (the asset is created when missing)',
        body: z.object({
          asset: assetToLink,
          provider: providerName,
          market: z.string().min(1).max(64).optional(),
          intervals: z.array(z.enum(INTERVALS)).min(1),
          asset_type: z.string().max(20).optional(),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const missing = missingCredentials(parseProviderName(b.provider));
      if (missing) throw new UserError(missing, 400);
      const s = await addSource(app.db, {
        asset: b.asset,
        provider: b.provider,
        market: b.market,
        intervals: b.intervals,
        assetType: b.asset_type,
      });
      return reply.status(201).send(s);
    },
  );

  app.delete(
    '/sources/:asset',
    {
      schema: {
        tags,
        security,
        summary: 'unlink an asset (all providers, or ?provider=); its candles stay',
        params: z.object({ asset }),
        querystring: z.object({ provider: providerName.optional() }),
      },
    },
    async (req) => ({ removed: await removeSources(app.db, req.params.asset, req.query.provider) }),
  );

  app.post(
    '/backfill',
    {
      schema: {
        tags,
        security,
        summary: 'fetch the history of a linked asset (only what is not synced yet); answers when done',
        body: z.object({
          asset,
          interval: z.enum(INTERVALS),
          from: time,
          to: time.optional(),
          provider: providerName.optional(),
        }),
      },
    },
    async (req) => {
      const b = req.body;
      if (b.to !== undefined && b.to <= b.from) throw new UserError('"to" must be after "from"');
      const source = await sourceFor(app.db, b.asset, b.provider);
      return syncRange(app.db, providerFor(source.provider), source, b.interval, b.from, b.to);
    },
  );

  app.get(
    '/status',
    { schema: { tags, security, summary: 'per asset, interval and provider: last candle, lag, last error, gaps' } },
    async () => syncStatus(app.db),
  );

  app.get(
    '/gaps',
    {
      schema: {
        tags,
        security,
        summary: 'ranges the provider had no candles for',
        querystring: z.object({
          asset,
          interval: z.enum(INTERVALS).optional(),
          provider: providerName.optional(),
        }),
      },
    },
    async (req) => {
      const source = await sourceFor(app.db, req.query.asset, req.query.provider);
      return listGaps(app.db, { sourceIds: [source.id], interval: req.query.interval });
    },
  );
};
