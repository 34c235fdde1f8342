/** tm alerts check: evaluate price alerts and condition alerts now; the condition alert commands are in alert-rules.ts. */
import type { Command } from 'commander';
import { evaluateAlerts, evaluateAllAlerts, type AlertEvent } from '../../accounts/alerts.ts';
import { getAsset } from '../../market/assets-repository.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { registerAlertRules } from './alert-rules.ts';

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('price alerts of watchlist items, and condition alerts (rules)');
  registerAlertRules(alerts);

  alerts
    .command('check')
    .description(
      'evaluate price alerts against the newest candles, and condition alerts on the bars closed since they last looked; record what fires',
    )
    .option(
      '--symbol <symbol...>',
      'only these assets: SYMBOL, SYMBOL:EXCHANGE or id (default: every asset with an alert threshold)',
    )
    .option('--json', 'output JSON')
    .action(async (opts: { symbol?: string[]; json?: boolean }) => {
      await withDatabase(async (db) => {
        let events: AlertEvent[];
        let assets: number;
        let ids: string[] | undefined;
        if (opts.symbol?.length) {
          ids = [];
          for (const ref of opts.symbol) ids.push((await getAsset(db, ref)).id);
          assets = new Set(ids).size;
          events = await evaluateAlerts(db, ids);
        } else {
          ({ assets, events } = await evaluateAllAlerts(db));
        }
        const { evaluateConditionAlerts } = await import('../../alerts/condition-alerts.ts');
        const conditions = await evaluateConditionAlerts(db, { assetIds: ids });
        const lines = [
          events.length
            ? `${table(events, ['symbol', 'direction', 'threshold', 'price', 'candle_ts', 'interval', 'user_id'])}\n${events.length} alert(s) fired; ${assets} asset(s) checked`
            : `no alerts fired; ${assets} asset(s) checked`,
        ];
        if (conditions.length)
          lines.push(
            `${table(conditions, ['symbol', 'interval', 'rule', 'price', 'candle_ts', 'user_id'])}\n${conditions.length} condition alert(s) fired`,
          );
        printer(!!opts.json).data({ assets_checked: assets, events, condition_events: conditions }, () =>
          lines.join('\n'),
        );
      });
    });
}
