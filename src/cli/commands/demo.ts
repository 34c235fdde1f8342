/** tm demo seed: deterministic synthetic market data for trying the product. */
import type { Command } from 'commander';
import { seedDemo } from '../../market/demo.ts';
import { parseInterval } from '../../market/intervals.ts';
import { UsageError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer } from '../output.ts';

function positive(v: string, name: string, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be an integer from 1 to ${max}, got "${v}"`);
  return n;
}

export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('synthetic demo data');
  demo
    .command('seed')
    .description('create demo assets (exchange DEMO) and a deterministic geometric random walk of OHLCV candles; idempotent')
    .option('--assets <n>', 'number of assets', '50')
    .option('--days <n>', 'days of history, ending at the start of today (UTC)', '365')
    .option('--interval <interval>', 'candle interval; finer than 1d also stores the daily rollup', '1h')
    .option('--seed <n>', 'random seed: the same seed and end date give the same candles', '42')
    .option('--end <date>', 'exclusive end date YYYY-MM-DD (default: today, UTC)')
    .option('--json', 'output JSON')
    .action(async (o: { assets: string; days: string; interval: string; seed: string; end?: string; json?: boolean }) => {
      const end = o.end ? new Date(`${o.end}T00:00:00Z`) : undefined;
      if (end && Number.isNaN(end.getTime())) throw new UsageError(`--end must be YYYY-MM-DD, got "${o.end}"`);
      const seed = Number(o.seed);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${o.seed}"`);
      const opts = { assets: positive(o.assets, '--assets', 10_000), days: positive(o.days, '--days', 36_500), interval: parseInterval(o.interval, '--interval'), seed, end };
      await withDatabase(async (db) => {
        const s = await seedDemo(db, opts, (l) => process.stderr.write(`${l}\n`));
        printer(!!o.json).data(s, () => `demo data: ${s.assets} assets (${s.created_assets} new); ${s.candles.map((c) => `${c.interval}: ${c.inserted} inserted, ${c.updated} updated, ${c.skipped} unchanged`).join('; ')} in ${s.seconds}s`);
      });
    });
}
