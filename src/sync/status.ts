/**
 * What `tm sync status`, /health and `tm doctor` show: per (asset, interval, provider) the last
 * candle, the lag, the last error and the gaps; per provider whether it keeps failing. No keys.
 */
import type { Queryable } from '../db/types.ts';
import type { Check } from '../timescale/doctor.ts';
import { isUndefinedTable } from '../db/pg-errors.ts';
import { errorMessage } from '../errors.ts';
import { intervalMs } from '../intervals.ts';
import { statusRows, type StatusRow } from './state-repository.ts';

/** Consecutive failed syncs after which a provider counts as failing. */
export const FAILING_AFTER = 3;

export interface SyncStatusRow extends StatusRow {
  /** Seconds from the end of the last candle stored to now (null before the first). */
  lag_seconds: number | null;
  state: 'ok' | 'failing' | 'error' | 'never';
}

export async function syncStatus(db: Queryable, now = Date.now()): Promise<SyncStatusRow[]> {
  const rows = await statusRows(db);
  return rows.map((r) => ({
    ...r,
    lag_seconds: r.last_candle ? Math.round((now - r.last_candle.getTime() - intervalMs(r.interval)) / 1000) : null,
    state: r.failures >= FAILING_AFTER ? 'failing' : r.failures > 0 ? 'error' : r.last_success_at ? 'ok' : 'never',
  }));
}

export interface ProviderHealth {
  provider: string;
  markets: number;
  failing: number;
  last_error: string | null;
}

export interface SyncHealth {
  /** ok: nothing failing (or nothing linked); failing: some provider keeps failing. */
  status: 'ok' | 'failing';
  providers: ProviderHealth[];
}

export function summarise(rows: SyncStatusRow[]): SyncHealth {
  const by = new Map<string, ProviderHealth>();
  for (const r of rows) {
    const h = by.get(r.provider) ?? { provider: r.provider, markets: 0, failing: 0, last_error: null };
    h.markets++;
    if (r.state === 'failing') {
      h.failing++;
      h.last_error ??= r.last_error;
    }
    by.set(r.provider, h);
  }
  const providers = [...by.values()].sort((a, b) => a.provider.localeCompare(b.provider));
  return { status: providers.some((p) => p.failing > 0) ? 'failing' : 'ok', providers };
}

export async function syncHealth(db: Queryable): Promise<SyncHealth> {
  return summarise(await syncStatus(db));
}

/** tm doctor's check: one line per failing provider, with the fix. */
export async function syncDoctorChecks(db: Queryable): Promise<Check[]> {
  const h = await syncHealth(db);
  if (h.providers.length === 0) return [{ check: 'market data sync', status: 'ok', detail: 'no sources linked' }];
  return h.providers.map((p) =>
    p.failing
      ? {
          check: `sync from ${p.provider}`,
          status: 'warning' as const,
          detail: `${p.failing} of ${p.markets} market interval(s) keep failing: ${p.last_error ?? 'unknown error'}`,
          fix: 'see "tm sync status"; check the network, the provider URL (TM_*_URL) and keys',
        }
      : { check: `sync from ${p.provider}`, status: 'ok' as const, detail: `${p.markets} market interval(s) syncing` },
  );
}

/**
 * The sync checks for tm doctor (src/doctor/report.ts). Before the sync tables exist (a schema older than
 * the sync migration) that is the finding; any other failure is the caller's to report.
 */
export async function syncChecksOrAbsent(db: Queryable): Promise<Check[]> {
  try {
    return await syncDoctorChecks(db);
  } catch (err) {
    if (!isUndefinedTable(err)) throw err;
    return [
      {
        check: 'market data sync',
        status: 'warning',
        detail: `not checked: its tables are absent (${errorMessage(err)})`,
        fix: 'tm migrate',
      },
    ];
  }
}
