/** tm db: bootstrap a server database (the seed's "Create Database and User") and show connection facts. */
import type { Command } from 'commander';
import { databaseInfo } from '../../db/info.ts';
import { UsageError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer } from '../output.ts';
import { readStdin } from '../stdin.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('database bootstrap and facts');

  db.command('init')
    .description('create the role and database if missing, enable TimescaleDB, grant privileges (idempotent)')
    .requiredOption(
      '--admin-url <url>',
      'a superuser connection, e.g. postgres://postgres@localhost:5432/postgres; leave the password out of the URL and set PGPASSWORD instead (URLs show up in shell history and ps)',
    )
    .option('--user <name>', 'application role', 'trading_user')
    .option('--database <name>', 'application database', 'trading_manager')
    .option('--password-stdin', 'read the role password from standard input (else $TM_DB_PASSWORD)')
    .option('--json', 'output JSON')
    .action(
      async (opts: { adminUrl: string; user: string; database: string; passwordStdin?: boolean; json?: boolean }) => {
        let password = process.env.TM_DB_PASSWORD || undefined;
        if (opts.passwordStdin) {
          if (process.stdin.isTTY)
            throw new UsageError(
              '--password-stdin reads a piped password: echo "$PW" | tm db init ... --password-stdin',
            );
          password = (await readStdin()).replace(/\r?\n$/, '');
          if (!password) throw new UsageError('--password-stdin got an empty password');
        }
        const log = (l: string) => process.stderr.write(`${l}\n`);
        const { initDatabase } = await import('../../db/bootstrap.ts'); // loads pg only here
        const result = await initDatabase({
          adminUrl: opts.adminUrl,
          user: opts.user,
          database: opts.database,
          password,
          log,
        });
        printer(!!opts.json).data(
          result,
          () => `ready. Set DATABASE_URL=${result.database_url} and run: tm migrate upgrade head`,
        );
      },
    );

  db.command('info')
    .description('backend, versions and schema revision of the configured database')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(
        async (database) => {
          const info = await databaseInfo(database);
          printer(!!opts.json).data(info, () =>
            Object.entries(info)
              .map(([k, v]) => `${k.padEnd(22)} ${Array.isArray(v) ? v.join(', ') || '-' : (v ?? '-')}`)
              .join('\n'),
          );
        },
        { schema: 'any' },
      );
    });
}
