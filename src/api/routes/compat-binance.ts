/**
 * An exchange-compatible read endpoint: our candles in Binance spot's public REST format, so ccxt's
 * binance class (and freqtrade through it) reads this database as if it were an exchange
 * (`urls.api.public` = http://HOST/compat/binance/api/v3). Mounted twice:
 * - /compat/binance/api/v3/...: every asset, by its symbol without separators (BTC-USD → BTCUSD);
 * - /compat/binance/x/EXCHANGE/api/v3/...: only the assets of one exchange (a symbol listed on several).
 * Read-only (GET); every route needs an access token or a personal API token, a read-scoped one is
 * enough (Authorization: Bearer tmk_...; docs/accounts.md). Errors come as
 * Binance's {"code", "msg"} so clients map them as they would Binance's (-1121: unknown symbol).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type Asset,
  assetsByCompactSymbol,
  assetsOnExchange,
  formatRef,
  listAssets,
} from '../../market/assets-repository.ts';
import { candleRange } from '../../market/candles-repository.ts';
import {
  BinanceError,
  klineRow,
  MAX_LIMIT,
  DEFAULT_LIMIT,
  parseKlineQuery,
  symbolInfo,
} from '../compat-binance-format.ts';
import { requireUser } from '../guards.ts';
import { z } from 'zod';

// Documented as loose strings: the handlers check them and answer Binance's own error codes.
const klinesQuery = z.object({
  symbol: z.string().optional().describe('an asset symbol without separators, e.g. BTCUSDT'),
  interval: z.string().optional().describe('1m 5m 15m 30m 1h 4h 1d 1w 1M'),
  startTime: z.string().optional().describe('epoch ms: klines opening at or after it'),
  endTime: z.string().optional().describe('epoch ms: klines opening at or before it'),
  limit: z.string().optional().describe(`default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}`),
});
const infoQuery = z.object({
  symbol: z.string().optional(),
  symbols: z.string().optional().describe('a JSON array, e.g. ["BTCUSDT","ETHUSDT"]'),
});

/** Most assets exchangeInfo lists (the whole table on any realistic installation). */
const MAX_ASSETS = 50_000;

type Req = FastifyRequest<{ Params: { exchange?: string }; Querystring: Record<string, unknown> }>;

/** The assets this mount serves (one exchange's under /x/EXCHANGE). */
async function assetsOf(app: FastifyInstance, req: Req): Promise<Asset[]> {
  const exchange = req.params.exchange;
  if (exchange) return assetsOnExchange(app.db.reader(), exchange.toUpperCase());
  return (await listAssets(app.db.reader(), { limit: MAX_ASSETS, offset: 0 })).items;
}

/** The one asset a Binance symbol names here; none or several is Binance's "invalid symbol". */
async function assetFor(app: FastifyInstance, req: Req, symbol: string): Promise<Asset> {
  const found = await assetsByCompactSymbol(app.db.reader(), symbol, req.params.exchange?.toUpperCase());
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new BinanceError(-1121, 'Invalid symbol.');
  throw new BinanceError(
    -1121,
    `Invalid symbol. ${symbol} is ${found.map(formatRef).join(' and ')}: read it under /compat/binance/x/<EXCHANGE>/api/v3`,
  );
}

/** Binance's own error shape for our refusals (and a plain 500 for anything unexpected, logged). */
async function handle<T>(reply: FastifyReply, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    if (!(err instanceof BinanceError)) throw err;
    await reply.status(err.status).send(err.body());
    return undefined;
  }
}

function symbolsParam(q: Record<string, unknown>): string[] | undefined {
  if (typeof q.symbol === 'string' && q.symbol) return [q.symbol];
  if (typeof q.symbols !== 'string' || !q.symbols) return undefined;
  try {
    const list: unknown = JSON.parse(q.symbols);
    if (Array.isArray(list) && list.every((s) => typeof s === 'string')) return list;
  } catch {
    // falls through to the error below
  }
  throw new BinanceError(-1100, "Illegal characters found in parameter 'symbols'; expected a JSON array of symbols.");
}

export async function compatBinanceRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', requireUser);
  const schema = { tags: ['compat'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/v3/ping',
    { schema: { ...schema, summary: 'Binance-compatible: connectivity ({})' } },
    async () => ({}),
  );

  app.get('/api/v3/time', { schema: { ...schema, summary: 'Binance-compatible: {"serverTime": ms}' } }, async () => ({
    serverTime: Date.now(),
  }));

  app.get(
    '/api/v3/exchangeInfo',
    {
      schema: {
        ...schema,
        summary: 'Binance-compatible: the assets as spot symbols (symbol / symbols filter)',
        querystring: infoQuery,
      },
    },
    async (req: Req, reply) =>
      handle(reply, async () => {
        const wanted = symbolsParam(req.query);
        let symbols = (await assetsOf(app, req)).map(symbolInfo);
        if (wanted) {
          for (const w of wanted)
            if (!symbols.some((s) => s.symbol === w)) throw new BinanceError(-1121, `Invalid symbol: ${w}.`);
          symbols = symbols.filter((s) => wanted.includes(s.symbol));
        }
        // One entry per symbol (an asset listed on two exchanges is one symbol here; /x/EXCHANGE tells them apart).
        const unique = [...new Map(symbols.map((s) => [s.symbol, s])).values()];
        return { timezone: 'UTC', serverTime: Date.now(), rateLimits: [], exchangeFilters: [], symbols: unique };
      }),
  );

  app.get(
    '/api/v3/klines',
    {
      schema: {
        ...schema,
        summary: 'Binance-compatible klines from the stored candles (rollups for coarser intervals)',
        querystring: klinesQuery,
      },
    },
    async (req: Req, reply) =>
      handle(reply, async () => {
        const q = parseKlineQuery(req.query, Date.now());
        const asset = await assetFor(app, req, q.symbol);
        if (q.from >= q.to) return [];
        const r = await candleRange(app.db.reader(), {
          assetId: asset.id,
          interval: q.interval,
          from: new Date(q.from),
          to: new Date(q.to),
          limit: q.limit,
        });
        return r.candles.map((c) => klineRow(q.interval, c));
      }),
  );
}
