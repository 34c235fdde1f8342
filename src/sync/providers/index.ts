/** The providers by name, configured from the environment (base URLs for tests and proxies, keys). */
import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.ts';
import type { Interval } from '../../intervals.ts';
import { BinanceProvider } from './binance.ts';
import { CcxtProvider } from './ccxt.ts';
import { CoinbaseProvider } from './coinbase.ts';
import { httpSettings, type HttpSettings } from './http.ts';
import { KrakenProvider } from './kraken.ts';
import { PolygonProvider } from './polygon.ts';
import { PROVIDERS, type NativeProviderName, type Provider, type ProviderName } from './provider.ts';

export { PROVIDERS, ProviderError, type Provider, type ProviderName } from './provider.ts';

/** `ccxt:` and a ccxt exchange id (lower-case letters and digits; whether ccxt knows it is checked on load). */
const CCXT_NAME = /^ccxt:[a-z][a-z0-9]{1,39}$/;

export function isCcxtName(v: string): v is `ccxt:${string}` {
  return CCXT_NAME.test(v);
}

export function isProviderName(v: unknown): v is ProviderName {
  return typeof v === 'string' && ((PROVIDERS as readonly string[]).includes(v) || isCcxtName(v));
}

export function parseProviderName(v: string): ProviderName {
  const n = v.trim().toLowerCase();
  if (!isProviderName(n))
    throw new UserError(
      `provider "${v}" is not one of ${PROVIDERS.join(', ')} or ccxt:EXCHANGE (for example ccxt:okx)`,
    );
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

/** Why this provider cannot fetch anything in this environment (Polygon without a key), or null. */
export function missingCredentials(name: ProviderName, env: NodeJS.ProcessEnv = process.env): string | null {
  if (name === 'polygon' && !polygonKey(env))
    return 'Polygon needs an API key: set POLYGON_API_KEY (or TM_POLYGON_API_KEY_FILE) where tm serve runs, restart it, then link the source';
  return null;
}

/** Where each provider is asked by default (Binance: its host for public market data only). */
export const DEFAULT_URLS: Record<NativeProviderName, string> = {
  binance: 'https://data-api.binance.vision',
  coinbase: 'https://api.exchange.coinbase.com',
  kraken: 'https://api.kraken.com',
  polygon: 'https://api.polygon.io',
};

/** The test and proxy hooks a provider is built from, besides the environment. */
export interface ProviderDeps {
  sleep?: (ms: number) => Promise<void>;
  /** Our clock (the provider's is measured against it). */
  now?: () => number;
}

/** Milliseconds from the environment, or the default when unset or not a number >= 0. */
function ms(v: string | undefined, dflt: number): number {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : dflt;
}

/** A new provider (tests; everything else shares the registry's, see `providerFor`). */
export function createProvider(
  name: ProviderName,
  env: NodeJS.ProcessEnv = process.env,
  deps: ProviderDeps = {},
): Provider {
  const http = httpSettings(env, deps);
  // The wait after a bar's end before it counts as closed, on top of each provider's own rule.
  const grace = (dflt: number) => ms(env.TM_SYNC_GRACE_MS, dflt);
  if (isCcxtName(name)) return ccxtProvider(name, env, http, grace(30_000));
  switch (name) {
    case 'binance':
      return new BinanceProvider(trimSlash(env.TM_BINANCE_URL || DEFAULT_URLS.binance), http, grace(2_000));
    case 'coinbase':
      return new CoinbaseProvider(trimSlash(env.TM_COINBASE_URL || DEFAULT_URLS.coinbase), http, grace(30_000));
    case 'kraken':
      return new KrakenProvider(trimSlash(env.TM_KRAKEN_URL || DEFAULT_URLS.kraken), http, grace(5_000));
    case 'polygon':
      return new PolygonProvider(trimSlash(env.TM_POLYGON_URL || DEFAULT_URLS.polygon), http, {
        apiKey: polygonKey(env),
        minGapMs: ms(env.TM_POLYGON_MIN_GAP_MS, 12_000),
        delayMs: ms(env.TM_POLYGON_DELAY_MS, 15 * 60_000),
        graceMs: grace(60_000),
      });
  }
}

/**
 * A ccxt exchange: TM_CCXT_<ID>_URL replaces the scheme and host of its API URLs (a proxy, a stand-in,
 * our own compatible endpoint); TM_CCXT_<ID>_CONFIG is JSON handed to its class (headers, options).
 */
function ccxtProvider(name: `ccxt:${string}`, env: NodeJS.ProcessEnv, http: HttpSettings, graceMs: number) {
  const id = name.slice('ccxt:'.length).toUpperCase();
  const raw = env[`TM_CCXT_${id}_CONFIG`];
  let config: Record<string, unknown> | undefined;
  if (raw) {
    try {
      config = JSON.parse(raw);
    } catch {
      throw new UserError(`TM_CCXT_${id}_CONFIG is not JSON`);
    }
    if (!config || typeof config !== 'object' || Array.isArray(config))
      throw new UserError(`TM_CCXT_${id}_CONFIG must be a JSON object`);
  }
  const url = env[`TM_CCXT_${id}_URL`];
  return new CcxtProvider(name, http, { baseUrl: url ? trimSlash(url) : undefined, config, graceMs });
}

/** Settings that make two providers of one name different (base URL, key, limits). */
function configKey(name: ProviderName, env: NodeJS.ProcessEnv): string {
  const keys = Object.keys(env)
    .filter((k) => k.startsWith('TM_') || k === 'POLYGON_API_KEY')
    .sort();
  return `${name}\n${keys.map((k) => `${k}=${env[k]}`).join('\n')}`;
}

const registry = new Map<string, Provider>();

/**
 * The process's provider of this name: one instance per process and configuration, so its pacer, its
 * request-weight budget and its clock cover every sync at once (the scheduler, the API, the CLI).
 */
export function providerFor(name: ProviderName, env: NodeJS.ProcessEnv = process.env): Provider {
  const key = configKey(name, env);
  let p = registry.get(key);
  if (!p) {
    p = createProvider(name, env);
    registry.set(key, p);
  }
  return p;
}

/** Refuses an interval the provider does not serve, naming what it does and the way around. */
export function checkInterval(p: Pick<Provider, 'name' | 'intervals'>, interval: Interval): void {
  if (p.intervals.includes(interval)) return;
  throw new UserError(
    `${p.name} does not serve ${interval} candles (it serves ${p.intervals.join(', ')}); ` +
      'sync a finer interval and read coarser ones from the rollups (tm aggregates)',
  );
}
