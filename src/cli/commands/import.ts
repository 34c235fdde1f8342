/** tm import candles: validated, idempotent bulk import of OHLCV candles from CSV (gzip, stdin) or freqtrade's files. */
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parseAssetType } from '../../market/assets-repository.ts';
import type { ImportSummary, Reject } from '../../market/import/importer.ts';
import { parseInterval } from '../../intervals.ts';
import type { OnConflict } from '../../market/candles-repository.ts';
import { UsageError } from '../../errors.ts';
import { csvLine } from '../../csv-cell.ts';
import { candleTimeLimits, candleTimeRange } from '../../candle-time.ts';
import { withDatabase } from '../context.ts';
import { printer } from '../output.ts';
import { parseFreqtradeFileName } from '../../market/export/layout.ts';

const REJECT_COLUMNS = [
  'line',
  'rule',
  'reason',
  'symbol',
  'ts',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'trades',
  'vwap',
];

/** The rejects file: the row's values with its line, the rule it broke and why. */
export function rejectsWriter(path: string): { write: (r: Reject) => Promise<void>; close: () => Promise<void> } {
  const out: WriteStream = createWriteStream(path);
  out.write(`${REJECT_COLUMNS.join(',')}\n`);
  return {
    async write(r) {
      // Cells come from the input as they were: csvLine neutralises formulas (=HYPERLINK…) a spreadsheet would run.
      const line = csvLine([r.line, r.rule, r.reason, ...REJECT_COLUMNS.slice(3).map((c) => r.row[c])]);
      if (!out.write(`${line}\n`)) await new Promise<void>((res) => out.once('drain', () => res()));
    },
    close: () => new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res()))),
  };
}

/** "created 2 assets (AAA, BBB)"; many: "created 500 assets (S000 … S499)" (the first and last in order). */
export function createdAssets(refs: readonly string[]): string {
  const n = refs.length;
  const names = n <= 3 ? refs.join(', ') : `${refs[0]} … ${refs[n - 1]}`;
  return `created ${n} asset${n === 1 ? '' : 's'} (${names})`;
}

export function summaryLine(s: ImportSummary & { alerts_fired?: number }): string {
  const rate = s.seconds > 0 ? Math.round(s.rows_read / s.seconds) : s.rows_read;
  return (
    `${s.rows_read} rows read: ${s.inserted} inserted, ${s.updated} updated, ${s.skipped} skipped, ${s.rejected} rejected in ${s.seconds}s (${rate} rows/s)` +
    (s.created_assets.length ? `; ${createdAssets(s.created_assets)}` : '') +
    (s.path === 'split' ? `; ${s.parts.map((p) => `${p.rows} ${p.path}`).join(', ')}` : '') +
    (s.alerts_fired ? `; ${s.alerts_fired} price alert(s) fired` : '')
  );
}

/**
 * freqtrade's files name their pair and timeframe (BTC_USDT-1h.json): --symbol and --interval default
 * to them (symbol BTCUSDT), and either may be given to override.
 */
function freqtradeDefaults(file: string, o: { symbol?: string; interval?: string }) {
  const parsed = file === '-' ? null : parseFreqtradeFileName(path.basename(file));
  if (!parsed && (!o.symbol || !o.interval))
    throw new UsageError(
      `"${file}" is not named as freqtrade names its files (PAIR-TIMEFRAME.json, e.g. BTC_USDT-1h.json): pass --symbol and --interval`,
    );
  return { symbol: o.symbol ?? parsed?.symbol, interval: o.interval ?? parsed?.timeframe };
}

