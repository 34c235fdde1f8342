/** tm migrate: Alembic's command set (revision, upgrade, downgrade, current, history, stamp, --sql). */
import type { Command } from 'commander';
import { createRevisionFile } from '../../db/migrate/files.ts';
import { Migrator, type Status } from '../../db/migrate/migrator.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

function describeStatus(s: Status): string[] {
  const lines = [];
  if (s.changed.length)
    lines.push(`warning: applied revision(s) ${s.changed.join(', ')} changed on disk since they ran`);
  if (s.unknown.length)
    lines.push(`warning: the database has revision(s) ${s.unknown.join(', ')} that this version of tm does not know`);
  return lines;
}

export function registerMigrate(program: Command): void {
  const migrate = program
    .command('migrate')
    .description('schema migrations (like alembic): upgrade, downgrade, current, history, stamp');

  migrate
    .command('revision')
    .description('create a new migration file with up and down sections')
    .requiredOption('-m, --message <text>', 'what the migration does')
    .action((opts: { message: string }) => {
      const file = createRevisionFile(opts.message);
      process.stdout.write(`created ${file}\n`);
    });

  migrate
    .command('upgrade')
    .description('apply migrations up to a target: head (default), +N, or a revision')
    .argument('[target]', 'head | +N | REV (with --sql also FROM:TO)', 'head')
    .option('--sql', 'print the SQL that would run instead of running it (no database needed)')
    .action(async (target: string, opts: { sql?: boolean }) => {
      if (opts.sql) {
        process.stdout.write(new Migrator(null).offlineSql('up', target));
        return;
      }
      await withDatabase(
        async (db) => {
          const steps = await new Migrator(db, undefined, { log }).upgrade(target);
          log(
            steps.length
              ? `upgraded to ${steps.at(-1)!.migration.revision}`
              : 'already at the requested revision; nothing to do',
          );
        },
        { schema: 'any' },
      );
    });

  migrate
    .command('downgrade')
    .description('revert migrations down to a target: -N, a revision, or base')
    .argument('<target>', '-N | REV | base (with --sql also FROM:TO)')
    .option('--sql', 'print the SQL that would run instead of running it (no database needed)')
    .action(async (target: string, opts: { sql?: boolean }) => {
      if (opts.sql) {
        process.stdout.write(new Migrator(null).offlineSql('down', target));
        return;
      }
      await withDatabase(
        async (db) => {
          const steps = await new Migrator(db, undefined, { log }).downgrade(target);
          const m = new Migrator(db);
          const now = (await m.status()).current ?? 'base';
          log(steps.length ? `downgraded to ${now}` : 'already at the requested revision; nothing to do');
        },
        // tm serve runs the schema at head: it would break under it.
        { schema: 'any', exclusive: true },
      );
    });

  migrate
    .command('current')
    .description('show the revision the database is at')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(
        async (db) => {
          const s = await new Migrator(db).status();
          const out = {
            current: s.current,
            head: s.head,
            at_head: s.current === s.head,
            pending: s.pending.map((p) => p.revision),
            changed: s.changed,
            unknown: s.unknown,
          };
          printer(!!opts.json).data(out, () =>
            [
              `${s.current ?? 'base'}${s.current === s.head ? ' (head)' : ''}`,
              ...(s.pending.length
                ? [`${s.pending.length} pending: ${out.pending.join(', ')} (run tm migrate upgrade)`]
                : []),
              ...describeStatus(s),
            ].join('\n'),
          );
        },
        { schema: 'any' },
      );
    });

  migrate
    .command('history')
    .description('list all revisions, newest first, with what is applied')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(
        async (db) => {
          const s = await new Migrator(db).status();
          const applied = new Map(s.applied.map((a) => [a.revision, a]));
          const rows = [...s.migrations].reverse().map((m, i, all) => ({
            revision: m.revision,
            down_revision: all[i + 1]?.revision ?? null,
            message: m.message,
            marks: [m.revision === s.head ? 'head' : '', m.revision === s.current ? 'current' : '']
              .filter(Boolean)
              .join(', '),
            applied_at: applied.get(m.revision)?.applied_at ?? null,
            changed_since_applied: s.changed.includes(m.revision),
          }));
          printer(!!opts.json).data(rows, () =>
            [table(rows, ['revision', 'down_revision', 'message', 'marks', 'applied_at']), ...describeStatus(s)].join(
              '\n',
            ),
          );
        },
        { schema: 'any' },
      );
    });

  migrate
    .command('stamp')
    .description('record a revision as current without running any migration')
    .argument('<revision>', 'REV | head | base')
    .action(async (revision: string) => {
      await withDatabase(
        async (db) => {
          await new Migrator(db).stamp(revision);
          log(`stamped ${revision}`);
        },
        { schema: 'any', exclusive: true },
      );
    });
}
