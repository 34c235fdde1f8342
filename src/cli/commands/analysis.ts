/** tm indicators and tm signals: stored indicators, CSV calculations, signal generation and backtests. */
import type { Command } from 'commander';
import { csvLine } from '../../csv-cell.ts';
import { INDICATOR_TYPES } from '../../analysis/indicators/names.ts';
import { STRATEGY_NAMES } from '../../analysis/signals/names.ts';
import { UsageError } from '../../errors.ts';
import { getAsset } from '../../market/assets-repository.ts';
import { parseInterval } from '../../intervals.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';

// The indicators, strategies and their repositories load only when an analysis command runs.
const service = () => import('../../analysis/service.ts');
const indicatorsRepo = () => import('../../analysis/indicators-repository.ts');
const signalsRepo = () => import('../../analysis/signals-repository.ts');
const calc = () => import('../../analysis/calc.ts');
const specs = () => import('../../analysis/compute-indicators.ts');

function parseJson(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const fixed = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? '' : Number(v.toFixed(d)));

export function registerAnalysis(program: Command): void {
  const ind = program
    .command('indicators')
    .description(`technical indicators (${INDICATOR_TYPES.join(', ')}): stored, listed, or computed from a CSV`);

  ind
    .command('compute')
    .description('compute indicators into the indicators table, incrementally (only new or changed candles)')
    .option('--symbol <ref>', 'asset (SYMBOL or SYMBOL:EXCHANGE); repeatable', collect)
    .option('--all', 'every asset with candles of the interval')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--types <list>', 'comma-separated indicator types', INDICATOR_TYPES.join(','))
    .option('--params <json>', 'parameters: {"period":21} for one type, {"rsi":{"period":21},"macd":{...}} for several')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        symbol?: string[];
        all?: boolean;
        interval: string;
        types: string;
        params?: string;
        json?: boolean;
      }) => {
        const interval = parseInterval(o.interval, '--interval');
        const params = parseJson(o.params, '--params');
        await withDatabase(
          async (db) => {
            const t0 = performance.now();
            const res = await (await service()).computeStoredIndicators(
              db,
              { symbols: o.symbol, all: o.all },
              interval,
              list(o.types) ?? [],
              params,
            );
            const written = res.reduce((n, r) => n + r.written, 0);
            printer(!!o.json).data(
              res,
              () =>
                `${table(res.map((r) => ({ symbol: r.symbol, name: r.name, written: r.written, from: r.from, to: r.to, recomputed: r.recomputed ? 'yes' : '' })))}\n` +
                `${written} values written for ${new Set(res.map((r) => r.symbol)).size} asset(s) in ${((performance.now() - t0) / 1000).toFixed(2)}s`,
            );
          },
          { sustained: true },
        );
      },
    );

  ind
    .command('list')
    .description('stored indicator values, newest first')
    .option('--symbol <ref>', 'asset')
    .option('--name <name>', 'storage name, e.g. rsi_14')
    .option('--type <type>', 'indicator type')
    .option('--interval <interval>', 'timeframe')
    .option('--from <time>', 'from (inclusive)')
    .option('--to <time>', 'to (exclusive)')
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        symbol?: string;
        name?: string;
        type?: string;
        interval?: string;
        from?: string;
        to?: string;
        limit: string;
        json?: boolean;
      }) => {
        const timeframe = o.interval ? parseInterval(o.interval, '--interval') : undefined;
        if (o.type && !(INDICATOR_TYPES as readonly string[]).includes(o.type))
          throw new UsageError(`--type must be one of ${INDICATOR_TYPES.join(', ')}`);
        const limit = intOption(o.limit, '--limit', 1, 100_000);
        await withDatabase(async (db) => {
          const assetId = o.symbol ? (await getAsset(db, o.symbol)).id : undefined;
          const page = await (await indicatorsRepo()).listIndicators(db, {
            assetId,
            name: o.name,
            type: o.type,
            timeframe,
            from: (await service()).parseTime(o.from, '--from') ?? undefined,
            to: (await service()).parseTime(o.to, '--to') ?? undefined,
            limit,
            offset: 0,
          });
          printer(!!o.json).data(
            page,
            () =>
              `${table(
                page.items.map((r) => ({
                  symbol: r.symbol,
                  ts: r.ts,
                  name: r.name,
                  value: fixed(r.value),
                  value2: fixed(r.value2),
                  value3: fixed(r.value3),
                  timeframe: r.timeframe,
                })),
              )}\n${page.items.length} of ${page.total}`,
          );
        });
      },
    );

  ind
    .command('calc')
    .description('compute one indicator from a candle CSV (the formats tm import candles reads), without a database')
    .requiredOption('--csv <file>', 'candle CSV ("-" for stdin, gzip accepted)')
    .requiredOption('--type <type>', `indicator type (${INDICATOR_TYPES.join(', ')})`)
    .option('--params <json>', 'parameters, e.g. {"period":21}')
    .option('--interval <interval>', 'candle interval of the file (timestamps must align to it)', '1d')
    .option('--format <format>', 'csv or json', 'csv')
    .action(async (o: { csv: string; type: string; params?: string; interval: string; format: string }) => {
      if (o.format !== 'csv' && o.format !== 'json')
        throw new UsageError(`--format must be csv or json, got "${o.format}"`);
      const interval = parseInterval(o.interval, '--interval');
      const [spec] = (await specs()).indicatorSpecs([o.type], parseJson(o.params, '--params'));
      const { openCsv } = await import('../../market/import/csv-reader.ts');
      const source = await openCsv(o.csv);
      const res = await (await calc()).calcFromRows(source.rows, interval, spec);
      if (o.format === 'json') {
        process.stdout.write(`${JSON.stringify(res.rows)}\n`);
        return;
      }
      const cols = ['value', 'value2', 'value3'].slice(0, res.outputs.length) as ('value' | 'value2' | 'value3')[];
      const lines = [csvLine(['ts', ...cols])];
      for (const r of res.rows) lines.push(csvLine([r.ts, ...cols.map((c) => r[c])]));
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  const sig = program.command('signals').description(`trading signals from strategies (${STRATEGY_NAMES.join(', ')})`);

  sig
    .command('generate')
    .description('run strategies over stored candles and store their signals (incremental, idempotent)')
    .option('--symbol <ref>', 'asset; repeatable', collect)
    .option('--all', 'every asset with candles of the interval')
    .option('--strategy <name>', 'one strategy (default: all)')
    .option('--params <json>', 'strategy parameters (with --strategy)')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        symbol?: string[];
        all?: boolean;
        strategy?: string;
        params?: string;
        interval: string;
        json?: boolean;
      }) => {
        const interval = parseInterval(o.interval, '--interval');
        if (o.params && !o.strategy) throw new UsageError('--params needs --strategy');
        await withDatabase(
          async (db) => {
            const res = await (await service()).generateStoredSignals(
              db,
              { symbols: o.symbol, all: o.all },
              interval,
              o.strategy ? [o.strategy] : undefined,
              parseJson(o.params, '--params'),
            );
            printer(!!o.json).data(
              res,
              () =>
                `${table(res.map((r) => ({ symbol: r.symbol, strategy: r.strategy, candidates: r.candidates, inserted: r.inserted, deactivated: r.deactivated, recomputed: r.recomputed ? 'yes' : '' })))}\n` +
                `${res.reduce((n, r) => n + r.inserted, 0)} new signals`,
            );
          },
          { sustained: true },
        );
      },
    );

  sig
    .command('list')
    .description('stored signals, newest first')
    .option('--active', 'only active ones')
    .option('--symbol <ref>', 'asset')
    .option('--strategy <name>', 'strategy')
    .option('--interval <interval>', 'timeframe')
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        active?: boolean;
        symbol?: string;
        strategy?: string;
        interval?: string;
        limit: string;
        json?: boolean;
      }) => {
        const timeframe = o.interval ? parseInterval(o.interval, '--interval') : undefined;
        const limit = intOption(o.limit, '--limit', 1, 100_000);
        await withDatabase(async (db) => {
          const assetId = o.symbol ? (await getAsset(db, o.symbol)).id : undefined;
          const page = await (await signalsRepo()).listSignals(db, {
            assetId,
            strategy: o.strategy,
            timeframe,
            active: o.active ? true : undefined,
            limit,
            offset: 0,
          });
          printer(!!o.json).data(
            page,
            () =>
              `${table(
                page.items.map((s) => ({
                  symbol: s.symbol,
                  ts: s.ts,
                  type: s.signal_type,
                  strategy: s.strategy,
                  strength: fixed(s.strength, 2),
                  confidence: fixed(s.confidence, 2),
                  price: fixed(s.price),
                  active: s.is_active ? 'yes' : '',
                  rationale: s.rationale,
                })),
              )}\n${page.items.length} of ${page.total}`,
          );
        });
      },
    );

  sig
    .command('backtest')
    .description("how a strategy's signals would have done: hit rate, average return after N bars, max drawdown")
    .requiredOption('--symbol <ref>', 'asset')
    .requiredOption('--strategy <name>', `strategy (${STRATEGY_NAMES.join(', ')})`)
    .option('--params <json>', 'strategy parameters')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--from <time>', 'first bar (ISO-8601, YYYY-MM-DD or epoch)')
    .option('--to <time>', 'last bar')
    .option('--horizon <n>', 'bars after a signal at which its outcome is read', '10')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        symbol: string;
        strategy: string;
        params?: string;
        interval: string;
        from?: string;
        to?: string;
        horizon: string;
        json?: boolean;
      }) => {
        const interval = parseInterval(o.interval, '--interval');
        const horizon = intOption(o.horizon, '--horizon', 1, 10_000);
        await withDatabase(async (db) => {
          const r = await (await service()).runBacktest(db, {
            symbol: o.symbol,
            strategy: o.strategy,
            interval,
            from: (await service()).parseTime(o.from, '--from'),
            to: (await service()).parseTime(o.to, '--to'),
            horizon,
            params: parseJson(o.params, '--params'),
          });
          const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
          printer(!!o.json).data(r, () =>
            [
              `${r.strategy} on ${r.symbol} ${r.interval}: ${r.bars} bars, ${r.signals} directional signals (${r.count} scored, ${r.pending} too recent, ${r.holds} holds)`,
              `hit rate ${pct(r.hitRate)}, average return after ${r.horizon} bars ${pct(r.avgReturn)}, max drawdown ${pct(r.maxDrawdown)}, final equity ${r.finalEquity.toFixed(4)}`,
            ].join('\n'),
          );
        });
      },
    );

  sig
    .command('expire')
    .description('deactivate signals whose expires_at has passed (tm serve does this every minute)')
    .option('--json', 'output JSON')
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const n = await (await signalsRepo()).expireSignals(db);
        printer(!!o.json).data({ deactivated: n }, () => `${n} signal(s) deactivated`);
      });
    });
}
