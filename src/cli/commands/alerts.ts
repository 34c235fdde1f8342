/** tm alerts check: evaluate price alerts against the newest candles now. */
import type { Command } from 'commander';
import { evaluateAlerts, evaluateAllAlerts, type AlertEvent } from '../../accounts/alerts.ts';
import { UserError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('price alerts of watchlist items');

  alerts
    .command('check')
    .description('evaluate price alerts against the newest candles and record the events that fire')
    .option('--symbol <symbol...>', 'only these assets (default: every asset with an alert threshold)')
    .option('--json', 'output JSON')
    .action(async (opts: { symbol?: string[]; json?: boolean }) => {
      await withDatabase(async (db) => {
        let events: AlertEvent[];
        let assets: number;
        if (opts.symbol?.length) {
          const r = await db.query<{ id: string; symbol: string }>('SELECT id, symbol FROM assets WHERE symbol = ANY($1)', [opts.symbol]);
          const missing = opts.symbol.filter((s) => !r.rows.some((a) => a.symbol === s));
          if (missing.length) throw new UserError(`no asset with symbol ${missing.join(', ')}`);
          assets = r.rows.length;
          events = await evaluateAlerts(db, r.rows.map((a) => a.id));
        } else {
          ({ assets, events } = await evaluateAllAlerts(db));
        }
        printer(!!opts.json).data({ assets_checked: assets, events }, () =>
          events.length
            ? `${table(events, ['symbol', 'direction', 'threshold', 'price', 'candle_ts', 'interval', 'user_id'])}\n${events.length} alert(s) fired; ${assets} asset(s) checked`
            : `no alerts fired; ${assets} asset(s) checked`,
        );
      });
    });
}