export function registerImport(program: Command): void {
  const imp = program.command('import').description('bulk data imports');
  imp
    .command('candles <file>')
    .description(
      'import OHLCV candles from a CSV file (gzip accepted; "-" reads stdin; header ts|date|timestamp, open, high, low, close, volume[, trades, vwap, symbol]) or freqtrade data files (--format freqtrade)',
    )
    .option(
      '--format <format>',
      "csv, or freqtrade: freqtrade's data files (BTC_USDT-1h.json, .json.gz, .feather)",
      'csv',
    )
    .option(
      '--symbol <ref>',
      'asset for rows without a symbol column (SYMBOL or SYMBOL:EXCHANGE); freqtrade: default from the file name',
    )
    .option(
      '--interval <interval>',
      'candle interval of the file (1m 5m 15m 30m 1h 4h 1d 1w 1M; default 1d, freqtrade: from the file name)',
    )
    .option('--asset-type <type>', 'create unknown symbols as assets of this type (else they are rejected)')
    .option('--on-conflict <mode>', 'for candles already stored: update, ignore or error', 'update')
    .option(
      '--skip-invalid',
      'load the valid rows and reject the others (default: any invalid row rejects the whole file)',
    )
    .option('--rejects <file>', 'with --skip-invalid: write rejected rows with line, rule and reason to this CSV')
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        file: string,
        o: {
          format: string;
          symbol?: string;
          interval?: string;
          assetType?: string;
          onConflict: string;
          skipInvalid?: boolean;
          rejects?: string;
          json?: boolean;
        },
      ) => {
        if (o.format !== 'csv' && o.format !== 'freqtrade')
          throw new UsageError(`--format must be csv or freqtrade, got "${o.format}"`);
        const named =
          o.format === 'freqtrade' ? freqtradeDefaults(file, o) : { symbol: o.symbol, interval: o.interval };
        const interval = parseInterval(named.interval ?? '1d', '--interval');
        if (!['update', 'ignore', 'error'].includes(o.onConflict))
          throw new UsageError(`--on-conflict must be update, ignore or error, got "${o.onConflict}"`);
        if (o.rejects && !o.skipInvalid) throw new UsageError('--rejects needs --skip-invalid');
        const assetType = o.assetType ? parseAssetType(o.assetType) : undefined;
        // The CSV parser and the progress bar load only for this command.
        const [{ openCsv }, { openFreqtrade }, { default: cliProgress }, { ingestCandles }] = await Promise.all([
          import('../../market/import/csv-reader.ts'),
          import('../../market/import/freqtrade-reader.ts'),
          import('cli-progress'),
          import('../../ingest/ingest.ts'),
        ]);
        const source = o.format === 'freqtrade' ? await openFreqtrade(file) : await openCsv(file);
        if (!source.hasSymbol && !named.symbol)
          throw new UsageError('the file has no symbol column: pass --symbol SYMBOL');
        const rejects = o.rejects ? rejectsWriter(o.rejects) : undefined;
        const tty = !!process.stderr.isTTY && !o.json;
        const bar = tty
          ? new cliProgress.SingleBar(
              {
                format: '{phase} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
                stream: process.stderr,
                hideCursor: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        const t0 = performance.now();
        let phase: 'read' | 'write' | undefined;
        try {
          const summary = await withDatabase(
            (db) =>
              ingestCandles(db, source.rows, {
                interval,
                symbol: named.symbol,
                onConflict: o.onConflict as OnConflict,
                createAssetType: assetType,
                skipInvalid: !!o.skipInvalid,
                timeRange: candleTimeRange(candleTimeLimits(process.env)),
                onReject: rejects?.write,
                onProgress: (p) => {
                  // Reading stdin has no known size: the bar starts with the write phase then.
                  if (!bar || (p.phase === 'read' && !source.totalBytes)) return;
                  const rate = Math.round(p.rows / Math.max(0.001, (performance.now() - t0) / 1000));
                  if (p.phase !== phase) {
                    if (phase) bar.stop();
                    phase = p.phase;
                    const total = p.phase === 'read' ? (source.totalBytes ?? 0) : (p.total ?? 0);
                    bar.start(total, 0, { phase: p.phase === 'read' ? 'validating' : 'writing', rows: 0, rate: 0 });
                  }
                  bar.update(p.phase === 'read' ? source.bytesRead() : p.rows, { rows: p.rows, rate });
                },
              }),
            { sustained: true },
          );
          bar?.stop();
          printer(!!o.json).data(summary, () => summaryLine(summary));
        } finally {
          bar?.stop();
          await rejects?.close();
        }
      },
    );
}
