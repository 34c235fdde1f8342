/** tm sources (link assets to provider markets) and tm sync (backfill, status, gaps). Thin: src/sync does the work. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { parseTimestamp } from '../../market/import/timestamps.ts';
import { parseInterval } from '../../intervals.ts';
import type { SyncResult } from '../../sync/engine.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

/** The sync modules load only when a sources or sync command runs (tm --help stays light). */
async function syncModules() {
  const [engine, gaps, providers, repo, sources, status] = await Promise.all([
    import('../../sync/engine.ts'),
    import('../../sync/gaps-repository.ts'),
    import('../../sync/providers/index.ts'),
    import('../../sync/sources-repository.ts'),
    import('../../sync/sources.ts'),
    import('../../sync/status.ts'),
  ]);
  return { ...engine, ...gaps, ...providers, ...repo, ...sources, ...status };
}

function timeOption(v: string, what: string): number {
  const t = parseTimestamp(v);
  if (t === null)
    throw new UsageError(`${what} must be a date (YYYY-MM-DD), an ISO-8601 time or epoch seconds, got "${v}"`);
  return t;
}

export function registerSources(program: Command): void {
  const s = program
    .command('sources')
    .description('link assets to provider markets for sync (binance, coinbase, kraken, polygon, ccxt:EXCHANGE)');
  s.command('add <asset>')
    .description('link an asset (SYMBOL or SYMBOL:EXCHANGE; created when missing) to a provider market')
    .requiredOption(
      '--provider <name>',
      'binance, coinbase, kraken, polygon, or ccxt:EXCHANGE (any exchange ccxt knows, e.g. ccxt:okx)',
    )
    .option('--symbol <market>', "the provider's market symbol (default: the asset's symbol)")
    .requiredOption('--intervals <list>', 'intervals to keep, e.g. 1m,1h,1d')
    .option(
      '--asset-type <type>',
      "type of an asset created now (default: the provider's: crypto, or stock for polygon)",
    )
    .option('--json', 'output JSON')
    .action(
      async (
        asset: string,
        o: { provider: string; symbol?: string; intervals: string; assetType?: string; json?: boolean },
      ) => {
        const { addSource } = await syncModules();
        const src = await withDatabase((db) =>
          addSource(db, {
            asset,
            provider: o.provider,
            market: o.symbol,
            intervals: [o.intervals],
            assetType: o.assetType,
          }),
        );
        printer(!!o.json).data(
          src,
          () =>
            `${src.created_asset ? `created asset ${src.asset}; ` : ''}${src.asset} syncs ${src.intervals.join(', ')} from ${src.provider} market ${src.market}`,
        );
      },
    );
  s.command('list')
    .description('linked assets, providers, markets and intervals')
    .option('--json', 'output JSON')
    .action(async (o: { json?: boolean }) => {
      const { listSources } = await syncModules();
      const rows = await withDatabase((db) => listSources(db));
      printer(!!o.json).data(rows, () =>
        table(
          rows.map((r) => ({ ...r, intervals: r.intervals.join(',') })),
          ['asset', 'provider', 'market', 'intervals', 'created_at'],
        ),
      );
    });
  s.command('remove <asset>')
    .description("unlink an asset (all its providers, or --provider's); its candles stay")
    .option('--provider <name>', 'only this provider')
    .option('--json', 'output JSON')
    .action(async (asset: string, o: { provider?: string; json?: boolean }) => {
      const { removeSources } = await syncModules();
      const gone = await withDatabase((db) => removeSources(db, asset, o.provider));
      printer(!!o.json).data(gone, () => gone.map((g) => `${g.asset} no longer syncs from ${g.provider}`).join('\n'));
    });
}

