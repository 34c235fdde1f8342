/** tm strategies: a user's rules in the strategy language, versioned (docs/strategies.md). */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

const repo = () => import('../../analysis/strategies-repository.ts');
const users = () => import('../../accounts/users.ts');

export function parseJsonOption(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A built-in strategy's rules; a UsageError naming the valid ones otherwise. */
async function builtin(name: string) {
  const { builtinRules } = await import('../../analysis/signals/builtin-rules.ts');
  try {
    return builtinRules(name);
  } catch (err) {
    throw new UsageError(`--builtin: ${(err as Error).message}`);
  }
}

export function registerStrategies(program: Command): void {
  const st = program.command('strategies').description("users' strategies: entry and exit rules (docs/strategies.md)");

  st.command('builtins')
    .description('the built-in signal strategies written as rules, to start a strategy from (--builtin NAME)')
    .option('--json', 'output JSON')
    .action(async (o: { json?: boolean }) => {
      const { BUILTIN_RULES } = await import('../../analysis/signals/builtin-rules.ts');
      printer(!!o.json).data(BUILTIN_RULES, () =>
        BUILTIN_RULES.map(
          (b) =>
            `${b.name}: ${b.description}\n  entry: ${b.entry}\n  exit:  ${b.exit}\n  params: ${JSON.stringify(b.params)}`,
        ).join('\n'),
      );
    });

  st.command('add')
    .description('save a strategy; saving an existing name adds a version')
    .argument('<name>', 'strategy name')
    .requiredOption('--user <username>', 'owner')
    .option('--entry <rule>', "when to enter, e.g. 'crosses_above(sma(close, $fast), sma(close, $slow))'")
    .option('--exit <rule>', 'when to exit')
    .option('--builtin <name>', 'start from a built-in strategy written as rules (tm strategies builtins)')
    .option('--params <json>', 'parameter defaults, e.g. {"fast": 10, "slow": 30} (over the built-in ones)')
    .option('--description <text>', 'what it does')
    .option('--json', 'output JSON')
    .action(
      async (
        name: string,
        o: {
          user: string;
          entry?: string;
          exit?: string;
          builtin?: string;
          params?: string;
          description?: string;
          json?: boolean;
        },
      ) => {
        const params = parseJsonOption(o.params, '--params');
        const from = o.builtin ? await builtin(o.builtin) : undefined;
        const entry = o.entry ?? from?.entry;
        const exit = o.exit ?? from?.exit;
        if (!entry || !exit) throw new UsageError('give --entry and --exit, or --builtin NAME');
        await withDatabase(async (db) => {
          const user = await (await users()).requireUserByName(db, o.user);
          const s = await (await repo()).saveStrategy(db, {
            userId: user.id,
            name,
            entry,
            exit,
            params: from ? { ...from.params, ...(params as object | undefined) } : params,
            description: o.description ?? from?.description,
          });
          printer(!!o.json).data(s, () => `saved strategy ${s.name} version ${s.version}`);
        });
      },
    );

  st.command('list')
    .description("a user's strategies at their latest versions")
    .requiredOption('--user <username>', 'owner')
    .option('--json', 'output JSON')
    .action(async (o: { user: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, o.user);
        const rows = await (await repo()).listStrategies(db, user.id);
        printer(!!o.json).data(rows, () =>
          rows.length ? table(rows, ['name', 'version', 'entry', 'exit', 'description']) : 'no strategies',
        );
      });
    });

  st.command('show')
    .description('a strategy with every version, newest first')
    .argument('<name>', 'strategy name')
    .requiredOption('--user <username>', 'owner')
    .option('--json', 'output JSON')
    .action(async (name: string, o: { user: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, o.user);
        const versions = await (await repo()).strategyVersions(db, user.id, name);
        printer(!!o.json).data({ name, versions }, () =>
          table(
            versions.map((v) => ({ ...v, params: JSON.stringify(v.params) })),
            ['version', 'entry', 'exit', 'params', 'description', 'created_at'],
          ),
        );
      });
    });

  st.command('remove')
    .description('delete a strategy with its versions and backtest runs')
    .argument('<name>', 'strategy name')
    .requiredOption('--user <username>', 'owner')
    .action(async (name: string, o: { user: string }) => {
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, o.user);
        await (await repo()).removeStrategy(db, user.id, name);
        process.stdout.write(`removed strategy ${name}\n`);
      });
    });
}
