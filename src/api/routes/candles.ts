/**
 * /api/candles: GET a range of one asset's candles (public); POST a JSON batch through the same
 * validation and merge as `tm import candles` (admin). Errors name the item (0-based index) and rule.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ASSET_TYPES, type Asset, getAsset } from '../../market/assets-repository.ts';
import { type CandleRange, candleRange } from '../../market/candles-repository.ts';
import type { ImportHints, Reject } from '../../market/import/importer.ts';
import { ingestCandles } from '../../ingest/ingest.ts';
import { retryUnavailable } from '../../db/retry.ts';
import type { RawCandle } from '../../market/import/validate.ts';
import { INTERVALS, nextBucket } from '../../intervals.ts';
import { UserError } from '../../errors.ts';
import { candleTimeRange } from '../../candle-time.ts';
import { requireAdmin } from '../guards.ts';
import { timeParam as time, intParam } from '../schemas.ts';

/** Errors name the body fields that relax a check (the CLI's errors name its flags). */
const API_HINTS: ImportHints = {
  skipInvalid: 'set "skip_invalid": true',
  assetType: 'set "asset_type"',
  addAssets: 'Add them with POST /api/assets',
};

/** Request size limits for POST /api/candles. */
export const MAX_POST_CANDLES = 50_000;
export const MAX_POST_BYTES = 16 * 1024 * 1024;

// Values are loosely typed on purpose: the import's row validation reports bad ones per item and rule.
const value = z.union([z.number(), z.string()]).nullish();
const candleItem = z.strictObject({
  symbol: z.string().max(80).nullish(),
  ts: z.union([z.string(), z.number()]),
  open: value,
  high: value,
  low: value,
  close: value,
  volume: value,
  trades: value,
  vwap: value,
});

const postBody = z.strictObject({
  interval: z.enum(INTERVALS).default('1d'),
  symbol: z.string().max(80).optional().describe('asset for items without a symbol'),
  on_conflict: z.enum(['update', 'ignore', 'error']).default('update'),
  skip_invalid: z.boolean().default(false),
  asset_type: z.enum(ASSET_TYPES).optional().describe('create unknown symbols as assets of this type'),
  candles: z.array(candleItem).min(1).max(MAX_POST_CANDLES),
});

/** GET /api/candles' answer (also a part of GET /api/chart's). */
export function candlePageAnswer(
  a: Pick<Asset, 'id' | 'symbol' | 'exchange'>,
  r: CandleRange,
  limit: number,
  to: Date,
) {
  // A full page may have more after it: the client asks again from the next bucket.
  const last = r.candles.length === limit ? r.candles[r.candles.length - 1] : undefined;
  const next = last ? new Date(nextBucket(r.interval, last.ts.getTime())) : null;
  return {
    asset: { id: a.id, symbol: a.symbol, exchange: a.exchange },
    ...r,
    next_from: next && next < to ? next.toISOString() : null,
  };
}

export async function candleRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['candles'];

  app.get(
    '/api/candles',
    {
      schema: {
        tags,
        summary:
          'Candles of one asset in [from, to); coarser intervals come from aggregates or a rollup of finer stored candles',
        querystring: z.strictObject({
          symbol: z.string().min(1).max(80),
          interval: z.enum(INTERVALS).default('1d'),
          from: time,
          to: time.optional(),
          limit: intParam(1, 10_000)
            .default(1000)
            .describe('at most this many candles; a full page answers next_from to continue from'),
        }),
      },
    },
    async (req) => {
      const a = await getAsset(app.db.reader(), req.query.symbol);
      const to = req.query.to ?? new Date();
      if (to <= req.query.from) throw new UserError('"to" must be after "from"');
      const r = await candleRange(app.db.reader(), {
        assetId: a.id,
        interval: req.query.interval,
        from: req.query.from,
        to,
        limit: req.query.limit,
      });
      return candlePageAnswer(a, r, req.query.limit, to);
    },
  );

  app.post(
    '/api/candles',
    {
      onRequest: requireAdmin,
      bodyLimit: MAX_POST_BYTES,
      schema: {
        tags,
        summary: `Import up to ${MAX_POST_CANDLES} candles (admin)`,
        security: [{ bearerAuth: [] }],
        body: postBody,
      },
    },
    async (req) => {
      const b = req.body;
      let rejects: { item: number; rule: string; reason: string }[] = [];
      async function* rows(): AsyncGenerator<RawCandle> {
        for (const [i, c] of b.candles.entries()) yield { line: i, ...c };
      }
      // Keyed upserts: a batch cut off by a lost connection or a failover runs again (on_conflict=error
      // is not repeatable: a first attempt committed just before the loss would make it a conflict).
      const ingest = () => {
        rejects = [];
        return ingestCandles(app.db, rows(), {
          interval: b.interval,
          symbol: b.symbol,
          onConflict: b.on_conflict,
          skipInvalid: b.skip_invalid,
          createAssetType: b.asset_type,
          unit: 'item',
          hints: API_HINTS,
          timeRange: candleTimeRange(app.config.candleTime),
          onReject: (r: Reject) => void rejects.push({ item: r.line, rule: r.rule, reason: r.reason }),
        });
      };
      const summary = b.on_conflict === 'error' ? await ingest() : await retryUnavailable(ingest);
      return { ...summary, rejects };
    },
  );
}