export function resultLine(r: SyncResult): string {
  const rate = r.seconds > 0 ? Math.round(r.candles_received / r.seconds) : r.candles_received;
  return (
    `${r.asset} ${r.interval} from ${r.provider}, ${r.from} to ${r.to}: ${r.requests} request(s), ` +
    `${r.candles_received} candles received, ${r.inserted} inserted, ${r.updated} updated, ${r.skipped} unchanged, ` +
    `${r.gaps} gap(s) in ${r.seconds}s (${rate} candles/s)${r.alerts_fired ? `; ${r.alerts_fired} price alert(s) fired` : ''}`
  );
}

export function registerSync(program: Command): void {
  const s = program.command('sync').description('fetch candles from the linked providers: backfill, status, gaps');
  s.command('backfill <asset>')
    .description('fetch the history of a linked asset (only what is not synced yet; resumes after an interruption)')
    .requiredOption('--interval <interval>', 'candle interval')
    .requiredOption('--from <time>', 'start (YYYY-MM-DD, ISO-8601 or epoch seconds)')
    .option('--to <time>', 'end, exclusive (default: now; the open candle is never stored)')
    .option('--provider <name>', 'which provider, when the asset has several')
    .option('--json', 'print the summary as JSON')
    .action(
      async (asset: string, o: { interval: string; from: string; to?: string; provider?: string; json?: boolean }) => {
        const interval = parseInterval(o.interval, '--interval');
        const from = timeOption(o.from, '--from');
        const to = o.to === undefined ? undefined : timeOption(o.to, '--to');
        if (to !== undefined && to <= from) throw new UsageError('--to must be after --from');
        const [{ sourceFor, syncRange, providerFor }, { default: cliProgress }] = await Promise.all([
          syncModules(),
          import('cli-progress'),
        ]);
        const tty = !!process.stderr.isTTY && !o.json;
        const bar = tty
          ? new cliProgress.SingleBar(
              {
                format: 'syncing [{bar}] {percentage}% | {candles} candles | {requests} requests | ETA {eta_formatted}',
                stream: process.stderr,
                hideCursor: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        try {
          const r = await withDatabase(
            async (db) => {
              const source = await sourceFor(db, asset, o.provider);
              return syncRange(db, providerFor(source.provider), source, interval, from, to, {
                onProgress: (p) => {
                  if (!bar) return;
                  if (!bar.isActive) bar.start(p.total, p.done, { candles: p.candles, requests: p.requests });
                  bar.update(p.done, { candles: p.candles, requests: p.requests });
                },
              });
            },
            { sustained: true },
          );
          bar?.stop();
          printer(!!o.json).data(r, () => resultLine(r));
        } finally {
          bar?.stop();
        }
      },
    );
  s.command('status')
    .description('per asset, interval and provider: last candle, lag, last error, gaps')
    .option('--json', 'output JSON')
    .action(async (o: { json?: boolean }) => {
      const { syncStatus } = await syncModules();
      const rows = await withDatabase((db) => syncStatus(db));
      printer(!!o.json).data(rows, () =>
        table(
          rows.map((r) => ({ ...r, last_error: r.last_error?.slice(0, 80) })),
          ['asset', 'interval', 'provider', 'state', 'last_candle', 'lag_seconds', 'gaps', 'failures', 'last_error'],
        ),
      );
    });
  s.command('gaps <asset>')
    .description('ranges the provider had no candles for (never filled; later syncs ask again)')
    .option('--interval <interval>', 'only this interval')
    .option('--provider <name>', 'which provider, when the asset has several')
    .option('--json', 'output JSON')
    .action(async (asset: string, o: { interval?: string; provider?: string; json?: boolean }) => {
      const interval = o.interval ? parseInterval(o.interval, '--interval') : undefined;
      const { sourceFor, listGaps } = await syncModules();
      const gaps = await withDatabase(async (db) => {
        const source = await sourceFor(db, asset, o.provider);
        return listGaps(db, { sourceIds: [source.id], interval });
      });
      printer(!!o.json).data(gaps, () =>
        table(
          gaps.map((g) => ({ ...g })),
          ['interval', 'from_ts', 'to_ts', 'reason', 'attempts', 'checked_at'],
        ),
      );
    });
}
