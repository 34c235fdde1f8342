/** tm export candles: one asset's stored candles as CSV, JSON, Parquet or freqtrade's JSON/feather files. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { parseInterval } from '../../intervals.ts';
import { EXPORT_FORMATS, parseExportFormat } from '../../market/export/layout.ts';
import { parseTimestamp } from '../../market/import/timestamps.ts';
import { withDatabase } from '../context.ts';
import { printer } from '../output.ts';

function time(v: string | undefined, what: string): Date | undefined {
  if (v === undefined) return undefined;
  const ms = parseTimestamp(v);
  if (ms === null) throw new UsageError(`${what} must be ISO-8601, YYYY-MM-DD or epoch, got "${v}"`);
  return new Date(ms);
}

export function registerExport(program: Command): void {
  const exp = program.command('export').description('data for other tools (freqtrade, pandas, polars, spreadsheets)');
  exp
    .command('candles')
    .description(
      "write one asset's stored candles to a file in --out: CSV, JSON, Parquet, or freqtrade's layout (BTC_USDT-1h.json / .feather)",
    )
    .requiredOption('--symbol <ref>', 'SYMBOL or SYMBOL:EXCHANGE')
    .option('--interval <interval>', 'stored candle interval (1m 5m 15m 30m 1h 4h 1d 1w 1M)', '1h')
    .option('--from <time>', 'first candle (ISO-8601, YYYY-MM-DD or epoch; inclusive)')
    .option('--to <time>', 'end (exclusive)')
    .requiredOption('--format <format>', EXPORT_FORMATS.join(', '))
    .requiredOption('--out <dir>', 'directory for the file (freqtrade: user_data/data/<exchange>)')
    .option('--pair <BASE/QUOTE>', 'freqtrade formats: the pair, when the symbol does not say it (e.g. BTC/USDT)')
    .option('--json', 'print the summary as JSON')
    .action(
      async (o: {
        symbol: string;
        interval: string;
        from?: string;
        to?: string;
        format: string;
        out: string;
        pair?: string;
        json?: boolean;
      }) => {
        const interval = parseInterval(o.interval, '--interval');
        const format = parseExportFormat(o.format);
        const from = time(o.from, '--from');
        const to = time(o.to, '--to');
        if (o.pair && !format.startsWith('freqtrade-'))
          throw new UsageError('--pair applies to the freqtrade formats only');
        const [{ exportCandles }, { default: cliProgress }] = await Promise.all([
          import('../../market/export/exporter.ts'),
          import('cli-progress'),
        ]);
        // A bar only on a terminal: a pipe or a log gets the summary line alone.
        const tty = !!process.stderr.isTTY && !o.json;
        const bar = tty
          ? new cliProgress.SingleBar(
              {
                format: 'exporting [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}',
                stream: process.stderr,
                hideCursor: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
        const t0 = performance.now();
        try {
          const s = await withDatabase((db) =>
            exportCandles(db, {
              symbol: o.symbol,
              interval,
              format,
              outDir: o.out,
              from,
              to,
              pair: o.pair,
              countTotal: tty,
              onProgress: (rows, total) => {
                if (!bar) return;
                const rate = Math.round(rows / Math.max(0.001, (performance.now() - t0) / 1000));
                if (rows === 0) bar.start(total ?? 0, 0, { rate: 0 });
                else bar.update(rows, { rate });
              },
            }),
          );
          bar?.stop();
          printer(!!o.json).data(
            s,
            () =>
              `${s.rows} ${s.interval} candles of ${s.asset}${s.pair ? ` (pair ${s.pair})` : ''} written to ${s.file} ` +
              `(${s.bytes} bytes) in ${s.seconds}s`,
          );
        } finally {
          bar?.stop();
        }
      },
    );
}
