/**
 * The whole demo: synthetic candles (market/demo.ts), then the ten indicators and every signal
 * strategy computed from them through the same incremental paths a user runs, and optionally a
 * "Demo" watchlist with price alerts for an existing user. Everything is idempotent: seeding twice
 * adds nothing. Lives above market, analysis and accounts because it uses all three.
 */
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { findByUsername } from '../accounts/users.ts';
import { listWatchlists, createWatchlist } from '../accounts/watchlists.ts';
import { addItem } from '../accounts/watchlist-items.ts';
import { computeIndicators, indicatorSpecs } from '../analysis/compute-indicators.ts';
import { generateSignals, strategySpecs } from '../analysis/generate-signals.ts';
import { INDICATOR_TYPES } from '../analysis/indicators/registry.ts';
import { findBySymbol, hasAssets } from '../market/assets-repository.ts';
import { demoAssets, demoIntervals, seedDemo, type DemoOptions, type DemoSummary } from '../market/demo.ts';
import type { Interval } from '../intervals.ts';
import { latestCandles } from '../market/queries.ts';

export interface FullDemoOptions extends DemoOptions {
  /** Intervals to compute indicators and signals for (each must have been seeded); [] for none. */
  analysis: Interval[];
  /** Username that gets (or keeps) a "Demo" watchlist of the demo assets with price alerts. */
  watchlistUser?: string;
}

export interface FullDemoSummary extends DemoSummary {
  analysis: { interval: Interval; indicator_rows: number; signals: number }[];
  watchlist: { id: string; user: string; added_items: number } | null;
}

export const DEMO_WATCHLIST = 'Demo';
/** Price alerts this far (fraction) above and below the last close: near enough to fire in a demo. */
const ALERT_BAND = 0.05;
const WATCHLIST_SIZE = 10;

export async function seedFullDemo(
  db: Database,
  o: FullDemoOptions,
  onProgress?: (line: string) => void,
): Promise<FullDemoSummary> {
  const seeded = demoIntervals(o);
  for (const i of o.analysis) {
    if (!seeded.includes(i)) throw new UserError(`analysis interval ${i} is not seeded (seeded: ${seeded.join(', ')})`);
  }
  // Check the user before writing anything, so a typo fails fast.
  const user = o.watchlistUser === undefined ? null : await findByUsername(db, o.watchlistUser);
  if (o.watchlistUser !== undefined && !user)
    throw new UserError(`no user named "${o.watchlistUser}" (create one with tm users create)`);

  const t0 = performance.now();
  const base = await seedDemo(db, o, onProgress);
  const assetIds: string[] = [];
  for (const a of demoAssets(o.assets)) {
    const [found] = await findBySymbol(db, { symbol: a.symbol, exchange: a.exchange });
    if (found) assetIds.push(found.id);
  }

  const analysis: FullDemoSummary['analysis'] = [];
  const indicators = indicatorSpecs(INDICATOR_TYPES);
  const strategies = strategySpecs(undefined);
  for (const interval of o.analysis) {
    const ind = await computeIndicators(db, assetIds, interval, indicators);
    const sig = await generateSignals(db, assetIds, interval, strategies);
    const row = {
      interval,
      indicator_rows: ind.reduce((n, r) => n + r.written, 0),
      signals: sig.reduce((n, r) => n + r.inserted, 0),
    };
    analysis.push(row);
    onProgress?.(`demo: ${interval}: ${row.indicator_rows} indicator rows, ${row.signals} signals`);
  }

  let watchlist: FullDemoSummary['watchlist'] = null;
  if (user) {
    const lists = await listWatchlists(db, user.id, { limit: 1000, offset: 0 });
    const list =
      lists.items.find((w) => w.name === DEMO_WATCHLIST) ??
      (await createWatchlist(db, user.id, {
        name: DEMO_WATCHLIST,
        description: 'Synthetic demo assets (tm demo seed)',
        icon: 'chart-line',
      }));
    let added = 0;
    for (const assetId of assetIds.slice(0, WATCHLIST_SIZE)) {
      const [last] = await latestCandles(db, { assetId, interval: o.interval, limit: 1 });
      const round = (v: number) => Math.round(v * 100) / 100;
      try {
        await addItem(db, user.id, list.id, {
          asset_id: assetId,
          notes: 'demo',
          price_alert_high: last ? round(last.close * (1 + ALERT_BAND)) : null,
          price_alert_low: last ? round(last.close * (1 - ALERT_BAND)) : null,
        });
        added++;
      } catch (err) {
        // Already on the list from an earlier seed: keep the user's version of the item.
        if (!(err instanceof UserError && err.status === 409)) throw err;
      }
    }
    watchlist = { id: list.id, user: user.username, added_items: added };
    onProgress?.(`demo: watchlist "${DEMO_WATCHLIST}" of ${user.username}: ${added} items added`);
  }
  return { ...base, analysis, watchlist, seconds: Math.round((performance.now() - t0) / 10) / 100 };
}

/** What `tm serve` seeds into an empty embedded database: small, a few seconds. */
export const STARTER_DEMO: FullDemoOptions = {
  assets: 10,
  days: 90,
  interval: '1h',
  seed: 42,
  daily: true,
  fineDays: 5,
  analysis: ['1h', '1d'],
};

/** Seeds the starter set when the database has no assets at all; returns whether it did. */
export async function seedStarterIfEmpty(db: Database, log: (line: string) => void): Promise<boolean> {
  const t = await db.query<{ t: string | null }>("SELECT to_regclass('assets')::text AS t");
  if (!t.rows[0].t) return false; // not migrated (serve --no-migrate)
  if (await hasAssets(db)) return false;
  const s = await seedFullDemo(db, STARTER_DEMO);
  const candles = s.candles.map((c) => `${c.inserted} ${c.interval} candles`).join(', ');
  const analysis = s.analysis
    .map((a) => `${a.indicator_rows} ${a.interval} indicator rows, ${a.signals} signals`)
    .join(', ');
  log(`demo data: ${s.assets} assets, ${candles}, ${analysis} (${s.seconds}s; TM_DEMO=0 disables this)`);
  return true;
}
