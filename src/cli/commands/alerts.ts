/** tm alerts check: evaluate price alerts against the newest candles now. */
import type { Command } from 'commander';
import { evaluateAlerts, evaluateAllAlerts, type AlertEvent } from '../../accounts/alerts.ts';
import { getAsset } from '../../market/assets-repository.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('price alerts of watchlist items');

  alerts
    .command('check')
    .description('evaluate price alerts against the newest candles and record the events that fire')
    .option(
      '--symbol <symbol...>',
      'only these assets: SYMBOL, SYMBOL:EXCHANGE or id (default: every asset with an alert threshold)',
    )
    .option('--json', 'output JSON')
    .action(async (opts: { symbol?: string[]; json?: boolean }) => {
      await withDatabase(async (db) => {
        let events: AlertEvent[];
        let assets: number;
        if (opts.symbol?.length) {
          const ids: string[] = [];
          for (const ref of opts.symbol) ids.push((await getAsset(db, ref)).id);
          assets = new Set(ids).size;
          events = await evaluateAlerts(db, ids);
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
