/** tm tune: timescaledb-tune's advice for a machine, as postgresql.conf lines or ALTER SYSTEM; --apply on a server. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import {
  applySettings,
  formatConf,
  formatSql,
  countDatabases,
  recommend,
  tuneInput as fromOptions,
  type TuneInput,
} from '../../timescale/tune.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { intOption } from '../options.ts';

/** The --memory, --cpus and --max-connections options (shared with tm doctor). */
export function tuneInput(opts: {
  memory?: string;
  cpus?: string;
  maxConnections?: string;
  databases?: string;
}): TuneInput {
  return fromOptions({
    memory: opts.memory,
    databases: opts.databases ? intOption(opts.databases, '--databases', 1, 100000) : undefined,
    cpus: opts.cpus ? intOption(opts.cpus, '--cpus', 1, 4096) : undefined,
    maxConnections: opts.maxConnections ? intOption(opts.maxConnections, '--max-connections', 1, 262143) : undefined,
  });
}

export function registerTune(program: Command): void {
  program
    .command('tune')
    .description(
      "PostgreSQL + TimescaleDB settings for a machine (timescaledb-tune's formulas); defaults to this machine's RAM and cores",
    )
    .option('--memory <size>', 'RAM, e.g. 16GB')
    .option('--cpus <n>', 'CPU cores')
    .option('--max-connections <n>', 'max_connections', '100')
    .option(
      '--databases <n>',
      'databases on the server, each with a TimescaleDB scheduler (default: counted with --apply, else 1)',
    )
    .option('--format <fmt>', 'conf (postgresql.conf lines) or sql (ALTER SYSTEM statements)', 'conf')
    .option('--apply', 'write the settings with ALTER SYSTEM on the server (superuser) and reload')
    .option('--json', 'output JSON')
    .action(
      async (opts: {
        memory?: string;
        cpus?: string;
        maxConnections: string;
        databases?: string;
        format: string;
        apply?: boolean;
        json?: boolean;
      }) => {
        if (opts.format !== 'conf' && opts.format !== 'sql')
          throw new UsageError(`--format must be conf or sql, got "${opts.format}"`);
        const input = tuneInput(opts);
        const settings = recommend(input);
        const out = printer(!!opts.json);
        if (!opts.apply) {
          out.data({ input, settings }, () =>
            [
              `# for ${(input.memoryBytes / 2 ** 30).toFixed(1)}GB RAM, ${input.cpus} CPUs, ${input.maxConnections} connections`,
              opts.format === 'sql' ? formatSql(settings) : formatConf(settings),
            ].join('\n'),
          );
          return;
        }
        await withDatabase(
          async (db) => {
            const r = await applySettings(
              db,
              opts.databases ? settings : recommend({ ...input, databases: await countDatabases(db) }),
            );
            out.data(r, () =>
              [
                table(r.applied),
                ...r.skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
                r.restart_required
                  ? `written with ALTER SYSTEM and reloaded; restart PostgreSQL for ${r.applied
                      .filter((a) => a.restart_required)
                      .map((a) => a.name)
                      .join(', ')} to take effect`
                  : 'written with ALTER SYSTEM and reloaded; no restart needed',
              ].join('\n'),
            );
            // Server settings do not depend on the schema: tune a server before its first migration.
          },
          { schema: 'any' },
        );
      },
    );
}
