/**
 * Currency conversion with rates from forex assets' candles: 1 unit of C is worth the close of asset
 * C+BASE (e.g. EURUSD, also EUR/USD) in BASE, or 1 / the close of BASE+C. A rate "at" a time is the
 * newest close at or before it; a missing pair or a time before its first candle is an error naming it.
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { closesAt, latestClose } from '../market/closes.ts';
import { findBySymbol } from '../market/assets-repository.ts';
import { dec, div, type Dec } from './decimal.ts';

const ONE = dec('1');

interface Pair {
  assetId: string;
  symbol: string;
  inverse: boolean;
}

async function forexAsset(q: Queryable, a: string, b: string): Promise<{ id: string; symbol: string } | null> {
  for (const symbol of [`${a}${b}`, `${a}/${b}`, `${a}-${b}`]) {
    const found = (await findBySymbol(q, { symbol })).filter((x) => x.asset_type === 'forex');
    if (found[0]) return { id: found[0].id, symbol };
  }
  return null;
}

export async function findPair(q: Queryable, currency: string, base: string): Promise<Pair> {
  const direct = await forexAsset(q, currency, base);
  if (direct) return { assetId: direct.id, symbol: direct.symbol, inverse: false };
  const inverse = await forexAsset(q, base, currency);
  if (inverse) return { assetId: inverse.id, symbol: inverse.symbol, inverse: true };
  throw new UserError(
    `no exchange rate ${currency}→${base}: add a forex asset ${currency}${base} (or ${base}${currency}) with candles`,
  );
}

const rateOf = (close: number, inverse: boolean): Dec => (inverse ? div(ONE, dec(close)) : dec(close));

/** Rates to `base` at the given times, per currency; base itself converts at 1. */
export class FxRates {
  private readonly at = new Map<string, Dec>();
  private readonly latest = new Map<string, Dec>();

  private constructor(readonly base: string) {}

  /** Loads the rates of every (currency, time) needed, one query per currency. */
  static async load(
    q: Queryable,
    base: string,
    needs: Iterable<{ currency: string; ts: Date }>,
    latest: Iterable<string> = [],
  ): Promise<FxRates> {
    const fx = new FxRates(base);
    const byCurrency = new Map<string, Date[]>();
    for (const n of needs) {
      if (n.currency !== base) byCurrency.set(n.currency, [...(byCurrency.get(n.currency) ?? []), n.ts]);
    }
    for (const c of latest) if (c !== base && !byCurrency.has(c)) byCurrency.set(c, []);
    for (const [currency, times] of byCurrency) {
      const pair = await findPair(q, currency, base);
      const closes = await closesAt(q, pair.assetId, times);
      closes.forEach((c, i) => {
        if (!c) {
          throw new UserError(
            `no exchange rate ${currency}→${base} at ${times[i].toISOString()}: ${pair.symbol} has no candle at or before it`,
          );
        }
        fx.at.set(`${currency}@${times[i].getTime()}`, rateOf(c.close, pair.inverse));
      });
      const now = await latestClose(q, pair.assetId);
      if (now) fx.latest.set(currency, rateOf(now.close, pair.inverse));
    }
    return fx;
  }

  /** The rate of `currency` at `ts` (it must have been loaded). */
  rate(currency: string, ts: Date): Dec {
    if (currency === this.base) return ONE;
    const r = this.at.get(`${currency}@${ts.getTime()}`);
    if (r === undefined) throw new Error(`rate ${currency}@${ts.toISOString()} was not loaded`);
    return r;
  }

  /** The newest rate of `currency`. */
  current(currency: string): Dec {
    if (currency === this.base) return ONE;
    const r = this.latest.get(currency);
    if (r === undefined) throw new UserError(`no exchange rate ${currency}→${this.base}: its pair has no candles`);
    return r;
  }
}
