/** tm indicators: compute into the indicators table, list stored values, calculate from a CSV. */
import type { Command } from 'commander';
import { csvLine } from '../../../csv-cell.ts';
import { INDICATOR_TYPES } from '../../../analysis/indicators/names.ts';
import { UsageError } from '../../../errors.ts';
import { getAsset } from '../../../market/assets-repository.ts';
import { parseInterval } from '../../../intervals.ts';
import { withDatabase } from '../../context.ts';
import { intOption } from '../../options.ts';
import { printer, table } from '../../output.ts';
import { calc, collect, fixed, indicatorsRepo, list, parseJson, service, specs } from './shared.ts';

export function registerIndicators(program: Command): void {
  const ind = program
    .command('indicators')
    .description(`technical indicators (${INDICATOR_TYPES.join(', ')}): stored, listed, or computed from a CSV`);
  indicatorsCompute(ind);
  indicatorsList(ind);
  indicatorsCalc(ind);
}

function indicatorsCompute(parent: Command): void {
  parent
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
}

function indicatorsList(parent: Command): void {
  parent
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
}

function indicatorsCalc(parent: Command): void {
  parent
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
      const { openCsv } = await import('../../../market/import/csv-reader.ts');
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
}
