/** tm tier: tablespaces on other disks and a policy that moves old chunks there (self-hosted tiering). */
import type { Command } from 'commander';
import {
  addTablespace,
  addTierPolicy,
  listTablespaces,
  removeTierPolicy,
  tierPolicies,
} from '../../timescale/tiering.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

export function registerTier(program: Command): void {
  const t = program
    .command('tier')
    .description('move old chunks to a tablespace on cheaper disks (a server, not the embedded database)');
  t.command('add-tablespace')
    .description('CREATE TABLESPACE NAME at PATH, a directory on the database server (empty, owned by its user)')
    .argument('<name>', 'tablespace name, e.g. cold')
    .argument('<path>', 'absolute directory on the database server')
    .option('--json', 'output JSON')
    .action(async (name: string, dir: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await addTablespace(db, name, dir);
        printer(!!opts.json).data(r, () => `created tablespace ${r.name} at ${r.location}`);
      });
    });
  t.command('list')
    .description('tablespaces with their size and the chunks they hold, and the tiering policies')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const tablespaces = await listTablespaces(db);
        const policies = await tierPolicies(db);
        printer(!!opts.json).data({ tablespaces, policies }, () =>
          [
            table(tablespaces, ['name', 'location', 'size', 'chunks']),
            policies.length
              ? table(policies)
              : 'no tiering policy (tm tier policy add --tablespace NAME --older-than 1y)',
          ].join('\n\n'),
        );
      });
    });
  const p = t.command('policy').description('the job that moves chunks older than an age to a tablespace');
  p.command('add')
    .description(
      'a TimescaleDB job that moves chunks older than --older-than to --tablespace (run now: tm jobs run ID)',
    )
    .requiredOption('--tablespace <name>', 'where old chunks go')
    .requiredOption('--older-than <duration>', 'age, e.g. 1y, 6mon, 90d')
    .option('--hypertable <name>', 'hypertable or continuous aggregate', 'candles')
    .option('--schedule <duration>', 'how often the job runs', '1d')
    .option('--json', 'output JSON')
    .action(
      async (o: { tablespace: string; olderThan: string; hypertable: string; schedule: string; json?: boolean }) => {
        await withDatabase(async (db) => {
          const r = await addTierPolicy(db, o);
          printer(!!o.json).data(r, () =>
            r.created
              ? `job ${r.job_id} moves ${r.hypertable} chunks older than ${r.older_than} to ${r.tablespace} every ${r.schedule_interval} (run it now: tm jobs run ${r.job_id})`
              : `${r.hypertable} already moves chunks older than ${r.older_than} to ${r.tablespace} (job ${r.job_id})`,
          );
        });
      },
    );
  p.command('remove')
    .description('remove the tiering job of a hypertable (moved chunks stay where they are)')
    .option('--hypertable <name>', 'hypertable', 'candles')
    .option('--json', 'output JSON')
    .action(async (o: { hypertable: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await removeTierPolicy(db, o.hypertable);
        printer(!!o.json).data(r, () =>
          r.removed.length ? `removed job ${r.removed.join(', ')}` : 'no tiering policy',
        );
      });
    });
}
