/** The providers by name, configured from the environment (base URLs for tests and proxies, keys). */
import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.ts';
import type { Interval } from '../../intervals.ts';
import { BinanceProvider } from './binance.ts';
import { CoinbaseProvider } from './coinbase.ts';
import { retryPolicy } from './http.ts';
import { KrakenProvider } from './kraken.ts';
import { PolygonProvider } from './polygon.ts';
import { PROVIDERS, type Provider, type ProviderName } from './provider.ts';

export { PROVIDERS, ProviderError, type Provider, type ProviderName } from './provider.ts';

export function isProviderName(v: unknown): v is ProviderName {
  return typeof v === 'string' && (PROVIDERS as readonly string[]).includes(v);
}

export function parseProviderName(v: string): ProviderName {
  const n = v.trim().toLowerCase();
  if (!isProviderName(n)) throw new UserError(`provider "${v}" is not one of ${PROVIDERS.join(', ')}`);
  return n;
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

/** The stock provider's key: POLYGON_API_KEY, or the first line of the file TM_POLYGON_API_KEY_FILE names. */
function polygonKey(env: NodeJS.ProcessEnv): string | undefined {
  if (env.POLYGON_API_KEY) return env.POLYGON_API_KEY.trim();
  const file = env.TM_POLYGON_API_KEY_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').split('\n')[0].trim() || undefined;
  } catch (err) {
    throw new UserError(`TM_POLYGON_API_KEY_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

export function createProvider(name: ProviderName, env: NodeJS.ProcessEnv = process.env): Provider {
  const policy = retryPolicy(env);
  switch (name) {
    case 'binance':
      return new BinanceProvider(trimSlash(env.TM_BINANCE_URL || 'https://api.binance.com'), policy);
    case 'coinbase':
      return new CoinbaseProvider(trimSlash(env.TM_COINBASE_URL || 'https://api.exchange.coinbase.com'), policy);
    case 'kraken':
      return new KrakenProvider(trimSlash(env.TM_KRAKEN_URL || 'https://api.kraken.com'), policy);
    case 'polygon':
      return new PolygonProvider(
        trimSlash(env.TM_POLYGON_URL || 'https://api.polygon.io'),
        policy,
        polygonKey(env),
        Number(env.TM_POLYGON_MIN_GAP_MS ?? 0) || 0,
      );
  }
}

/** Refuses an interval the provider does not serve, naming what it does and the way around. */
export function checkInterval(p: Pick<Provider, 'name' | 'intervals'>, interval: Interval): void {
  if (p.intervals.includes(interval)) return;
  throw new UserError(
    `${p.name} does not serve ${interval} candles (it serves ${p.intervals.join(', ')}); ` +
      'sync a finer interval and read coarser ones from the rollups (tm aggregates)',
  );
}
