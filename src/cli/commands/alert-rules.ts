/** tm alerts add-rule | rules | remove-rule | history: condition alerts (docs/alerts.md). */
import type { Command } from 'commander';
import { parseInterval } from '../../intervals.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';

const evaluation = () => import('../../alerts/condition-alerts.ts');
const repo = () => import('../../alerts/condition-alerts-repository.ts');
const users = () => import('../../accounts/users.ts');

const RULE_COLUMNS = ['id', 'symbol', 'interval', 'rule', 'last_ts', 'last_state'];
const EVENT_COLUMNS = ['candle_ts', 'symbol', 'interval', 'rule', 'price', 'triggered_at'];

export function registerAlertRules(alerts: Command): void {
  alerts
    .command('add-rule')
    .description('alert USER when a rule turns true on a newly closed bar, e.g. --when "rsi(close, 14) < 30"')
    .argument('<user>', 'owner (username)')
    .requiredOption('--symbol <ref>', 'asset: SYMBOL, SYMBOL:EXCHANGE or id')
    .requiredOption('--when <rule>', 'condition in the strategy language (docs/strategies.md)')
    .option('--interval <interval>', 'bars the rule is evaluated on', '1d')
    .option('--json', 'output JSON')
    .action(async (username: string, o: { symbol: string; when: string; interval: string; json?: boolean }) => {
      const interval = parseInterval(o.interval, '--interval');
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, username);
        const a = await (await evaluation()).addConditionAlert(db, {
          userId: user.id,
          symbol: o.symbol,
          interval,
          rule: o.when,
        });
        printer(!!o.json).data(a, () => `added condition alert ${a.id}: ${a.symbol} ${a.interval} when ${a.rule}`);
      });
    });

  alerts
    .command('rules')
    .description("a user's condition alerts")
    .argument('<user>', 'owner (username)')
    .option('--json', 'output JSON')
    .action(async (username: string, o: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, username);
        const rows = await (await repo()).listConditionAlerts(db, user.id);
        printer(!!o.json).data(rows, () =>
          rows.length ? table(rows, RULE_COLUMNS) : `${user.username} has no condition alerts`,
        );
      });
    });

  alerts
    .command('remove-rule')
    .description('delete a condition alert (its history stays)')
    .argument('<user>', 'owner (username)')
    .argument('<id>', 'alert id (tm alerts rules USER)')
    .action(async (username: string, id: string) => {
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, username);
        await (await repo()).deleteConditionAlert(db, id, user.id);
        process.stdout.write(`removed condition alert ${id}\n`);
      });
    });

  alerts
    .command('history')
    .description("a user's condition alert firings, newest first")
    .argument('<user>', 'owner (username)')
    .option('--rule <id>', 'only this rule')
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'output JSON')
    .action(async (username: string, o: { rule?: string; limit: string; json?: boolean }) => {
      const limit = intOption(o.limit, '--limit', 1, 10_000);
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, username);
        const r = await repo();
        if (o.rule) await r.ownedConditionAlert(db, o.rule, user.id);
        const page = await r.listAlertEvents(db, user.id, { limit, offset: 0 }, { alertId: o.rule });
        printer(!!o.json).data(
          page,
          () => `${table(page.items, EVENT_COLUMNS)}\n${page.items.length} of ${page.total}`,
        );
      });
    });
}
